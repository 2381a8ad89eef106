//! EB304 restore-location-changed: restore would read from another location than before.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::Cluster;
use crate::{location, settings};

pub const RULE: Rule = Rule {
    id: "EB304",
    name: "restore-location-changed",
    default: Severity::Deny,
    summary: "restore is enabled (or unknown) and the backup location differs from the prior state's",
    doc: r#"# EB304 restore-location-changed (deny)

## What
Restore is on — or unknown at plan time, which counts as on — and the backup location
(service, bucket, folder) differs from the one in the prior state.

## Why it matters
The cluster's snapshots are in the old location. Recreated now, the cluster restores from the new
one — empty, or someone else's — and comes up without its data; its new snapshots also start a
history that no longer reaches back.

## Fix
Keep the location while restore may happen; to move, copy the snapshots to the new location first,
or apply the move with `autorestore = "false"` and turn it back on once a snapshot exists there.

## Example
```hcl
etcd_backup = {
  s3-folder = "prod"   # unchanged; was about to become "prod-v2"
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    if !settings::restore_may_happen(c) {
        return vec![];
    }
    let (Some(now), Some(before)) = (location::of(c), c.prior.keys.as_ref().and_then(location::from_keys)) else {
        return vec![];
    };
    if *now == before {
        return vec![];
    }
    vec![Draft::new(
        c,
        Some("s3-folder"),
        format!(
            "{}: the backup location changes from {} to {} and {}: the snapshots are in the old location, so a recreated cluster would restore from the new one and come up without its data",
            c.address,
            before.key(),
            now.key(),
            settings::restore_phrase(c)
        ),
        "keep the old location, or copy the snapshots there first, or apply the move with autorestore = \"false\"",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    /// (current keys, prior keys, findings)
    #[test]
    fn fires_when_restore_may_happen_and_the_location_moved() {
        let moved = with(COMPLETE, "s3-folder", "f-v2");
        let prior = |keys: &[(&str, &str)]| match cluster_with(keys).backup {
            crate::model::Backup::Keys(k) => Some(k),
            _ => None,
        };
        let table: Vec<(crate::model::Cluster, usize)> = vec![
            (cluster_with(&moved), 1),
            (cluster_with(COMPLETE), 0),
            (cluster_with(&with(&moved, "autorestore", "false")), 0),
            (with_unknown(&with(&moved, "autorestore", "x"), "autorestore"), 1),
        ];
        for (mut c, want) in table {
            c.prior.keys = prior(COMPLETE);
            let d = check(&c, &Context::default());
            assert_eq!(d.len(), want, "{d:?}");
            if c.key("autorestore").is_some_and(|r| r.known().is_none()) {
                assert!(d[0].message.contains("unknown at plan time"));
            }
        }
    }
}
