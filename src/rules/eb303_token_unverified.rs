//! EB303 token-unverified: a created cluster restores, and nothing confirms its token.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::{Action, Cluster};
use crate::{location, settings};

pub const RULE: Rule = Rule {
    id: "EB303",
    name: "token-unverified",
    default: Severity::Warn,
    summary: "restore is enabled (or unknown) on a created/replaced cluster and no prior state or baseline can confirm the token",
    doc: r#"# EB303 token-unverified (warn)

## What
The plan creates (or replaces) a cluster with restore on (or unknown at plan time, which counts
as on), and neither a prior state — its own, or that of a cluster deleted or renamed in the same
plan that wrote to the same location — nor a baseline fingerprint for its backup location lets
the gate check that its token is the one the snapshots were written with.

## Why it matters
If the location holds snapshots from an earlier incarnation of the cluster, they restore only
with that token (see EB301).

## Fix
Record a baseline when the cluster is healthy and pass it to the gate:
`etcd-backup-policy fingerprint plan.json --merge baseline.json > baseline.json`, then
`check --data baseline.json`. For a genuinely new cluster with an empty location, turn this rule
off for that run or accept the warning.

## Example
```sh
etcd-backup-policy fingerprint plan.json > baseline.json
etcd-backup-policy check plan.json --data baseline.json
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, ctx: &Context) -> Vec<Draft> {
    if !settings::restore_may_happen(c) || !matches!(c.action, Action::Create | Action::Replace) {
        return vec![];
    }
    // A regenerated token is EB302's: that is already worse than unverified. A prior token — its
    // own, or that of a deleted cluster that wrote to this location — is EB301's to compare.
    if c.token.regenerated_by.is_some() || c.prior_tokens().next().is_some() {
        return vec![];
    }
    if location::of(c).is_some_and(|l| ctx.baseline.contains_key(&l.key())) {
        return vec![];
    }
    vec![Draft::new(
        c,
        Some("cluster_token"),
        format!(
            "{}: this plan {}s the cluster and {}, and no prior state or baseline confirms that its token is the one its snapshots were written with",
            c.address,
            c.action.as_str(),
            settings::restore_phrase(c)
        ),
        "record a baseline with `etcd-backup-policy fingerprint` while the cluster is healthy and pass it with --data",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};

    #[test]
    fn table() {
        let ctx = Context::default();
        table::run_with(
            "EB303",
            &ctx,
            table::tokens("t", None),
            &[
                case("created, restore on, nothing to compare", &[&[]], &[(0, "cluster_token", "this plan creates the cluster and restore is on")]),
                case("created, restore off", &[&[("autorestore", Some("false"))]], &[]),
            ],
        );
        table::run_with("EB303", &ctx, table::tokens("t", Some("t")), &[case("a prior token (EB301's)", &[&[]], &[])]);
    }
}
