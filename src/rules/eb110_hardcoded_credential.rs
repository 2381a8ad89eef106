//! EB110 hardcoded-credential: an S3 credential written into the configuration.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::{Cluster, Provenance};

pub const RULE: Rule = Rule {
    id: "EB110",
    name: "hardcoded-credential",
    default: Severity::Deny,
    summary: "an access/secret key is a literal in configuration (deny) or comes from a root variable not declared sensitive (warn)",
    doc: r#"# EB110 hardcoded-credential (deny; warn for non-sensitive variables)

## What
`s3-access-key`, `s3-secret-key` or `s3-session-token` — or a URL with a password in it
(`s3-proxy = "http://user:password@proxy:3128"`, `s3-endpoint`) — is written as a literal in the
configuration (deny), or comes from a root variable that is not declared `sensitive = true`
(warn: Terraform then prints it in plan output and logs). With `--config`, each key is judged by
where the configuration writes it, also when the module renders the map into a resource whose
values the plan marks sensitive.

## Why it matters
A literal lands in version control, in every plan file and in CI logs; whoever reads them can
read — and delete — every snapshot in the bucket.

## Fix
Pass credentials through a variable declared `sensitive = true`, filled from a secret store or
`TF_VAR_...` environment variables; better, short-lived credentials.

## Example
```hcl
variable "backup_secret_key" {
  type      = string
  sensitive = true
}

etcd_backup = {
  s3-secret-key = var.backup_secret_key   # was a literal
}
```
"#,
    check: Check::Cluster(check),
};

const CREDENTIALS: &[&str] = &["s3-access-key", "s3-secret-key", "s3-session-token"];

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let mut out = Vec::new();
    // The credential keys, then every other key whose value carries credentials in a URL.
    let mut keys: Vec<&str> = CREDENTIALS.to_vec();
    if let crate::model::Backup::Keys(all) = &c.backup {
        keys.extend(
            all.iter()
                .filter(|(k, r)| !CREDENTIALS.contains(&k.as_str()) && r.known().is_some_and(crate::redact::has_url_credentials))
                .map(|(k, _)| k.as_str()),
        );
    }
    for k in &keys {
        let k = *k;
        let Some(r) = c.key(k) else { continue };
        if r.known().is_none() {
            continue;
        }
        match &r.provenance {
            // A value computed from references (a `for` over variables) is not a literal: which
            // reference gave it cannot be told, so it is not called one.
            Provenance::Configuration | Provenance::ConfigurationFile { computed: false, .. } => out.push(
                Draft::new(
                    c,
                    Some(k),
                    format!(
                        "{}: {k} is a literal {}, so it is in version control, plan files and logs",
                        c.address,
                        match &r.provenance {
                            Provenance::ConfigurationFile { file, line, .. } => format!("at {file}:{line}"),
                            _ => "in the module call".into(),
                        }
                    ),
                    format!("pass {k} from a variable declared sensitive = true, filled from a secret store"),
                )
                .with_severity(Severity::Deny),
            ),
            Provenance::Variable { name, declared_sensitive: false } => out.push(
                Draft::new(
                    c,
                    Some(k),
                    format!("{}: {k} comes from var.{name}, which is not declared sensitive, so Terraform shows it in plan output and logs", c.address),
                    format!("declare variable \"{name}\" with sensitive = true"),
                )
                .with_severity(Severity::Warn),
            ),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::model::{Backup, Resolved, Value};
    use crate::rules::test_support::*;

    fn with_provenance(p: Provenance) -> Cluster {
        let mut c = cluster_with(COMPLETE);
        if let Backup::Keys(k) = &mut c.backup {
            for v in k.values_mut() {
                *v = Resolved { value: v.value.clone(), provenance: p.clone(), sensitive: true };
            }
        }
        c
    }

    #[test]
    fn literal_denies_plain_variable_warns_sensitive_variable_passes() {
        let ctx = Context::default();
        let d = check(&with_provenance(Provenance::Configuration), &ctx);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].severity, Some(Severity::Deny));
        assert!(!d[0].message.contains("AK") && !d[1].message.contains("SK"));
        let d = check(&with_provenance(Provenance::Variable { name: "b".into(), declared_sensitive: false }), &ctx);
        assert_eq!(d[0].severity, Some(Severity::Warn));
        assert!(check(&with_provenance(Provenance::Variable { name: "b".into(), declared_sensitive: true }), &ctx)
            .is_empty());
        let mut unknown = with_provenance(Provenance::Configuration);
        if let Backup::Keys(k) = &mut unknown.backup {
            for v in k.values_mut() {
                v.value = Value::Unknown;
            }
        }
        assert!(check(&unknown, &ctx).is_empty());
    }

    #[test]
    fn table() {
        // The table's clusters hold literals from the module call: both credentials are denied.
        table::run(
            "EB110",
            &[
                case(
                    "literal credentials",
                    &[&[]],
                    &[(0, "s3-access-key", "is a literal in the module call"), (0, "s3-secret-key", "is a literal")],
                ),
                case("no credentials (EB101's)", &[&[("s3-access-key", None), ("s3-secret-key", None)]], &[]),
                case(
                    "a password in a proxy URL",
                    &[&[("s3-proxy", Some("http://u:FAKE-PASSWORD@proxy:3128"))]],
                    &[(0, "s3-access-key", "literal"), (0, "s3-secret-key", "literal"), (0, "s3-proxy", "is a literal")],
                ),
                case("a proxy URL without one", &[&[("s3-proxy", Some("http://proxy:3128"))]], &[(0, "s3-access-key", "literal"), (0, "s3-secret-key", "literal")]),
            ],
        );
    }
}
