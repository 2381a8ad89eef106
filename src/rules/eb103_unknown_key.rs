//! EB103 unknown-key: a key that is neither a k3s `--etcd-*` flag nor a module key.

use super::{Check, Context, Draft, Rule, Severity};
use crate::catalogue::{self, KEYS};
use crate::model::{Backup, Cluster};

pub const RULE: Rule = Rule {
    id: "EB103",
    name: "unknown-key",
    default: Severity::Deny,
    summary: "a key is not a k3s --etcd-* flag nor a module key; the nearest key is suggested",
    doc: r#"# EB103 unknown-key (deny)

## What
A key of `etcd_backup` is not a k3s `--etcd-*` server flag (without the `--etcd-` prefix) and not
one of the module's own keys (`autorestore`, `cluster-reset-restore-path`).

## Why it matters
The module writes every key into k3s's `config.yaml` as `etcd-<key>`; k3s skips an unknown key
with only a warning in the node's log. A typo such as `s3_bucket` or `s3-buket` therefore does
nothing at all: the bucket is simply not set.

## Fix
Rename the key to the one meant; the finding suggests the nearest known key. `k3s server --help`
lists the `--etcd-*` flags (write them without the `--etcd-` prefix).

## Example
```hcl
etcd_backup = {
  s3-bucket = "my-etcd-backups"   # was s3_bucket
}
```
"#,
    check: Check::Cluster(check),
};

/// The key the user most likely meant: same after normalising (`_` → `-`, case, an `etcd-` or
/// `--etcd-` prefix), else the closest by edit distance (at most 3 edits).
pub fn nearest(key: &str) -> Option<&'static str> {
    let mut n = key.trim().to_ascii_lowercase().replace('_', "-");
    for p in ["--etcd-", "--", "etcd-"] {
        if let Some(rest) = n.strip_prefix(p) {
            n = rest.to_string();
            break;
        }
    }
    if let Some(k) = catalogue::key(&n) {
        return Some(k.name);
    }
    KEYS.iter()
        .map(|k| (strsim::damerau_levenshtein(&n, k.name), k.name))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, name)| name)
}

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Backup::Keys(keys) = &c.backup else { return vec![] };
    keys.keys()
        .filter(|k| catalogue::key(k).is_none() || c.foreign_module_key(k))
        .map(|k| {
            let (hint, fix) = match nearest(k) {
                Some(n) => (format!("; did you mean {n}?"), format!("rename {k} to {n}")),
                None => (
                    String::new(),
                    format!(
                        "remove {k}, or use one of k3s's --etcd-* flags without the prefix (see `k3s server --help`)"
                    ),
                ),
            };
            Draft::new(
                c,
                Some(k),
                format!(
                    "{}: unknown key {} in {}: k3s skips it with only a warning, so it does nothing{hint}",
                    c.address,
                    c.written(k),
                    c.settings_input()
                ),
                fix,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn suggestions() {
        assert_eq!(nearest("s3_bucket"), Some("s3-bucket"));
        assert_eq!(nearest("s3-buket"), Some("s3-bucket"));
        assert_eq!(nearest("etcd-s3-region"), Some("s3-region"));
        assert_eq!(nearest("S3_SECRET_KEY"), Some("s3-secret-key"));
        assert_eq!(nearest("autorestor"), Some("autorestore"));
        assert_eq!(nearest("completely-unrelated-thing"), None);
    }

    #[test]
    fn fires_for_unknown_keys_only() {
        assert!(check(&cluster_with(COMPLETE), &Context::default()).is_empty());
        let d = check(&cluster_with(&with(COMPLETE, "s3_bucket", "x")), &Context::default());
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("did you mean s3-bucket?"));
        assert!(!d[0].message.contains("\"x\""));
    }

    #[test]
    fn table() {
        table::run(
            "EB103",
            &[
                case("known keys", &[&[("snapshot-retention", Some("10")), ("s3-retention", Some("10"))]], &[]),
                case("typo", &[&[("s3-buckett", Some("b"))]], &[(0, "s3-buckett", "did you mean s3-bucket?")]),
                case(
                    "with the flag's prefix",
                    &[&[("etcd-s3-region", Some("x"))]],
                    &[(0, "etcd-s3-region", "unknown key etcd-s3-region")],
                ),
                case("nothing near", &[&[("colour", Some("red"))]], &[(0, "colour", "does nothing")]),
            ],
        );
    }
}
