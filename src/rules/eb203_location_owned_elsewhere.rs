//! EB203 location-owned-elsewhere: the inventory says another cluster owns this location.

use std::collections::BTreeMap;

use super::{Check, Context, Draft, InventoryEntry, Rule, Severity};
use crate::location::{self, located, Location};

pub const RULE: Rule = Rule {
    id: "EB203",
    name: "location-owned-elsewhere",
    default: Severity::Deny,
    summary: "the inventory says another cluster owns this location or an overlapping one",
    doc: r#"# EB203 location-owned-elsewhere (deny)

## What
The data document's `etcd_backup.inventory` lists backup locations owned by clusters outside the
plans evaluated (other stacks, other teams, clusters not managed by Terraform). This cluster's
location is the same as one of them, inside one, or contains one.

An entry is skipped only when it is this very cluster: the same `stack` and `cluster`. The
current stack is named by `--stack NAME` (JS: `options.stack`) or by a Spacelift-wrapped plan's
stack id. The same address alone is never identity (`module.k8s` is in every stack), and an entry
without a stack, or a run without one, is never this cluster. `etcd-backup-policy inventory`
writes the entries from the stacks' plans or states.

## Why it matters
As for EB201/EB202: restores can pick the other cluster's snapshots and pruning can delete them —
across stacks, where nobody sees both plans.

## Fix
Choose a location of this cluster's own; keep the inventory current.

## Example
```json
{"etcd_backup": {"inventory": [
  {"stack": "legacy", "cluster": "module.k8s", "endpoint": "s3.eu-west-1.amazonaws.com", "bucket": "fleet-etcd", "folder": "prod"}
]}}
```
"#,
    check: Check::Fleet(check),
};

/// The inventory entries whose location overlaps `l`: the same location, an ancestor of it, or
/// one inside it — looked up in the entries ordered by location, not by scanning them all.
fn overlapping<'i>(
    by_location: &'i BTreeMap<Location, Vec<&'i InventoryEntry>>,
    l: &Location,
) -> Vec<&'i InventoryEntry> {
    let mut out: Vec<&InventoryEntry> = Vec::new();
    for a in location::ancestors(l).iter().chain([l]) {
        out.extend(by_location.get(a).into_iter().flatten());
    }
    let prefix = if l.folder.is_empty() { String::new() } else { format!("{}/", l.folder) };
    let start = Location { service: l.service.clone(), bucket: l.bucket.clone(), folder: prefix.clone() };
    for (k, entries) in by_location.range(start..) {
        if k.service != l.service || k.bucket != l.bucket || !k.folder.starts_with(&prefix) {
            break;
        }
        if k.folder != l.folder {
            out.extend(entries);
        }
    }
    out
}

fn check(clusters: &[super::Cluster], ctx: &Context) -> Vec<Draft> {
    let mut by_location: BTreeMap<Location, Vec<&InventoryEntry>> = BTreeMap::new();
    for e in &ctx.inventory {
        by_location.entry(e.location.clone()).or_default().push(e);
    }
    let mut out = Vec::new();
    for (c, l) in located(clusters) {
        for e in overlapping(&by_location, l) {
            let owner = match &e.stack {
                Some(s) => format!("{} (stack {s})", e.cluster),
                None => e.cluster.clone(),
            };
            // Only this very cluster — the same stack and address — is skipped: `module.k8s` is
            // in every stack, and an entry or a plan without a stack is never the same cluster.
            let itself = e.cluster == c.address && e.stack.is_some() && e.stack == c.stack;
            if itself || !l.overlaps(&e.location) {
                continue;
            }
            let how = if *l == e.location {
                "the same location".to_string()
            } else if e.location.contains(l) {
                format!("{}, which contains this cluster's", e.location.key())
            } else {
                format!("{}, which lies inside this cluster's", e.location.key())
            };
            out.push(Draft::new(
                c,
                Some("s3-folder"),
                format!(
                    "{}: backup location {} overlaps the inventory's {owner}: {owner} owns {how}; restores can pick the other cluster's snapshots and pruning can delete them",
                    c.address,
                    l.key(),
                ),
                if e.cluster == c.address {
                    "choose a folder (or bucket) that no other cluster uses; if the entry is this very cluster, name the stack with --stack NAME (the inventory's entries are identified by stack and address)"
                } else {
                    "choose a folder (or bucket) that no other cluster uses"
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

    fn owned(cluster: &str, stack: Option<&str>, folder: &str) -> InventoryEntry {
        InventoryEntry {
            stack: stack.map(str::to_string),
            cluster: cluster.into(),
            location: Location { service: "aws".into(), bucket: "b".into(), folder: folder.into() },
        }
    }

    #[test]
    fn table() {
        let ctx = Context {
            inventory: vec![owned("module.k8s", Some("other"), "f"), owned("module.c0", Some("this"), "mine")],
            ..Context::default()
        };
        let in_stack = |cs: &mut Vec<super::super::Cluster>| cs.iter_mut().for_each(|c| c.stack = Some("this".into()));
        table::run_with(
            "EB203",
            &ctx,
            in_stack,
            &[
                case(
                    "owned by a cluster of another stack",
                    &[&[]],
                    &[(0, "s3-folder", "overlaps the inventory's module.k8s (stack other): module.k8s (stack other) owns the same location")],
                ),
                case("its own entry", &[&[("s3-folder", Some("mine"))]], &[]),
                case("free", &[&[("s3-folder", Some("free"))]], &[]),
                case("inside an owned location", &[&[("s3-folder", Some("f/sub"))]], &[(0, "s3-folder", "which contains this cluster's")]),
            ],
        );
    }
}
