//! EB113 restore-without-folder: auto-restore on, `s3-folder` unset.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::{Backup, Cluster};
use crate::settings;

pub const RULE: Rule = Rule {
    id: "EB113",
    name: "restore-without-folder",
    default: Severity::Deny,
    summary: "restore is on (or unknown) and s3-folder is unset: the module's restore looks under the prefix null/",
    doc: r#"# EB113 restore-without-folder (deny)

## What
Restore is on (`autorestore` absent or `"true"`, or `cluster-reset-restore-path` set) — or
unknown at plan time, which counts as on — and `s3-folder` is not set.

## Why it matters
k3s itself writes snapshots to the bucket root when no folder is set, but the module's restore
step builds its lookup prefix from the folder: an unset folder becomes the literal prefix
`null/`, which holds nothing. A recreated cluster starts empty although its snapshots are in the
bucket. (At the bucket root the cluster's snapshots would also overlap every other cluster's,
EB202.)

## Fix
Give each cluster its own folder.

## Example
```hcl
etcd_backup = {
  s3-folder = "prod-eu-west"   # was not set
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    // Only a map whose keys are known can be known to lack the folder. The `null/` prefix is
    // zcompute-k8s's own restore; k3s's restore of a named snapshot reads the bucket root.
    if !c.auto_restore() || !settings::restore_may_happen(c) || !matches!(c.backup, Backup::Keys(_)) || c.key("s3-folder").is_some() {
        return vec![];
    }
    vec![Draft::new(
        c,
        Some("s3-folder"),
        format!(
            "{}: {} but s3-folder is not set: the module's restore looks for snapshots under the prefix null/ and finds nothing, so a recreated cluster starts empty",
            c.address,
            settings::restore_phrase(c)
        ),
        "set s3-folder to a folder of this cluster's own, e.g. its name",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn needs_restore_and_no_folder() {
        let ctx = Context::default();
        let no_folder: Vec<_> = COMPLETE.iter().copied().filter(|(k, _)| *k != "s3-folder").collect();
        assert_eq!(check(&cluster_with(&no_folder), &ctx).len(), 1);
        assert!(check(&cluster_with(&with(&no_folder, "autorestore", "false")), &ctx).is_empty());
        assert!(check(&cluster_with(COMPLETE), &ctx).is_empty());
        let d = check(&with_unknown(&with(&no_folder, "autorestore", "x"), "autorestore"), &ctx);
        assert!(d.len() == 1 && d[0].message.contains("unknown at plan time"), "{d:?}");
    }

    #[test]
    fn table() {
        table::run(
            "EB113",
            &[
                case("folder set", &[&[]], &[]),
                case("no folder, restore on by default", &[&[("s3-folder", None)]], &[(0, "s3-folder", "restore is on but s3-folder is not set")]),
                case("no folder, restore off", &[&[("s3-folder", None), ("autorestore", Some("false"))]], &[]),
                case(
                    "no folder, a named restore",
                    &[&[("s3-folder", None), ("autorestore", Some("false")), ("cluster-reset-restore-path", Some("etcd-snapshot-a-1732406400"))]],
                    &[(0, "s3-folder", "prefix null/")],
                ),
            ],
        );
    }
}
