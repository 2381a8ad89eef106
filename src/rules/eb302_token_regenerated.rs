//! EB302 token-regenerated: the token comes from a resource this plan creates or replaces.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::Cluster;
use crate::settings;

pub const RULE: Rule = Rule {
    id: "EB302",
    name: "token-regenerated",
    default: Severity::Deny,
    summary:
        "restore is enabled (or cannot be ruled out) and the token comes from a resource this plan creates or replaces",
    doc: r#"# EB302 token-regenerated (deny)

## What
Restore is on — or cannot be ruled out because the map is unknown until apply; the module
restores unless told otherwise — and the cluster token comes from a resource this plan creates or replaces — a
`random_password` that `terraform destroy` + `apply` made anew — or no token is passed, so the
module generates a new random one with the cluster.

## Why it matters
The recreated cluster restores snapshots written under the old token, which the new one cannot
decrypt. The restore fails exactly when the backup is needed.

## Fix
Keep the token outside the cluster's lifecycle: a secret store, a variable, or a
`random_password` in a separate, long-lived stack (or with `lifecycle { prevent_destroy = true }`).

## Example
```hcl
cluster_token = data.vault_kv_secret_v2.k3s.data["token"]   # was random_password.token.result
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    // The input's name (`k3s_token`), never its value.
    let input = c.token_phrase();
    // The module restores unless `autorestore` says otherwise: unknown counts as on here.
    if settings::restore_enabled(c) == Some(false) {
        return vec![];
    }
    let Some(by) = &c.token.regenerated_by else { return vec![] };
    vec![Draft::new(
        c,
        Some(c.token_input()),
        format!(
            "{}: {input} comes from {by}, which this plan creates anew, so the restored snapshots (written under the old token) cannot be decrypted{}",
            c.address,
            if settings::restore_enabled(c).is_none() { format!("; {}", settings::restore_phrase(c)) } else { String::new() }
        ),
        if c.profile().is_some_and(|p| p.is_resource()) {
            // Rancher restores a snapshot into the cluster object that took it.
            "restore into the existing cluster: do not create or replace it in the plan that restores (a new cluster object gets a new token)"
        } else {
            "take the token from a secret store or a long-lived variable instead of a resource created with the cluster"
        },
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};

    #[test]
    fn table() {
        let ctx = Context::default();
        table::run("EB302", &[case("a token from a variable", &[&[]], &[])]);
        let regenerated = |cs: &mut Vec<Cluster>| {
            cs.iter_mut().for_each(|c| c.token.regenerated_by = Some("random_password.token".into()))
        };
        table::run_with(
            "EB302",
            &ctx,
            regenerated,
            &[
                case("regenerated, restore on", &[&[]], &[(0, "cluster_token", "comes from random_password.token, which this plan creates anew")]),
                case("regenerated, restore off", &[&[("autorestore", Some("false"))]], &[]),
            ],
        );
    }
}
