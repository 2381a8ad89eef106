//! EB111 folder-format: `s3-folder` with stray slashes, or empty.

use super::{shown, Check, Context, Draft, Rule, Severity};
use crate::location::normalise_folder;
use crate::model::Cluster;

pub const RULE: Rule = Rule {
    id: "EB111",
    name: "folder-format",
    default: Severity::Warn,
    summary: "s3-folder has leading, trailing or double slashes, or is empty",
    doc: r#"# EB111 folder-format (warn)

## What
`s3-folder` starts or ends with `/`, holds `//`, or is the empty string.

## Why it matters
k3s joins folder and snapshot name with `/`; stray slashes make object keys such as
`/prod//etcd-snapshot-…` that other tools (and a person looking for the snapshots) do not find
under `prod/`, and an empty folder puts the cluster at the bucket root, where its prefix overlaps
every other cluster's in the bucket (EB202).

## Fix
Write the folder without leading, trailing or double slashes.

## Example
```hcl
etcd_backup = {
  s3-folder = "prod/eu-west"   # was "/prod/eu-west/"
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Some(r) = c.key("s3-folder") else { return vec![] };
    let Some(v) = r.known() else { return vec![] };
    let what = if v.is_empty() {
        "is empty, which puts the snapshots at the bucket root".to_string()
    } else if v.starts_with('/') || v.ends_with('/') || v.contains("//") {
        "has leading, trailing or double slashes".to_string()
    } else {
        return vec![];
    };
    let fixed = normalise_folder(v);
    let fix = if fixed.is_empty() || r.sensitive {
        "set s3-folder to a name for this cluster, e.g. its name".to_string()
    } else {
        format!("set s3-folder = \"{fixed}\"")
    };
    vec![Draft::new(c, Some("s3-folder"), format!("{}: s3-folder {} {what}", c.address, shown(r)), fix)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn slashes_and_empty() {
        let ctx = Context::default();
        assert!(check(&cluster_with(COMPLETE), &ctx).is_empty());
        assert!(check(&cluster_with(&with(COMPLETE, "s3-folder", "a/b")), &ctx).is_empty());
        let d = check(&cluster_with(&with(COMPLETE, "s3-folder", "/a//b/")), &ctx);
        assert!(d[0].remediation.contains("\"a/b\""));
        assert_eq!(check(&cluster_with(&with(COMPLETE, "s3-folder", "")), &ctx).len(), 1);
    }

    #[test]
    fn table() {
        table::run(
            "EB111",
            &[
                case("a name", &[&[("s3-folder", Some("prod/k3s"))]], &[]),
                case("leading slash", &[&[("s3-folder", Some("/prod"))]], &[(0, "s3-folder", "has leading, trailing or double slashes")]),
                case("double slash", &[&[("s3-folder", Some("a//b"))]], &[(0, "s3-folder", "double slashes")]),
                case("empty", &[&[("s3-folder", Some(""))]], &[(0, "s3-folder", "puts the snapshots at the bucket root")]),
                case("absent is EB113's", &[&[("s3-folder", None)]], &[]),
            ],
        );
    }
}
