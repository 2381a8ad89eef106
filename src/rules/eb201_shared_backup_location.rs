//! EB201 shared-backup-location: two clusters write to the same location.

use std::collections::BTreeMap;

use super::{Check, Context, Draft, Rule, Severity};
use crate::location::{self, located, snapshot_name, Location};
use crate::model::Cluster;

pub const RULE: Rule = Rule {
    id: "EB201",
    name: "shared-backup-location",
    default: Severity::Deny,
    summary: "two clusters (in the plans evaluated) resolve to the same backup location",
    doc: r#"# EB201 shared-backup-location (deny)

## What
Two clusters — in one plan, across `for_each`/`count` instances, or across several plans given
together — write snapshots to the same location: the same S3 service, bucket and folder.
Every `*.amazonaws.com` endpoint is one service (bucket names are global there).

## Why it matters
- **Restore**: the module's auto-restore picks the newest object under `<folder>/`. With two
  clusters there, a recreated cluster can come up with the *other* cluster's data.
- **Pruning**: k3s prunes S3 by listing every object under `<folder>/<snapshot-name>`
  (k3s `pkg/etcd/s3/s3.go`, `SnapshotRetention`) across all nodes and keeps only the newest
  N — of both clusters together. The cluster that snapshots less often loses its snapshots.

## Fix
Give every cluster its own `s3-folder` (or bucket).

## Example
```hcl
module "k8s" {
  for_each = var.clusters
  etcd_backup = {
    s3-bucket = "fleet-etcd"
    s3-folder = each.key   # was one folder for all
  }
}
```
"#,
    check: Check::Fleet(check),
};

/// How many other clusters a message names before it counts the rest.
pub(crate) const MAX_NAMED: usize = 5;

fn check(clusters: &[Cluster], _: &Context) -> Vec<Draft> {
    let mut groups: BTreeMap<&Location, Vec<&Cluster>> = BTreeMap::new();
    for (c, l) in located(clusters) {
        groups.entry(l).or_default().push(c);
    }
    let mut out = Vec::new();
    for (loc, members) in groups.iter().filter(|(_, m)| m.len() > 1) {
        for c in members {
            // Messages name a few of the others and count the rest: the report stays linear in
            // the clusters even when thousands share one location.
            let mut others: Vec<String> = members
                .iter()
                .filter(|o| !std::ptr::eq(**o, *c))
                .take(MAX_NAMED + 1)
                .map(|o| if o.plan == c.plan { o.address.clone() } else { format!("{} ({})", o.address, o.plan) })
                .collect();
            if members.len() - 1 > MAX_NAMED {
                others.truncate(MAX_NAMED);
                others.push(format!("{} more clusters", members.len() - 1 - MAX_NAMED));
            }
            out.push(Draft::new(
                c,
                Some("s3-folder"),
                format!(
                    "{}: backup location {} is also used by {}: {} the newest snapshot under {}, which may be another cluster's, and k3s's S3 pruning keeps only the newest snapshots under {} of all these clusters together, deleting the others'",
                    c.address,
                    loc.key(),
                    others.join(", "),
                    if c.auto_restore() { "auto-restore takes" } else { "a restore lists snapshots by prefix and may take" },
                    location::restore_prefix(loc),
                    location::prune_prefix(loc, snapshot_name(c)),
                ),
                if c.settable("s3-folder") {
                    "give every cluster its own s3-folder (e.g. its name) or bucket".to_string()
                } else {
                    let module = c.profile().map(|p| p.module.as_str()).unwrap_or("the module");
                    format!("give every cluster its own bucket ({module} has no folder input)")
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};

    #[test]
    fn table() {
        table::run(
            "EB201",
            &[
                case("own folders", &[&[("s3-folder", Some("a"))], &[("s3-folder", Some("b"))]], &[]),
                case(
                    "one folder, two clusters: each names the other",
                    &[&[], &[]],
                    &[(0, "s3-folder", "aws/b/f is also used by module.c1"), (1, "s3-folder", "also used by module.c0")],
                ),
                case(
                    "the same folder written differently",
                    &[&[("s3-folder", Some("f/"))], &[("s3-endpoint", Some("s3.eu-west-1.amazonaws.com"))]],
                    &[(0, "s3-folder", "also used by module.c1"), (1, "s3-folder", "also used by module.c0")],
                ),
                case(
                    "other buckets",
                    &[&[("s3-bucket", Some("one"))], &[("s3-bucket", Some("two"))]],
                    &[],
                ),
            ],
        );
    }

    #[test]
    fn many_clusters_name_five_others_and_a_count() {
        let eight: &[table::Changes] = &[&[], &[], &[], &[], &[], &[], &[], &[]];
        table::run_with(
            "EB201",
            &Context::default(),
            |_| {},
            &[case(
                "eight in one location",
                eight,
                &[
                    (0, "s3-folder", ", 2 more clusters:"),
                    (1, "s3-folder", ", 2 more clusters:"),
                    (2, "s3-folder", ", 2 more clusters:"),
                    (3, "s3-folder", ", 2 more clusters:"),
                    (4, "s3-folder", ", 2 more clusters:"),
                    (5, "s3-folder", ", 2 more clusters:"),
                    (6, "s3-folder", ", 2 more clusters:"),
                    (7, "s3-folder", ", 2 more clusters:"),
                ],
            )],
        );
    }
}
