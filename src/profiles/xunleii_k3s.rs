//! xunleii/terraform-module-k3s: k3s on any SSH-reachable hosts.
//!
//! Read from v3.4.0 (commit 1ae2afd):
//! - `variables.tf`: `global_flags` (`list(string)`, "used by all nodes"), `servers` (`map(any)`;
//!   each server's `flags`, a list of strings), `cluster_domain` (default `"cluster.local"`);
//! - `main.tf`: `random_password.k3s_cluster_secret`, and no token input;
//! - `server_nodes.tf`: a server's flags are `join(" ", [..., "--token <secret>", ...] ++
//!   global_flags ++ servers[*].flags)`, run by a `remote-exec` provisioner of
//!   `null_resource.servers_install`, whose triggers hold only `sha1(...)` of them: nothing in a plan
//!   shows the values, so the inputs are read. Restore only by flags (`--cluster-reset-restore-path`).
//!
//! Every server's flags are merged into one set (a server's own after the global ones): servers
//! that differ in their etcd settings are not told apart.

pub const PROFILE: &str = r#"{
  "name": "xunleii-k3s",
  "module": "xunleii/terraform-module-k3s",
  "distribution": "k3s",
  "match": {
    "sources": ["xunleii/k3s/module", "github.com/xunleii/terraform-module-k3s"],
    "variables": ["global_flags", "servers", "cluster_domain", "k3s_install_env_vars"]
  },
  "inputs": [
    { "name": "global_flags", "form": "flags" },
    { "name": "servers", "path": "*.flags", "form": "flags" }
  ],
  "rendered": [
    { "resource": "null_resource.servers_install", "attribute": "triggers.on_immutable_changes",
      "encoding": "sha1 of the flags, run by a remote-exec provisioner", "evidence": false }
  ],
  "token": { "resource": "random_password.k3s_cluster_secret" },
  "restore": { "auto": false },
  "identity": { "input": "cluster_domain", "default": "cluster.local" },
  "sources": [
    "xunleii/terraform-module-k3s v3.4.0 variables.tf: global_flags (list(string)), servers (map(any), flags), cluster_domain",
    "xunleii/terraform-module-k3s v3.4.0 main.tf: random_password.k3s_cluster_secret (no token input)",
    "xunleii/terraform-module-k3s v3.4.0 server_nodes.tf: flags = global_flags ++ servers[*].flags, remote-exec of null_resource.servers_install, triggers sha1"
  ]
}"#;
