//! EB106 invalid-bucket-name: `s3-bucket` breaks S3 bucket naming rules.

use super::{shown, Check, Context, Draft, Rule, Severity};
use crate::model::Cluster;

pub const RULE: Rule = Rule {
    id: "EB106",
    name: "invalid-bucket-name",
    default: Severity::Deny,
    summary: "s3-bucket violates S3 bucket naming rules",
    doc: r#"# EB106 invalid-bucket-name (deny)

## What
The bucket name breaks the S3 naming rules (AWS "General purpose bucket naming rules", which
MinIO and most S3-compatible stores follow): 3–63 characters of lower-case letters, digits, dots
and hyphens; starts and ends with a letter or digit; no two adjacent dots; not an IP address;
not starting with `xn--`, `sthree-` or `amzn-s3-demo-`; not ending with `-s3alias`, `--ol-s3`,
`.mrap`, `--x-s3` or `--table-s3`.

## Why it matters
No such bucket can exist: every upload fails and a restore finds nothing.

## Fix
Use the bucket's real name. A folder inside the bucket goes in `s3-folder`.

## Example
```hcl
etcd_backup = {
  s3-bucket = "prod-etcd-backups"   # was "Prod_Etcd_Backups/cluster1"
  s3-folder = "cluster1"
}
```
"#,
    check: Check::Cluster(check),
};

/// Why a bucket name is invalid, if it is.
pub fn problem(b: &str) -> Option<String> {
    if b.contains('/') {
        return Some("holds a slash (a folder belongs in s3-folder)".into());
    }
    if b.len() < 3 || b.len() > 63 {
        return Some(format!("is {} characters long (3 to 63 allowed)", b.len()));
    }
    if let Some(c) = b.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')) {
        return Some(if c.is_ascii_uppercase() {
            "has upper-case letters".into()
        } else {
            "has characters other than lower-case letters, digits, dots and hyphens".into()
        });
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge(b.chars().next()) || !edge(b.chars().last()) {
        return Some("does not start and end with a letter or digit".into());
    }
    if b.contains("..") {
        return Some("has two adjacent dots".into());
    }
    if b.split('.').count() == 4 && b.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("is formatted as an IP address".into());
    }
    if let Some(p) = ["xn--", "sthree-", "amzn-s3-demo-"].iter().find(|p| b.starts_with(**p)) {
        return Some(format!("starts with the reserved prefix {p}"));
    }
    if let Some(s) = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].iter().find(|s| b.ends_with(**s)) {
        return Some(format!("ends with the reserved suffix {s}"));
    }
    None
}

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Some(r) = c.key("s3-bucket") else { return vec![] };
    let Some(why) = r.known().and_then(problem) else { return vec![] };
    vec![Draft::new(
        c,
        Some("s3-bucket"),
        format!("{}: s3-bucket {} {why}, which S3 bucket names never do, so no snapshot can be uploaded", c.address, shown(r)),
        "set s3-bucket to the bucket's real name (3-63 lower-case letters, digits, dots, hyphens) and put any folder in s3-folder",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};

    #[test]
    fn naming_rules() {
        for ok in ["my-etcd-backups", "a.b.c", "abc", "123"] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in [
            "ab",
            "My-Bucket",
            "bucket_name",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "abc-s3alias",
            "bucket/folder",
            &"a".repeat(64),
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn table() {
        table::run(
            "EB106",
            &[
                case("valid", &[&[("s3-bucket", Some("my-etcd-backups"))]], &[]),
                case("upper case", &[&[("s3-bucket", Some("My-Bucket"))]], &[(0, "s3-bucket", "which S3 bucket names never do")]),
                case("too short", &[&[("s3-bucket", Some("ab"))]], &[(0, "s3-bucket", "is 2 characters long")]),
                case("a folder in the bucket", &[&[("s3-bucket", Some("bucket/folder"))]], &[(0, "s3-bucket", "no snapshot can be uploaded")]),
            ],
        );
    }
}
