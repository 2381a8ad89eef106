//! EB203 location-owned-elsewhere: the inventory says another cluster owns this location.

use super::eb201_shared_backup_location::located;
use super::{Check, Context, Draft, Rule, Severity};

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

## Why it matters
As for EB201/EB202: restores can pick the other cluster's snapshots and pruning can delete them —
across stacks, where nobody sees both plans.

## Fix
Choose a location of this cluster's own; keep the inventory current.

## Example
```json
{"etcd_backup": {"inventory": [
  {"cluster": "legacy-prod", "endpoint": "s3.eu-west-1.amazonaws.com", "bucket": "fleet-etcd", "folder": "prod"}
]}}
```
"#,
    check: Check::Fleet(check),
};

fn check(clusters: &[super::Cluster], ctx: &Context) -> Vec<Draft> {
    let mut out = Vec::new();
    for (c, l) in located(clusters) {
        for e in &ctx.inventory {
            if e.cluster == c.address || !l.overlaps(&e.location) {
                continue;
            }
            let how = if l == e.location {
                "the same location".to_string()
            } else if e.location.contains(&l) {
                format!("{}, which contains this cluster's", e.location.key())
            } else {
                format!("{}, which lies inside this cluster's", e.location.key())
            };
            out.push(Draft::new(
                c,
                Some("s3-folder"),
                format!(
                    "{}: backup location {} overlaps the inventory's {}: {} owns {how}; restores can pick the other cluster's snapshots and pruning can delete them",
                    c.address,
                    l.key(),
                    e.cluster,
                    e.cluster
                ),
                "choose a folder (or bucket) that no other cluster uses",
            ));
        }
    }
    out
}
