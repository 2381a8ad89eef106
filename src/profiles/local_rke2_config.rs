//! rancher/terraform-local-rke2-config: an RKE2 config.yaml from one input per option, called on
//! its own (rancher/terraform-aws-rke2 calls it too, without etcd options: that module's profile
//! reads such a call, and the call inside it is not a cluster of its own).
//!
//! Read from v1.0.3 (commit dda2436):
//! - `variables.tf`: one input per RKE2 server option, named as the option (`etcd-s3-bucket`,
//!   `etcd-snapshot-retention`, `token`, `cluster-reset-restore-path`), every one a string
//!   (booleans as `"true"`/`"false"`), default null; `local_file_path`, `local_file_name`;
//! - `main.tf`: the non-null options are yamlencoded (jsonencoded for a file name without
//!   `yaml`) into `file_local.write_config.contents`, which a plan shows when they are known;
//! - `token` is RKE2's own: null lets the first server generate one (on its disk, not in
//!   Terraform); restore is RKE2's `cluster-reset-restore-path` (with `cluster-reset`).

pub const PROFILE: &str = r#"{
  "name": "local-rke2-config",
  "module": "rancher/terraform-local-rke2-config",
  "distribution": "rke2",
  "match": {
    "sources": ["rancher/rke2-config/local", "github.com/rancher/terraform-local-rke2-config"],
    "variables": ["etcd-s3-bucket", "etcd-snapshot-retention", "local_file_name", "cluster-reset-restore-path"]
  },
  "inputs": [
    { "name": "etcd-s3", "form": "value", "setting": "s3" },
    { "name": "etcd-s3-endpoint", "form": "value", "setting": "s3-endpoint" },
    { "name": "etcd-s3-endpoint-ca", "form": "value", "setting": "s3-endpoint-ca" },
    { "name": "etcd-s3-skip-ssl-verify", "form": "value", "setting": "s3-skip-ssl-verify" },
    { "name": "etcd-s3-access-key", "form": "value", "setting": "s3-access-key" },
    { "name": "etcd-s3-secret-key", "form": "value", "setting": "s3-secret-key" },
    { "name": "etcd-s3-session-token", "form": "value", "setting": "s3-session-token" },
    { "name": "etcd-s3-bucket", "form": "value", "setting": "s3-bucket" },
    { "name": "etcd-s3-region", "form": "value", "setting": "s3-region" },
    { "name": "etcd-s3-folder", "form": "value", "setting": "s3-folder" },
    { "name": "etcd-s3-insecure", "form": "value", "setting": "s3-insecure" },
    { "name": "etcd-s3-timeout", "form": "value", "setting": "s3-timeout" },
    { "name": "etcd-s3-retention", "form": "value", "setting": "s3-retention" },
    { "name": "etcd-s3-bucket-lookup-type", "form": "value", "setting": "s3-bucket-lookup-type" },
    { "name": "etcd-s3-proxy", "form": "value", "setting": "s3-proxy" },
    { "name": "etcd-s3-config-secret", "form": "value", "setting": "s3-config-secret" },
    { "name": "etcd-disable-snapshots", "form": "value", "setting": "disable-snapshots" },
    { "name": "etcd-snapshot-name", "form": "value", "setting": "snapshot-name" },
    { "name": "etcd-snapshot-schedule-cron", "form": "value", "setting": "snapshot-schedule-cron" },
    { "name": "etcd-snapshot-retention", "form": "value", "setting": "snapshot-retention" },
    { "name": "etcd-snapshot-dir", "form": "value", "setting": "snapshot-dir" },
    { "name": "etcd-snapshot-compress", "form": "value", "setting": "snapshot-compress" },
    { "name": "cluster-reset-restore-path", "form": "restore-path" }
  ],
  "rendered": [
    { "resource": "file_local.write_config", "attribute": "contents",
      "encoding": "the config.yaml text (JSON for a file name without yaml)", "evidence": true }
  ],
  "token": { "input": "token" },
  "restore": { "auto": false },
  "sources": [
    "rancher/terraform-local-rke2-config v1.0.3 variables.tf: one string input per option (etcd-s3-*, etcd-snapshot-*, token, cluster-reset-restore-path), default null; local_file_path, local_file_name",
    "rancher/terraform-local-rke2-config v1.0.3 main.tf: the non-null options yamlencoded into file_local.write_config.contents",
    "rancher/terraform-aws-rke2 v3.0.1 main.tf: module.default_config (rancher/rke2-config/local v1.0.4) with token, server, node names and addresses, no etcd option"
  ]
}"#;
