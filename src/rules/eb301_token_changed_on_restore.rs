//! EB301 token-changed-on-restore: the token differs from the one the snapshots were written with.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::Cluster;
use crate::{fingerprint, location, settings};

pub const RULE: Rule = Rule {
    id: "EB301",
    name: "token-changed-on-restore",
    default: Severity::Deny,
    summary: "restore is enabled (or unknown) and the token differs from the one its location was written with: prior state, a deleted or renamed cluster's, or the baseline",
    doc: r#"# EB301 token-changed-on-restore (deny)

## What
Restore is on — or unknown at plan time, which counts as on: the module restores unless
`autorestore` is known to be something other than `"true"` — and the cluster token this plan
sets differs from the token the snapshots at its location were written with:
- the token in its own prior state (what the module rendered before);
- the token of a cluster this plan deletes or renames away (module call renamed, `for_each` key
  changed) whose prior location is this cluster's location — a location keeps its token;
- the baseline fingerprint recorded for the location (`etcd-backup-policy fingerprint`).

Tokens are compared, never shown: the baseline holds only `sha256(location ‖ token)`.

## Why it matters
k3s encrypts its bootstrap data with a key derived from the token and stores it under
`/bootstrap/<sha256(token)[:12]>`. A cluster restored with another token cannot read it:
"bootstrap data already found and encrypted with different token". The restore fails in the
middle of an outage.

## Fix
Keep the token that wrote the snapshots: pass it from a secret store rather than generating it;
if it must change, rotate it with `k3s token rotate` on the running cluster first, then record
a new baseline.

## Example
```hcl
cluster_token = var.cluster_token   # the same value the snapshots were written with
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, ctx: &Context) -> Vec<Draft> {
    // The input's name (`k3s_token`), never its value.
    let input = c.token_phrase();
    if !settings::restore_may_happen(c) {
        return vec![];
    }
    let Some(token) = c.token_value() else { return vec![] };
    let mut out = Vec::new();
    let fix = "restore with the token the snapshots were written with (pass it from a secret store), or rotate it on the running cluster with `k3s token rotate` and record a new baseline";
    let restore = settings::restore_phrase(c);
    for (prior, by) in c.prior_tokens() {
        if prior == token {
            continue;
        }
        let whose = match by {
            None => "the token in the prior state".to_string(),
            Some(p) => format!(
                "the token of {}{}, which this plan deletes and which wrote the snapshots at the same location",
                p.address,
                if p.plan == c.plan { String::new() } else { format!(" ({})", p.plan) }
            ),
        };
        out.push(Draft::new(
            c,
            Some(c.token_input()),
            format!(
                "{}: {restore} and {input} differs from {whose}; the snapshots were encrypted with the old one and a restore fails with \"bootstrap data already found and encrypted with different token\"",
                c.address
            ),
            fix,
        ));
    }
    if let Some(loc) = location::of(c) {
        if let Some(recorded) = ctx.baseline.get(&loc.key()) {
            if *recorded != fingerprint::of(loc, token) {
                out.push(Draft::new(
                    c,
                    Some(c.token_input()),
                    format!(
                        "{}: {restore} and {input} does not match the baseline fingerprint recorded for {}; the snapshots there were written with another token and a restore cannot decrypt them",
                        c.address,
                        loc.key()
                    ),
                    fix,
                ));
            }
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
        let ctx = Context::default();
        table::run_with("EB301", &ctx, table::tokens("t1", Some("t1")), &[case("the same token", &[&[]], &[])]);
        table::run_with(
            "EB301",
            &ctx,
            table::tokens("t2", Some("t1")),
            &[
                case("another token, restore on", &[&[]], &[(0, "cluster_token", "restore is on and cluster_token differs from the token in the prior state")]),
                case("another token, restore off", &[&[("autorestore", Some("false"))]], &[]),
            ],
        );
        table::run_with("EB301", &ctx, table::tokens("t2", None), &[case("no prior token (EB303's)", &[&[]], &[])]);
    }

    #[test]
    fn the_message_never_holds_a_token() {
        let mut cs = table::clusters(&[&[]]);
        table::tokens("new-secret-token", Some("old-secret-token"))(&mut cs);
        let d = check(&cs[0], &Context::default());
        assert_eq!(d.len(), 1);
        assert!(!d[0].message.contains("secret-token") && !d[0].remediation.contains("secret-token"));
    }
}
