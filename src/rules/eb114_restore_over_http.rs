//! EB114 restore-over-http: auto-restore on an http-only endpoint.

use super::{Check, Context, Draft, Rule, Severity};
use crate::model::Cluster;
use crate::settings;

pub const RULE: Rule = Rule {
    id: "EB114",
    name: "restore-over-http",
    default: Severity::Deny,
    summary: "restore is on (or unknown) and s3-insecure is true: the module's restore lookup always uses https",
    doc: r#"# EB114 restore-over-http (deny)

## What
Restore is on (or unknown at plan time, which counts as on) and `s3-insecure = "true"`.

## Why it matters
k3s uploads over plain HTTP as told, but the module's restore step lists
`https://<s3-endpoint>` regardless of `s3-insecure`. On an endpoint that only serves HTTP the
lookup fails and the recreated cluster starts empty, although its snapshots are there.

## Fix
Serve the endpoint over TLS and drop `s3-insecure` (see EB109), or turn auto-restore off and
restore by hand.

## Example
```hcl
etcd_backup = {
  s3-endpoint = "minio.backup.internal:9000"   # TLS
  # s3-insecure = "true"   removed
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    // The https-only lookup is zcompute-k8s's own restore; k3s's restore honours s3-insecure.
    if !c.auto_restore()
        || !settings::restore_may_happen(c)
        || c.key("s3-insecure").is_none()
        || settings::flag(c, "s3-insecure") != Some(true)
    {
        return vec![];
    }
    vec![Draft::new(
        c,
        Some("s3-insecure"),
        format!(
            "{}: {} and s3-insecure is true, but the module's restore lookup always uses https://<s3-endpoint> and finds nothing on an http-only endpoint",
            c.address,
            settings::restore_phrase(c)
        ),
        "serve the endpoint over TLS and remove s3-insecure, or set autorestore = \"false\" and restore by hand",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn needs_restore_and_insecure() {
        let ctx = Context::default();
        assert_eq!(check(&cluster_with(&with(COMPLETE, "s3-insecure", "true")), &ctx).len(), 1);
        assert!(check(&cluster_with(&with(&with(COMPLETE, "s3-insecure", "true"), "autorestore", "false")), &ctx)
            .is_empty());
        assert!(check(&cluster_with(COMPLETE), &ctx).is_empty());
        let unknown = with_unknown(&with(&with(COMPLETE, "s3-insecure", "true"), "autorestore", "x"), "autorestore");
        let d = check(&unknown, &ctx);
        assert!(d.len() == 1 && d[0].message.contains("unknown at plan time"), "{d:?}");
    }

    #[test]
    fn table() {
        table::run(
            "EB114",
            &[
                case("TLS", &[&[]], &[]),
                case("http, restore on", &[&[("s3-insecure", Some("true"))]], &[(0, "s3-insecure", "always uses https://")]),
                case("http, restore off", &[&[("s3-insecure", Some("true")), ("autorestore", Some("false"))]], &[]),
            ],
        );
    }
}
