//! `rancher2_cluster_v2`: an RKE2 or k3s cluster that Rancher provisions, declared as a resource
//! of the rancher/rancher2 provider. The cluster is the resource; its attributes are the inputs.
//!
//! Read from rancher/terraform-provider-rancher2 v15.0.0-rc.16 (commit c37fdac):
//! - `rancher2/schema_cluster_v2_rke_config_etcd.go`: `rke_config.etcd` {`disable_snapshots`,
//!   `snapshot_schedule_cron`, `snapshot_retention`, `s3_config` {`bucket`, `endpoint` (both
//!   required), `cloud_credential_name`, `endpoint_ca`, `folder`, `region`, `retention`,
//!   `skip_ssl_verify`}}; `rke_config.etcd_snapshot_restore` {`name`, `generation`,
//!   `restore_rke_config`} restores the named snapshot in place;
//! - `rancher2/schema_cloud_credential_s3.go`: `rancher2_cloud_credential.s3_credential_config`
//!   {`access_key`, `secret_key` (sensitive), `default_bucket`, `default_endpoint`,
//!   `default_endpoint_ca`, `default_folder`, `default_region`, `default_skip_ssl_verify`};
//!   the access keys exist only there: a cluster names its credential (by id) and nothing else.
//!
//! And from rancher/rancher `pkg/capr/planner/s3args.go`, which turns them into RKE2/k3s flags:
//! S3 is on when any of bucket, endpoint, folder, credential or region is set; each flag is the
//! cluster's value, else the credential's `default_*` (an empty string is none); the keys come
//! from the credential. The cluster token is Rancher's, kept with the cluster object: no argument
//! sets it and a plan never shows it.

pub const PROFILE: &str = r#"{
  "name": "rancher2-cluster-v2",
  "module": "rancher2_cluster_v2 (rancher/rancher2 provider)",
  "distribution": "rke2",
  "match": { "resources": ["rancher2_cluster_v2"] },
  "inputs": [
    { "name": "rke_config", "path": "etcd.s3_config", "form": "object",
      "fields": { "bucket": "s3-bucket", "endpoint": "s3-endpoint", "folder": "s3-folder", "region": "s3-region",
                  "endpoint_ca": "s3-endpoint-ca", "skip_ssl_verify": "s3-skip-ssl-verify", "retention": "s3-retention" },
      "implies_s3": "non-empty",
      "credential": { "attribute": "cloud_credential_name", "resource": "rancher2_cloud_credential",
                      "path": "s3_credential_config",
                      "fields": { "access_key": "s3-access-key", "secret_key": "s3-secret-key",
                                  "default_bucket": "s3-bucket", "default_endpoint": "s3-endpoint",
                                  "default_folder": "s3-folder", "default_region": "s3-region",
                                  "default_endpoint_ca": "s3-endpoint-ca", "default_skip_ssl_verify": "s3-skip-ssl-verify" } } },
    { "name": "rke_config", "path": "etcd", "form": "object",
      "fields": { "snapshot_schedule_cron": "snapshot-schedule-cron", "snapshot_retention": "snapshot-retention",
                  "disable_snapshots": "disable-snapshots" } },
    { "name": "rke_config", "path": "etcd_snapshot_restore.name", "form": "restore-path" }
  ],
  "restore": { "auto": false },
  "identity": { "input": "name" },
  "sources": [
    "rancher/terraform-provider-rancher2 v15.0.0-rc.16 rancher2/schema_cluster_v2_rke_config_etcd.go: rke_config.etcd and its s3_config; etcd_snapshot_restore",
    "rancher/terraform-provider-rancher2 v15.0.0-rc.16 rancher2/schema_cloud_credential_s3.go: rancher2_cloud_credential.s3_credential_config (access_key, secret_key, default_*)",
    "rancher/rancher pkg/capr/planner/s3args.go: S3 on when bucket, endpoint, folder, credential or region is set; the cluster's value, else the credential's default; keys from the credential"
  ]
}"#;
