//! EB202 overlapping-backup-location: one cluster's folder lies inside another's.

use super::{Check, Context, Draft, Rule, Severity};
use crate::location::{self, located, snapshot_name};

pub const RULE: Rule = Rule {
    id: "EB202",
    name: "overlapping-backup-location",
    default: Severity::Deny,
    summary: "one cluster's location is a prefix of another's (nested folder, or bucket root)",
    doc: r#"# EB202 overlapping-backup-location (deny)

## What
One cluster's folder lies inside another cluster's folder in the same bucket (`prod` and
`prod/west`), or one cluster writes to the bucket root while another uses a folder of it.

## Why it matters
The module's auto-restore lists `<folder>/` **recursively** (no delimiter) for the newest
object: the cluster at `prod` restores the newest snapshot under `prod/west/` too — another
cluster's data — and a cluster at the bucket root the newest object of every folder.
k3s's S3 pruning lists `<folder>/<snapshot-name>` recursively; when a nested folder's name starts
with the outer cluster's snapshot name (a root cluster and a folder `etcd-snapshot-b/`), the outer
cluster's pruning deletes the nested cluster's snapshots.

## Fix
Use sibling folders, none inside another: `prod-eu` and `prod-us` instead of `prod` and
`prod/us`; no cluster at the bucket root.

## Example
```hcl
etcd_backup = {
  s3-folder = "prod-west"   # was "prod/west" beside a cluster at "prod"
}
```
"#,
    check: Check::Fleet(check),
};

fn check(clusters: &[super::Cluster], _: &Context) -> Vec<Draft> {
    let located = located(clusters);
    // Clusters by location; each inner location looks up its ancestor folders (the bucket root
    // included): linear in clusters × folder depth, not pairwise.
    let mut by_location: std::collections::HashMap<&location::Location, Vec<usize>> = std::collections::HashMap::new();
    for (i, (_, l)) in located.iter().enumerate() {
        by_location.entry(l).or_default().push(i);
    }
    let mut pairs = Vec::new();
    for (j, (_, il)) in located.iter().enumerate() {
        for ancestor in location::ancestors(il) {
            for &i in by_location.get(&&ancestor).into_iter().flatten() {
                pairs.push((i, j));
            }
        }
    }
    crate::order::sort_by(&mut pairs, Ord::cmp);
    let mut out = Vec::new();
    for (i, j) in pairs {
        let ((outer, ol), (inner, il)) = (&located[i], &located[j]);
        {
            let name = |c: &super::Cluster| {
                if c.plan == outer.plan {
                    c.address.clone()
                } else {
                    format!("{} ({})", c.address, c.plan)
                }
            };
            let prune = location::prune_prefix(ol, snapshot_name(outer));
            let pruning = if il.folder.starts_with(&prune)
                || (ol.folder.is_empty() && il.folder.starts_with(snapshot_name(outer)))
            {
                format!(", and its S3 pruning (objects under {prune}) deletes {}'s snapshots", name(inner))
            } else {
                String::new()
            };
            let fix = "use sibling folders, none inside another (e.g. prod-eu and prod-us instead of prod and prod/us), and no cluster at the bucket root";
            out.push(Draft::new(
                outer,
                Some("s3-folder"),
                format!(
                    "{}: backup location {} contains {}'s ({}): the module's auto-restore lists {} recursively and can restore {}'s newest snapshot instead of its own{pruning}",
                    outer.address,
                    ol.key(),
                    name(inner),
                    il.key(),
                    location::restore_prefix(ol),
                    name(inner),
                ),
                fix,
            ));
            out.push(Draft::new(
                inner,
                Some("s3-folder"),
                format!(
                    "{}: backup location {} lies inside {}'s ({}): that cluster's auto-restore lists {} recursively and can restore this cluster's snapshots{}",
                    inner.address,
                    il.key(),
                    name(outer),
                    ol.key(),
                    location::restore_prefix(ol),
                    if pruning.is_empty() { String::new() } else { ", and its pruning deletes them".to_string() },
                ),
                fix,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::table::{self, case};

    #[test]
    fn table() {
        table::run(
            "EB202",
            &[
                case("siblings", &[&[("s3-folder", Some("a"))], &[("s3-folder", Some("b"))]], &[]),
                case(
                    "nested folder",
                    &[&[("s3-folder", Some("prod"))], &[("s3-folder", Some("prod/eu"))]],
                    &[(0, "s3-folder", "contains module.c1's"), (1, "s3-folder", "lies inside module.c0's")],
                ),
                case(
                    "the bucket root holds every folder",
                    &[&[("s3-folder", Some(""))], &[("s3-folder", Some("x"))]],
                    &[(0, "s3-folder", "contains module.c1's"), (1, "s3-folder", "lies inside module.c0's")],
                ),
                case("a prefix that is not a folder", &[&[("s3-folder", Some("prod"))], &[("s3-folder", Some("production"))]], &[]),
                case("the same folder is EB201's", &[&[], &[]], &[]),
            ],
        );
    }
}
