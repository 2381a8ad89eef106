//! EB101 required-key-missing: one of the six keys k3s needs for S3 snapshots is absent.

use super::{Check, Context, Draft, Rule, Severity};
use crate::catalogue::REQUIRED;
use crate::model::{Backup, Cluster};

pub const RULE: Rule = Rule {
    id: "EB101",
    name: "required-key-missing",
    default: Severity::Deny,
    summary: "one of s3, s3-endpoint, s3-bucket, s3-access-key, s3-secret-key, s3-region is absent",
    doc: r#"# EB101 required-key-missing (deny)

## What
`etcd_backup` lacks one of the keys k3s needs to write snapshots to S3: `s3` (must be `"true"`),
`s3-endpoint`, `s3-bucket`, `s3-access-key`, `s3-secret-key`, `s3-region`. Fires only when the
key is known to be absent; a key whose value is unknown until apply is EB002 instead. A module that
has no way to set the region (its profile's `unsettable`, e.g. zifeo/terraform-openstack-rke2)
leaves k3s's default `us-east-1`: then EB101 fires only when the endpoint is an AWS endpoint in
another region, whose uploads are refused.

## Why it matters
Without them k3s takes its snapshots locally only (or fails to upload them) and says so only in
the node's log. Nobody notices until the cluster is recreated and the restore finds nothing.

## Fix
Add the missing key to the cluster's `etcd_backup`.

## Example
```hcl
etcd_backup = {
  s3            = "true"
  s3-endpoint   = "s3.us-east-1.amazonaws.com"
  s3-bucket     = "my-etcd-backups"   # was missing
  s3-folder     = "prod-cluster"
  s3-access-key = var.backup_access_key
  s3-secret-key = var.backup_secret_key
  s3-region     = "us-east-1"
}
```
"#,
    check: Check::Cluster(check),
};

/// The placeholder value a fix suggests for a missing key.
fn placeholder(key: &str) -> &'static str {
    match key {
        "s3" => "true",
        "s3-endpoint" => "s3.<region>.amazonaws.com",
        "s3-bucket" => "<bucket>",
        "s3-access-key" => "<from a sensitive variable>",
        "s3-secret-key" => "<from a sensitive variable>",
        _ => "<region>",
    }
}

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Backup::Keys(keys) = &c.backup else {
        return vec![];
    };
    REQUIRED
        .iter()
        .filter(|k| !keys.contains_key(**k))
        .filter_map(|k| {
            if *k == "s3-region" && !c.settable(k) {
                return region_default_wrong(c);
            }
            Some(Draft::new(
                c,
                Some(k),
                format!(
                    "{}: required key {} is missing from {}; k3s writes no snapshot to S3 without it and a restore would find nothing",
                    c.address,
                    c.written(k),
                    c.settings_input()
                ),
                format!("add {} to {}", c.example(k, placeholder(k)), c.settings_input()),
            ))
        })
        .collect()
}

/// A module with no way to set the region (zifeo) leaves k3s's default, `us-east-1`: right for
/// S3-compatible stores that take any region (OpenStack Swift's s3api defaults to it), wrong for
/// an AWS endpoint in another region, whose uploads are refused (kube-hetzner #1404: 301 until
/// the region is set).
fn region_default_wrong(c: &Cluster) -> Option<Draft> {
    let default = crate::catalogue::key("s3-region").and_then(|k| k.default).unwrap_or("us-east-1");
    let endpoint = c.key("s3-endpoint")?.known()?;
    let region = crate::endpoint::aws_region(endpoint).filter(|r| r != default)?;
    let module = c.profile().map(|p| p.module.as_str()).unwrap_or("the module");
    Some(Draft::new(
        c,
        Some("s3-region"),
        format!(
            "{}: {module} has no input for etcd-s3-region, so snapshots are signed for {default}, but the endpoint is in {region}: every upload is refused and a restore would find nothing",
            c.address
        ),
        format!("use a bucket in {default} (endpoint s3.amazonaws.com) or an S3-compatible store that accepts {default}; {module} cannot set another region"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn names_each_missing_key() {
        assert!(check(&cluster_with(COMPLETE), &Context::default()).is_empty());
        let partial: Vec<_> = COMPLETE.iter().copied().filter(|(k, _)| *k != "s3-bucket" && *k != "s3").collect();
        let keys: Vec<_> =
            check(&cluster_with(&partial), &Context::default()).into_iter().filter_map(|d| d.key).collect();
        assert_eq!(keys, vec!["s3", "s3-bucket"]);
    }

    #[test]
    fn silent_when_the_map_is_unresolved() {
        let mut c = cluster_with(&[]);
        c.backup = Backup::Unresolved { reason: "unknown".into() };
        assert!(check(&c, &Context::default()).is_empty());
    }

    /// The rule's table: (clusters as changes to a complete configuration, findings expected).
    #[test]
    fn table() {
        table::run(
            "EB101",
            &[
                case("complete", &[&[]], &[]),
                case("no bucket", &[&[("s3-bucket", None)]], &[(0, "s3-bucket", "required key s3-bucket is missing")]),
                case(
                    "no credentials, in catalogue order",
                    &[&[("s3-secret-key", None), ("s3-access-key", None)]],
                    &[(0, "s3-access-key", "is missing"), (0, "s3-secret-key", "is missing")],
                ),
                case("s3-folder is not required", &[&[("s3-folder", None)]], &[]),
                case("one finding per cluster", &[&[("s3-region", None)], &[]], &[(0, "s3-region", "is missing")]),
            ],
        );
    }
}
