//! EB104 invalid-value: a value k3s's flag parser (or the module) does not accept.

use super::{shown, Check, Context, Draft, Rule, Severity};
use crate::catalogue::{self, KeyType};
use crate::gotypes::{parse_bool, parse_duration, parse_int, BOOL_WORDS};
use crate::model::{Backup, Cluster};

pub const RULE: Rule = Rule {
    id: "EB104",
    name: "invalid-value",
    default: Severity::Deny,
    summary:
        "a boolean, integer, duration, autorestore or s3-bucket-lookup-type value k3s or the module does not accept",
    doc: r#"# EB104 invalid-value (deny)

## What
A value that does not parse the way k3s parses its flags:
- boolean keys (`s3`, `s3-insecure`, `s3-skip-ssl-verify`, `snapshot-compress`,
  `disable-snapshots`, `expose-metrics`) take what Go's `strconv.ParseBool` accepts:
  1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False — not `yes`, `on` or `enabled`;
- integer keys (`snapshot-retention`, `s3-retention`) take a whole number;
- duration keys (`s3-timeout`, `snapshot-reconcile-interval`) take a Go duration (`5m`, `1h30m`);
  a bare number has no unit and is rejected;
- `s3-bucket-lookup-type` is one of `auto`, `dns`, `path`;
- `autorestore` is the module's key and is compared with the exact string `"true"`: `"True"`,
  `"yes"` or `"1"` silently turn auto-restore off.

## Why it matters
k3s refuses a flag value it cannot parse and the server does not start; the module treats any
`autorestore` other than `"true"` as off, so a recreated cluster comes up empty.

## Fix
Write the value in the accepted form.

## Example
```hcl
etcd_backup = {
  autorestore = "true"   # was "True"
  s3-timeout  = "5m"     # was "300"
}
```
"#,
    check: Check::Cluster(check),
};

fn problem(kind: KeyType, v: &str) -> Option<(String, String)> {
    match kind {
        KeyType::Bool if parse_bool(v).is_none() => {
            Some((format!("not a boolean k3s accepts (Go strconv.ParseBool: {BOOL_WORDS})"), "use \"true\" or \"false\"".into()))
        }
        KeyType::Int if parse_int(v).is_none() => Some(("not a whole number".into(), "use a whole number such as \"168\"".into())),
        KeyType::Duration if parse_duration(v).is_none() => Some((
            "not a Go duration (a number with a unit: ns, us, ms, s, m, h)".into(),
            format!("write it with a unit, e.g. \"5m\"{}", if parse_int(v).is_some() { " (a bare number is rejected)" } else { "" }),
        )),
        KeyType::LookupType if !matches!(v, "auto" | "dns" | "path") => {
            Some(("not one of auto, dns, path".into(), "use \"auto\", \"dns\" or \"path\"".into()))
        }
        KeyType::ModuleBool if v != "true" && v != "false" => Some((
            "not exactly \"true\" or \"false\": the module compares autorestore with the exact string \"true\", so auto-restore is silently off".into(),
            if parse_bool(v) == Some(true) { "write autorestore = \"true\"".into() } else { "write autorestore = \"true\" or \"false\"".into() },
        )),
        _ => None,
    }
}

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Backup::Keys(keys) = &c.backup else { return vec![] };
    let mut out = Vec::new();
    for (k, r) in keys {
        let (Some(key), Some(v)) = (catalogue::key(k), r.known()) else { continue };
        if let Some((what, fix)) = problem(key.kind, v) {
            let fix = if fix.contains(k.as_str()) { fix } else { format!("{fix} for {k}") };
            out.push(Draft::new(c, Some(k), format!("{}: {k} is {}, {what}", c.address, shown(r)), fix));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    fn fires(key: &str, v: &str) -> bool {
        !check(&cluster_with(&with(COMPLETE, key, v)), &Context::default()).is_empty()
    }

    #[test]
    fn values_by_type() {
        assert!(fires("s3-insecure", "yes"));
        assert!(!fires("s3-insecure", "True"));
        assert!(fires("snapshot-retention", "a week"));
        assert!(!fires("snapshot-retention", "168"));
        assert!(fires("s3-timeout", "300"));
        assert!(!fires("s3-timeout", "5m"));
        assert!(fires("s3-bucket-lookup-type", "virtual"));
        assert!(!fires("s3-bucket-lookup-type", "path"));
        assert!(fires("autorestore", "True"));
        assert!(fires("autorestore", "1"));
        assert!(!fires("autorestore", "false"));
        assert!(!fires("s3-folder", "anything/at all"));
    }

    #[test]
    fn table() {
        table::run(
            "EB104",
            &[
                case("valid values", &[&[("snapshot-retention", Some("0")), ("s3-timeout", Some("5m30s"))]], &[]),
                case("boolean", &[&[("s3-insecure", Some("yes"))]], &[(0, "s3-insecure", "not a boolean k3s accepts")]),
                case("duration without unit", &[&[("s3-timeout", Some("300"))]], &[(0, "s3-timeout", "s3-timeout is \"300\"")]),
                case("integer", &[&[("snapshot-retention", Some("five"))]], &[(0, "snapshot-retention", "snapshot-retention is")]),
                case("lookup type", &[&[("s3-bucket-lookup-type", Some("virtual"))]], &[(0, "s3-bucket-lookup-type", "")]),
            ],
        );
    }
}
