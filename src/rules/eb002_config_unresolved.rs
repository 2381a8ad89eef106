//! EB002 config-unresolved: keys whose values the plan does not let us know.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::{Backup, Cluster, Provenance, TokenState, Value};

pub const RULE: Rule = Rule {
    id: "EB002",
    name: "config-unresolved",
    default: Severity::Warn,
    summary: "some keys of a cluster's etcd_backup or its token cannot be resolved from the plan",
    doc: r#"# EB002 config-unresolved (warn)

## What
The plan JSON does not carry module input values. When the `etcd_backup` map mixes literals and
references, Terraform records only the references, and the literal keys must be read back from
what the module rendered into its resources. When that rendering is unknown until apply (a first
create, where the user data also holds a load balancer's name), or a value comes from a resource
that does not exist yet, the key cannot be checked.

## Why it matters
A key that cannot be resolved is not checked: a missing bucket or a wrong flag would pass the gate
unseen. This finding never claims a key is missing; it says what could not be verified.

## Fix
Make the values knowable at plan time: pass literals or root variables, or plan again once the
resources that produce the values exist.

## Example
```hcl
etcd_backup = {
  s3-bucket = aws_s3_bucket.etcd.id   # unknown until the bucket is created
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let mut out = Vec::new();
    let draft = |key: Option<&str>, message: String, remediation: String| Draft::new(c, key, message, remediation);
    let input = c.settings_input();
    match &c.backup {
        Backup::Unresolved { reason } => out.push(draft(
            Some(&input),
            format!("{}: the keys of {input} cannot be resolved from the plan: {reason}; none of its keys is checked", c.address),
            if reason.contains("--config DIR") {
                format!("run the check with --config pointing at the root module's directory (the .tf files), or pass {input} from root variables")
            } else {
                format!("pass {input} as literals or root variables, or plan again once the values it depends on exist")
            },
        )),
        Backup::Keys(keys) => {
            // A credential the module makes itself (zifeo's EC2 credential) exists once applied:
            // there is nothing for the user to set or check.
            let module_made = |v: &crate::model::Resolved| matches!(v.provenance, Provenance::Module { .. }) && v.sensitive;
            let unknown: Vec<&str> = keys
                .iter()
                .filter(|(_, v)| v.value == Value::Unknown && !module_made(v))
                .map(|(k, _)| k.as_str())
                .collect();
            if !unknown.is_empty() {
                let list = unknown.join(", ");
                if c.notes.is_empty() {
                    out.push(draft(
                        Some(&list),
                        format!("{}: {input} key(s) {list} are unknown until apply and are not checked", c.address),
                        "make these values known at plan time (literals or root variables), or plan again after the resources they come from exist".into(),
                    ));
                } else {
                    out.push(draft(
                        Some(&list),
                        format!("{}: {input} key(s) {list} are unknown and are not checked: {}", c.address, c.notes.join("; ")),
                        if c.notes.iter().any(|n| n.contains("--workspace")) {
                            "pass the workspace the plan was made in with --workspace NAME (options.workspace in JS)".into()
                        } else {
                            "declare what holds them in this configuration (for a credential, the resource the cluster refers to), so the plan shows them".into()
                        },
                    ));
                }
            }
        }
        Backup::NotSet { .. } => {}
    }
    if let TokenState::Unresolved { reason } = &c.token.state {
        let token = c.token_input();
        out.push(draft(
            Some(token),
            format!("{}: {token} cannot be resolved from the plan: {reason}", c.address),
            format!("pass {token} from a root variable so the plan records it"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::model::{Provenance, Resolved};
    use crate::rules::test_support::*;

    #[test]
    fn lists_unknown_keys_and_not_known_ones() {
        let mut c = cluster_with(COMPLETE);
        if let Backup::Keys(k) = &mut c.backup {
            k.insert(
                "s3-bucket".into(),
                Resolved { value: Value::Unknown, provenance: Provenance::Configuration, sensitive: false },
            );
        }
        let d = check(&c, &Context::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].key.as_deref(), Some("s3-bucket"));
        assert!(check(&cluster_with(COMPLETE), &Context::default()).is_empty());
    }

    #[test]
    fn whole_map_unresolved() {
        let mut c = cluster_with(&[]);
        c.backup = Backup::Unresolved { reason: "x".into() };
        assert_eq!(check(&c, &Context::default())[0].key.as_deref(), Some("etcd_backup"));
    }

    #[test]
    fn table() {
        table::run("EB002", &[case("every key known", &[&[]], &[])]);
        let unknown_bucket = |cs: &mut Vec<Cluster>| {
            *cs = vec![crate::model::test_support::with_unknown(crate::model::test_support::COMPLETE, "s3-bucket")];
            cs[0].address = "module.c0".into();
        };
        table::run_with(
            "EB002",
            &Default::default(),
            unknown_bucket,
            &[case("a key unknown until apply", &[&[]], &[(0, "s3-bucket", "are unknown until apply and are not checked")])],
        );
        let unresolved = |cs: &mut Vec<Cluster>| cs[0].backup = Backup::Unresolved { reason: "it comes from module.x".into() };
        table::run_with(
            "EB002",
            &Default::default(),
            unresolved,
            &[case("the map unresolved", &[&[]], &[(0, "etcd_backup", "none of its keys is checked")])],
        );
    }
}
