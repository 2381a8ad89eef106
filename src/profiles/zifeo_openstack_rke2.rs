//! zifeo/terraform-openstack-rke2: RKE2 on OpenStack, backed up to Swift's S3 API or any S3.
//!
//! Read from v4.1.1 (commit 17cd987):
//! - `variables.tf`: `name` (required), `s3_backup` (`{endpoint, access_key, access_secret,
//!   bucket}`, default all `""`), `backup_schedule` and `backup_retention` (default null),
//!   `object_store_endpoint` (default `""`), `ff_native_backup` (default true);
//! - `main.tf`: `local.s3` is, with `ff_native_backup` and a non-empty `object_store_endpoint`,
//!   `{endpoint = object_store_endpoint, access_key/access_secret = the module's own
//!   openstack_identity_ec2_credential_v3.s3, bucket = openstack_objectstorage_container_v1.
//!   etcd_snapshots ("${var.name}-etcd-snapshots", s3.tf)}`, else `var.s3_backup` whole;
//! - `node/cloud-init.yaml.tpl`: `etcd-s3`, `-endpoint`, `-access-key`, `-secret-key`, `-bucket`
//!   are written only `if s3.endpoint != ""`; `etcd-snapshot-schedule-cron` and
//!   `etcd-snapshot-retention` only inside that block (and when not null), with
//!   `etcd-snapshot-compress: true`; no region and no folder is ever written, and the `rke2_config`
//!   of `servers[*]` is passed to the template but not used there (v4.1.1), so RKE2's defaults
//!   apply: region `us-east-1` (docs.rke2.io reference/server_config), which OpenStack Swift's S3
//!   API accepts (its s3api `location` defaults to `us-east-1`);
//! - `node/main.tf`: the config is in `user_data` of `openstack_compute_instance_v2`, which the
//!   OpenStack provider stores as its sha1: a plan shows a hash, so the inputs are read;
//! - `keys.tf`: `random_string.rke2_token`, with no input to override it; no restore input (the
//!   README's restore is a manual `rke2 server --cluster-reset`).

pub const PROFILE: &str = r##"{
  "name": "zifeo-openstack-rke2",
  "module": "zifeo/terraform-openstack-rke2",
  "distribution": "rke2",
  "match": {
    "sources": ["zifeo/rke2/openstack", "github.com/zifeo/terraform-openstack-rke2"],
    "variables": ["s3_backup", "object_store_endpoint", "ff_native_backup", "backup_retention"]
  },
  "inputs": [
    { "name": "s3_backup", "form": "object",
      "fields": { "endpoint": "s3-endpoint", "access_key": "s3-access-key", "access_secret": "s3-secret-key",
                  "bucket": "s3-bucket" },
      "implies_s3": "s3-endpoint" },
    { "name": "object_store_endpoint", "form": "value", "setting": "s3-endpoint", "implies_s3": "s3-endpoint",
      "enabled_by": { "input": "ff_native_backup", "default": true }, "replaces": true,
      "supplies": { "s3-bucket": "${name}-etcd-snapshots", "s3-access-key": null, "s3-secret-key": null } },
    { "name": "backup_schedule", "form": "value", "setting": "snapshot-schedule-cron" },
    { "name": "backup_retention", "form": "value", "setting": "snapshot-retention" }
  ],
  "settings_when": "s3-endpoint",
  "unsettable": ["s3-region", "s3-folder"],
  "defaults": { "snapshot-compress": "true" },
  "rendered": [
    { "resource": "openstack_compute_instance_v2.instance", "attribute": "user_data",
      "encoding": "sha1 of the cloud-init (the provider's state)", "evidence": false }
  ],
  "token": { "resource": "random_string.rke2_token" },
  "restore": { "auto": false },
  "identity": { "input": "name" },
  "sources": [
    "zifeo/terraform-openstack-rke2 v4.1.1 variables.tf: name, s3_backup (default all \"\"), backup_schedule, backup_retention (default null), object_store_endpoint (default \"\"), ff_native_backup (default true)",
    "zifeo/terraform-openstack-rke2 v4.1.1 main.tf, s3.tf: local.s3 is the module's container \"${var.name}-etcd-snapshots\" and EC2 credential with ff_native_backup and object_store_endpoint, else var.s3_backup",
    "zifeo/terraform-openstack-rke2 v4.1.1 node/cloud-init.yaml.tpl: etcd-s3-* only if s3.endpoint != \"\"; schedule, retention and etcd-snapshot-compress: true inside that block; no region, no folder",
    "zifeo/terraform-openstack-rke2 v4.1.1 node/main.tf: user_data of openstack_compute_instance_v2 (stored as sha1 by the provider); keys.tf: random_string.rke2_token",
    "docs.rke2.io reference/server_config: etcd-s3-region defaults to us-east-1"
  ]
}"##;
