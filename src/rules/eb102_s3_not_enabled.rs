//! EB102 s3-not-enabled: `s3` is present but switches S3 snapshots off.

use super::{shown, Check, Context, Draft, Rule, Severity};
use crate::gotypes::parse_bool;
use crate::model::Cluster;

pub const RULE: Rule = Rule {
    id: "EB102",
    name: "s3-not-enabled",
    default: Severity::Deny,
    summary: "s3 is present but not true",
    doc: r#"# EB102 s3-not-enabled (deny)

## What
`etcd_backup` sets `s3` to a false value (`"false"`, `"0"`, `"f"`, …). Every other S3 key is then
ignored by k3s.

k3s parses the flag with Go's `strconv.ParseBool`, so `"1"`, `"t"`, `"True"` and `"TRUE"` enable S3
as well as `"true"`; a value that `ParseBool` rejects is EB104.

## Why it matters
Snapshots stay on the nodes' disks. When the cluster is recreated, auto-restore looks in a bucket
that was never written to.

## Fix
Set `s3 = "true"`.

## Example
```hcl
etcd_backup = {
  s3 = "true"   # was "false"
  ...
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Some(r) = c.key("s3") else { return vec![] };
    match r.known().map(parse_bool) {
        Some(Some(false)) => vec![Draft::new(
            c,
            Some("s3"),
            format!(
                "{}: s3 is {}, so k3s writes no snapshot to S3 and every other S3 key is ignored",
                c.address,
                shown(r)
            ),
            format!("set {} = \"true\" in {}", c.written("s3"), c.settings_input()),
        )],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn false_values_fire_true_values_do_not() {
        for (v, fires) in
            [("false", true), ("0", true), ("F", true), ("true", false), ("True", false), ("1", false), ("yes", false)]
        {
            let c = cluster_with(&with(COMPLETE, "s3", v));
            assert_eq!(check(&c, &Context::default()).len(), fires as usize, "{v}");
        }
    }

    #[test]
    fn table() {
        table::run(
            "EB102",
            &[
                case("true", &[&[]], &[]),
                case("false", &[&[("s3", Some("false"))]], &[(0, "s3", "s3 is \"false\", so k3s writes no snapshot")]),
                case("Go's ParseBool spelling of false", &[&[("s3", Some("F"))]], &[(0, "s3", "writes no snapshot to S3")]),
                case("Go's ParseBool spelling of true", &[&[("s3", Some("TRUE"))]], &[]),
                case("not a boolean is EB104's", &[&[("s3", Some("yes"))]], &[]),
                case("absent is EB101's", &[&[("s3", None)]], &[]),
            ],
        );
    }
}
