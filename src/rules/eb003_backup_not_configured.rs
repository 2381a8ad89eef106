//! EB003 backup-not-configured: a cluster without `etcd_backup`.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::{Backup, Cluster};

pub const RULE: Rule = Rule {
    id: "EB003",
    name: "backup-not-configured",
    default: Severity::Warn,
    summary: "a cluster has etcd_backup null, absent or empty",
    doc: r#"# EB003 backup-not-configured (warn)

## What
The cluster's `etcd_backup` is null, not passed, or an empty map.

## Why it matters
k3s then keeps its snapshots only on the control-plane nodes' disks. When the nodes go, the
snapshots go with them, and a recreated cluster starts empty: there is nothing to restore.

## Fix
Configure S3 snapshots for the cluster.

## Example
```hcl
etcd_backup = {
  s3            = "true"
  s3-endpoint   = "s3.us-east-1.amazonaws.com"
  s3-bucket     = "my-etcd-backups"
  s3-folder     = "prod-cluster"
  s3-access-key = var.backup_access_key
  s3-secret-key = var.backup_secret_key
  s3-region     = "us-east-1"
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    match &c.backup {
        Backup::NotSet { .. } => {
            let input = c.settings_input();
            // Keys the module implies or cannot take (zifeo: s3, region, folder) are not asked for.
            let keys: Vec<String> = ["s3", "s3-endpoint", "s3-bucket", "s3-folder", "s3-access-key", "s3-secret-key", "s3-region"]
                .iter()
                .filter(|k| c.settable(k) && !(**k == "s3" && c.implies_s3()))
                .map(|k| c.written(k))
                .collect();
            vec![Draft::new(
                c,
                Some(&input),
                format!(
                    "{}: {input} is not set, so etcd snapshots never leave the nodes and a recreated cluster has nothing to restore",
                    c.address
                ),
                format!("set {input} with {}", keys.join(", ")),
            )]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn fires_only_without_a_map() {
        let mut c = cluster_with(COMPLETE);
        assert!(check(&c, &Context::default()).is_empty());
        c.backup = Backup::NotSet { provenance: None };
        assert_eq!(check(&c, &Context::default()).len(), 1);
    }

    #[test]
    fn table() {
        let not_set = |cs: &mut Vec<Cluster>| cs[0].backup = Backup::NotSet { provenance: None };
        table::run_with("EB003", &Default::default(), |_| {}, &[case("configured", &[&[]], &[])]);
        table::run_with(
            "EB003",
            &Default::default(),
            not_set,
            &[case("not set", &[&[]], &[(0, "etcd_backup", "snapshots never leave the nodes")])],
        );
    }
}
