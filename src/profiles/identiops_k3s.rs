//! identiops/terraform-hcloud-k3s: k3s on Hetzner Cloud with node pools.
//!
//! Read from commit 983b1fb (after 6.3.1):
//! - `variables.tf`: `control_plane_k3s_additional_config` (a map of k3s config names, written to
//!   `/etc/rancher/k3s/config.yaml.d/10-additional.yaml`), `node_pools[*].
//!   control_plane_k3s_additional_config` (merged over it per pool),
//!   `control_plane_k3s_init_additional_options` and `control_plane_k3s_additional_options`
//!   (server flags as one string: its examples put `--etcd-s3 --etcd-s3-bucket=…` there),
//!   `node_pools[*].cluster_init_action` (`reset`, `reset_restore_path`), `cluster_name`
//!   (default `"hetzner"`);
//! - `main.tf`: `random_string.k3s_token`, and no token input: the token is always the module's;
//! - `node_pool_cluster_init.tf`: `--cluster-reset --cluster-reset-restore-path=<reset_restore_path>`
//!   on the init node when `cluster_init_action.reset` (the module requires a path then); a path
//!   given without `reset` is read as a restore too (fail closed);
//! - `node_pool/pool.tf`: `hcloud_server.pool.user_data` is `#cloud-config` whose `write_files`
//!   hold the config.yaml.d files and whose `runcmd` holds the flags: readable when known.
//!
//! Config files come first and flags after (k3s: flags win over config files).

pub const PROFILE: &str = r##"{
  "name": "identiops-k3s",
  "module": "identiops/terraform-hcloud-k3s",
  "distribution": "k3s",
  "match": {
    "sources": ["github.com/identiops/terraform-hcloud-k3s"],
    "variables": ["node_pools", "control_plane_k3s_additional_config", "control_plane_k3s_init_additional_options", "control_plane_k3s_additional_options"]
  },
  "inputs": [
    { "name": "control_plane_k3s_additional_config", "form": "flag-map" },
    { "name": "node_pools", "path": "*.control_plane_k3s_additional_config", "form": "flag-map" },
    { "name": "control_plane_k3s_init_additional_options", "form": "flags" },
    { "name": "control_plane_k3s_additional_options", "form": "flags" },
    { "name": "node_pools", "path": "*.cluster_init_action.reset_restore_path", "form": "restore-path" }
  ],
  "rendered": [
    { "resource": "module.node_pool_cluster_init[*].hcloud_server.pool", "attribute": "user_data",
      "encoding": "#cloud-config write_files /etc/rancher/k3s/config.yaml.d/*.yaml, runcmd flags", "evidence": true }
  ],
  "token": { "resource": "random_string.k3s_token" },
  "restore": { "auto": false },
  "identity": { "input": "cluster_name", "default": "hetzner" },
  "sources": [
    "identiops/terraform-hcloud-k3s 983b1fb variables.tf: control_plane_k3s_additional_config, control_plane_k3s_init_additional_options, control_plane_k3s_additional_options, node_pools[*].cluster_init_action, cluster_name (default \"hetzner\")",
    "identiops/terraform-hcloud-k3s 983b1fb main.tf: random_string.k3s_token (no token input)",
    "identiops/terraform-hcloud-k3s 983b1fb node_pool_cluster_init.tf: --cluster-reset --cluster-reset-restore-path when cluster_init_action.reset",
    "identiops/terraform-hcloud-k3s 983b1fb node_pool/pool.tf: hcloud_server.pool user_data #cloud-config, config.yaml.d files"
  ]
}"##;
