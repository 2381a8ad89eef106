//! EB109 insecure-transport: S3 over plain HTTP.

use super::{Check, Context, Draft, Rule, Severity};
use crate::endpoint;
use crate::model::Cluster;
use crate::settings;

pub const RULE: Rule = Rule {
    id: "EB109",
    name: "insecure-transport",
    default: Severity::Warn,
    summary: "s3-insecure is true (credentials in clear text); deny for public cloud endpoints",
    doc: r#"# EB109 insecure-transport (warn; deny on public clouds)

## What
`s3-insecure = "true"` makes k3s talk plain HTTP to the endpoint. The finding is a deny when the
endpoint is a public object-storage cloud (AWS, Google, DigitalOcean, Backblaze, Wasabi,
Cloudflare R2, Linode, OVH, Hetzner, Scaleway, Oracle, Alibaba, Tencent).

## Why it matters
The access key signs every request and every snapshot — the whole cluster state, Secrets
included — crosses the network unencrypted. With the module, auto-restore also stops working
(EB114): its lookup always uses https.

## Fix
Serve the endpoint over TLS and drop `s3-insecure`; for a private CA use `s3-endpoint-ca`.

## Example
```hcl
etcd_backup = {
  s3-endpoint    = "minio.backup.internal:9000"
  s3-endpoint-ca = "/etc/ssl/certs/internal-ca.pem"   # instead of s3-insecure = "true"
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    if c.key("s3-insecure").is_none() || settings::flag(c, "s3-insecure") != Some(true) {
        return vec![];
    }
    let public = settings::effective(c, "s3-endpoint").is_some_and(endpoint::is_public_cloud);
    let d = Draft::new(
        c,
        Some("s3-insecure"),
        format!(
            "{}: s3-insecure is true, so snapshots (the whole cluster state, Secrets included) and signed requests cross the network in clear text{}",
            c.address,
            if public { " to a public cloud endpoint" } else { "" }
        ),
        "serve the endpoint over TLS, remove s3-insecure, and set s3-endpoint-ca for a private CA",
    );
    vec![if public { d.with_severity(Severity::Deny) } else { d }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn warn_privately_deny_publicly() {
        let ctx = Context::default();
        assert!(check(&cluster_with(COMPLETE), &ctx).is_empty());
        assert!(check(&cluster_with(&with(COMPLETE, "s3-insecure", "false")), &ctx).is_empty());
        let d = check(&cluster_with(&with(COMPLETE, "s3-insecure", "true")), &ctx);
        assert_eq!(d[0].severity, Some(Severity::Deny));
        let private = with(&with(COMPLETE, "s3-insecure", "1"), "s3-endpoint", "minio.internal:9000");
        assert_eq!(check(&cluster_with(&private), &ctx)[0].severity, None);
    }

    #[test]
    fn table() {
        table::run(
            "EB109",
            &[
                case("TLS", &[&[]], &[]),
                case("insecure false", &[&[("s3-insecure", Some("false"))]], &[]),
                case(
                    "insecure to a public cloud",
                    &[&[("s3-insecure", Some("true"))]],
                    &[(0, "s3-insecure", "in clear text to a public cloud endpoint")],
                ),
                case(
                    "insecure to a private endpoint",
                    &[&[("s3-insecure", Some("true")), ("s3-endpoint", Some("minio.internal:9000"))]],
                    &[(0, "s3-insecure", "in clear text")],
                ),
            ],
        );
    }
}
