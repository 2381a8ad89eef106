//! EB303 token-unverified: a created cluster restores, and nothing confirms its token.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::{Action, Cluster, TokenState, Value};
use crate::{location, settings};

pub const RULE: Rule = Rule {
    id: "EB303",
    name: "token-unverified",
    default: Severity::Warn,
    summary: "restore is enabled (or unknown) on a created/replaced cluster and no prior state or baseline can confirm the token, or the token is unknown until apply",
    doc: r#"# EB303 token-unverified (warn)

## What
The plan creates (or replaces) a cluster with restore on (or unknown at plan time, which counts
as on), and neither a prior state — its own, or that of a cluster deleted or renamed in the same
plan that wrote to the same location — nor a baseline fingerprint for its backup location lets
the gate check that its token is the one the snapshots were written with.

Also, for any cluster the plan keeps (created, replaced, updated or unchanged) with restore on:
its token is unknown until apply and no resource this plan creates or replaces explains why
(EB302's case), or the prior state shows the token and after this plan it cannot be told. An
unknown token cannot be compared with anything, so it never passes silently.

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
    // The input's name (`k3s_token`), never its value.
    let input = c.token_phrase();
    if !settings::restore_may_happen(c) || c.action == Action::Delete || c.token.regenerated_by.is_some() {
        return vec![];
    }
    // Known to be unknown until apply: nothing can confirm it, whatever the plan does.
    if let TokenState::Resolved(r) = &c.token.state {
        if r.value == Value::Unknown {
            return vec![Draft::new(
                c,
                Some(c.token_input()),
                format!(
                    "{}: {input} ({}) is unknown until apply and {}, so nothing can confirm that it is the token the snapshots were written with",
                    c.address,
                    r.provenance.describe(),
                    settings::restore_phrase(c)
                ),
                "make the token known at plan time (a variable filled from a secret store), or check again once what it depends on exists",
            )];
        }
    }
    // Known before this plan, not known after it: the module renders something new where the
    // token was, and nothing tells it is the same token.
    if let TokenState::Unresolved { reason } = &c.token.state {
        if c.prior.token.as_ref().is_some_and(|t| t.known().is_some()) {
            return vec![Draft::new(
                c,
                Some(c.token_input()),
                format!(
                    "{}: the prior state shows its token, but after this plan it cannot be told ({reason}) and {}, so nothing confirms that the token stays the one the snapshots were written with",
                    c.address,
                    settings::restore_phrase(c)
                ),
                "pass cluster_token from a root variable (filled from a secret store) so the plan records it, or run the check with --config",
            )];
        }
    }
    if !matches!(c.action, Action::Create | Action::Replace) {
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
        Some(c.token_input()),
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
        let unknown = |cs: &mut Vec<Cluster>| {
            for c in cs.iter_mut() {
                c.action = Action::Update;
                c.token.state = TokenState::Resolved(crate::model::Resolved {
                    value: Value::Unknown,
                    provenance: crate::model::Provenance::Configuration,
                    sensitive: true,
                });
            }
        };
        table::run_with(
            "EB303",
            &ctx,
            unknown,
            &[
                case("an updated cluster whose token is unknown until apply", &[&[]], &[(0, "cluster_token", "is unknown until apply")]),
                case("the same with restore off", &[&[("autorestore", Some("false"))]], &[]),
            ],
        );
    }
}
