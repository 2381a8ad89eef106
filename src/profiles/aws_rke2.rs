//! rancher/terraform-aws-rke2: RKE2 on one EC2 server (servers and agents joined by URL).
//!
//! Read from v3.0.1 (commit f0ba4d7):
//! - `variables.tf`: `config_supplied_content` (rke2 config.yaml text, used with
//!   `config_use_strategy` `supply` or `merge`), `config_join_token` (default `""`),
//!   `project_name` (names every resource), `install_role`;
//! - `main.tf`: `join_token` is `config_join_token` when not `""`, else a `token:` in the supplied
//!   config, else `random_uuid.join_token`, whose `keepers` hold the server's id: a new token
//!   whenever the server is replaced; `terraform_data.write_supplied_config` holds the supplied
//!   config itself in `triggers_replace.config_content` (readable in the plan) and writes it to
//!   `config.yaml.d` by a `local-exec` provisioner; the default config comes from
//!   rancher/terraform-local-rke2-config (`rancher/rke2-config/local`), which this module calls
//!   with no etcd option;
//! - no restore input: restore is RKE2's `cluster-reset-restore-path` in the supplied config.

pub const PROFILE: &str = r#"{
  "name": "aws-rke2",
  "module": "rancher/terraform-aws-rke2",
  "distribution": "rke2",
  "match": {
    "sources": ["rancher/rke2/aws", "github.com/rancher/terraform-aws-rke2"],
    "variables": ["config_supplied_content", "config_join_token", "config_use_strategy", "install_role"]
  },
  "inputs": [{ "name": "config_supplied_content", "form": "yaml" }],
  "rendered": [
    { "resource": "terraform_data.write_supplied_config", "attribute": "triggers_replace.config_content",
      "encoding": "the config.yaml text", "evidence": true }
  ],
  "token": { "input": "config_join_token", "resource": "random_uuid.join_token" },
  "restore": { "auto": false },
  "identity": { "input": "project_name" },
  "sources": [
    "rancher/terraform-aws-rke2 v3.0.1 variables.tf: config_supplied_content, config_join_token (default \"\"), config_use_strategy, project_name",
    "rancher/terraform-aws-rke2 v3.0.1 main.tf: join_token falls back to random_uuid.join_token (keepers: the server's id); terraform_data.write_supplied_config.triggers_replace.config_content",
    "rancher/terraform-local-rke2-config v1.0.3 main.tf: the default config, called by this module without etcd options"
  ]
}"#;
