//! kube-hetzner/terraform-hcloud-kube-hetzner: k3s on Hetzner Cloud, the most used k3s module.
//!
//! Read from v2.18.4 (commit ee1b6ba):
//! - `variables.tf`: `etcd_s3_backup` (`map(any)`, sensitive, default `{}`; keys are k3s config
//!   names such as `etcd-s3-bucket`), `control_planes_custom_config` (`any`, default `{}`, "added
//!   to k3s's config.yaml"), `k3s_token` (sensitive, default null: "must match when restoring a
//!   cluster"), `cluster_name` (default `"k3s"`);
//! - `locals.tf`: `etcd_s3_snapshots = length(keys(var.etcd_s3_backup)) > 0 ? merge({"etcd-s3" =
//!   true}, var.etcd_s3_backup) : {}` — any non-empty map turns S3 snapshots on;
//!   `k3s_token = var.k3s_token == null ? random_password.k3s_token.result : var.k3s_token`;
//! - `init.tf`, `control_planes.tf`: the server config is `yamlencode(merge(…,
//!   local.etcd_s3_snapshots, var.control_planes_custom_config, …))`, written by a `file`
//!   provisioner (not in the plan) and hashed into `null_resource.control_plane_config`'s
//!   `triggers.config` (`sha1`): nothing in a plan shows the values, so they are read from the
//!   module inputs (the plan's configuration, or `--config`);
//! - no restore input: the module never passes `--cluster-reset` itself (restore is the
//!   documented manual procedure), so restore is off unless `cluster-reset-restore-path` is put
//!   into `control_planes_custom_config`.
//!
//! k3s's own defaults apply (retention 5, no compression): the module sets neither.

pub const PROFILE: &str = r#"{
  "name": "kube-hetzner",
  "module": "kube-hetzner/terraform-hcloud-kube-hetzner",
  "distribution": "k3s",
  "match": {
    "sources": ["kube-hetzner/kube-hetzner/hcloud", "github.com/kube-hetzner/terraform-hcloud-kube-hetzner"],
    "variables": ["etcd_s3_backup", "control_planes_custom_config", "k3s_token", "control_plane_nodepools"]
  },
  "inputs": [
    { "name": "etcd_s3_backup", "form": "flag-map", "implies_s3": "non-empty" },
    { "name": "control_planes_custom_config", "form": "flag-map" }
  ],
  "rendered": [
    { "resource": "null_resource.control_plane_config", "attribute": "triggers.config",
      "encoding": "sha1(yamlencode(k3s config))", "evidence": false },
    { "resource": "null_resource.first_control_plane", "attribute": "provisioner \"file\" /tmp/config.yaml",
      "encoding": "provisioner only", "evidence": false }
  ],
  "token": { "input": "k3s_token", "resource": "random_password.k3s_token" },
  "restore": { "auto": false },
  "identity": { "input": "cluster_name", "default": "k3s" },
  "sources": [
    "kube-hetzner/terraform-hcloud-kube-hetzner v2.18.4 variables.tf: etcd_s3_backup (map(any), sensitive, default {}), control_planes_custom_config, k3s_token (default null), cluster_name (default \"k3s\")",
    "kube-hetzner/terraform-hcloud-kube-hetzner v2.18.4 locals.tf: etcd_s3_snapshots = merge({\"etcd-s3\" = true}, var.etcd_s3_backup) when non-empty; k3s_token falls back to random_password.k3s_token",
    "kube-hetzner/terraform-hcloud-kube-hetzner v2.18.4 init.tf, control_planes.tf: yamlencode(merge(..., local.etcd_s3_snapshots, var.control_planes_custom_config)) by a file provisioner; triggers.config = sha1(...)",
    "kube-hetzner/terraform-hcloud-kube-hetzner v2.18.4 main.tf: resource random_password.k3s_token (length 48)"
  ]
}"#;
