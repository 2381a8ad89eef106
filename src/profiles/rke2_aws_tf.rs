//! rancherfederal/rke2-aws-tf: RKE2 on AWS autoscaling groups.
//!
//! Read from v2.5.1 (commit 6f159fd):
//! - `variables.tf`: `rke2_config` (a string: "additional configuration passed as rke2 config
//!   file"), `cluster_name` (required; `unique_suffix` adds a random suffix to resource names);
//! - `main.tf`: `random_password.token` (length 40) stored in the statestore bucket, and no token
//!   input: the token is always the module's;
//! - `data.tf` and `modules/userdata/files/rke2-init.sh`: `data.cloudinit_config.this` (gzip +
//!   base64 MIME multipart) whose shell-script part `20_rke2.sh` appends `rke2_config` to
//!   `/etc/rancher/rke2/config.yaml`; the part also holds the control-plane load balancer's DNS
//!   name, so on a first create it is unknown until apply (then the input is read);
//! - no restore input: restore is RKE2's `cluster-reset-restore-path` in `rke2_config`.
//!
//! RKE2 takes the same `etcd-s3-*` options with the same defaults as k3s (docs.rke2.io,
//! reference/server_config: etcd-snapshot-schedule-cron `0 */12 * * *`, etcd-snapshot-retention
//! 5, etcd-s3-endpoint `s3.amazonaws.com`, etcd-s3-region `us-east-1`), and fails a restore with
//! another token as k3s does (rancher/rke2 #2410).

pub const PROFILE: &str = r##"{
  "name": "rke2-aws-tf",
  "module": "rancherfederal/rke2-aws-tf",
  "distribution": "rke2",
  "match": {
    "sources": ["rancherfederal/rke2/aws", "github.com/rancherfederal/rke2-aws-tf"],
    "variables": ["rke2_config", "rke2_version", "unique_suffix", "ssh_authorized_keys"]
  },
  "inputs": [{ "name": "rke2_config", "form": "yaml" }],
  "rendered": [
    { "resource": "data.cloudinit_config.this", "attribute": "rendered",
      "encoding": "gzip > base64 > MIME multipart > shell script 20_rke2.sh > /etc/rancher/rke2/config.yaml", "evidence": true }
  ],
  "token": { "resource": "random_password.token" },
  "restore": { "auto": false },
  "identity": { "input": "cluster_name" },
  "sources": [
    "rancherfederal/rke2-aws-tf v2.5.1 variables.tf: rke2_config (string), cluster_name, unique_suffix",
    "rancherfederal/rke2-aws-tf v2.5.1 main.tf: random_password.token into module.statestore (no token input)",
    "rancherfederal/rke2-aws-tf v2.5.1 data.tf, modules/userdata/files/rke2-init.sh: rke2_config appended to /etc/rancher/rke2/config.yaml in MIME part 20_rke2.sh",
    "docs.rke2.io reference/server_config: etcd-s3-* options and defaults as k3s's"
  ]
}"##;
