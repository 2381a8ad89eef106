//! zadarastorage/terraform-zcompute-k8s: k3s on Zadara zCompute, the module SPEC §1 describes.
//!
//! Read from v3.1.0 (commit 2a3a14c):
//! - `variables.tf`: `etcd_backup` (`map(string)`, default null; keys are k3s flags without
//!   `--etcd-`), `cluster_token` (string, required);
//! - `data_cloudinit.tf`: `jsonencode(var.etcd_backup)` written to `/etc/zadara/etcd_backup.json`
//!   and the token to `/etc/zadara/k8s.json` by a cloud-init `write_files` part, MIME multipart,
//!   gzip + base64, into `aws_launch_configuration.this[*].user_data_base64`;
//! - `files/k3s/setup.sh`: retention 168 and compression on unless the map says otherwise;
//!   auto-restore on unless `autorestore` is something other than `"true"`.
//!
//! It matches by source, and — for the stand-ins and wrappers teams write around it — any call
//! passing `etcd_backup` or `cluster_token` (the innermost one, when a wrapper forwards them).

pub const PROFILE: &str = r#"{
  "name": "zcompute-k8s",
  "module": "zadarastorage/terraform-zcompute-k8s",
  "distribution": "k3s",
  "match": {
    "sources": ["github.com/zadarastorage/terraform-zcompute-k8s"],
    "inputs": ["etcd_backup", "cluster_token"]
  },
  "inputs": [{ "name": "etcd_backup", "form": "key-map" }],
  "defaults": { "snapshot-retention": "168", "snapshot-compress": "true" },
  "module_keys": ["autorestore", "cluster-reset-restore-path"],
  "rendered": [
    { "resource": "data.cloudinit_config.k8s", "attribute": "rendered",
      "encoding": "gzip > base64 > MIME multipart > cloud-config write_files /etc/zadara/etcd_backup.json", "evidence": true },
    { "resource": "aws_launch_configuration.this", "attribute": "user_data_base64",
      "encoding": "gzip > base64 > MIME multipart > cloud-config write_files /etc/zadara/etcd_backup.json", "evidence": true }
  ],
  "token": { "input": "cluster_token" },
  "restore": { "auto": true },
  "identity": { "input": "cluster_name" },
  "sources": [
    "zadarastorage/terraform-zcompute-k8s v3.1.0 variables.tf: etcd_backup (map(string), default null), cluster_token",
    "zadarastorage/terraform-zcompute-k8s v3.1.0 data_cloudinit.tf: jsonencode(var.etcd_backup) > /etc/zadara/etcd_backup.json, cluster_token > /etc/zadara/k8s.json",
    "zadarastorage/terraform-zcompute-k8s v3.1.0 files/k3s/setup.sh: etcd-snapshot-retention 168, etcd-snapshot-compress true, autorestore starts from \"true\""
  ]
}"#;
