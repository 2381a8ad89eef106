//! EB105 invalid-endpoint: `s3-endpoint` is not a bare `host[:port]`.

use super::{shown, Check, Context, Draft, Rule, Severity};
use crate::endpoint;
use crate::model::Cluster;

pub const RULE: Rule = Rule {
    id: "EB105",
    name: "invalid-endpoint",
    default: Severity::Deny,
    summary: "s3-endpoint has a scheme, path, credentials, whitespace, or an invalid host/port",
    doc: r#"# EB105 invalid-endpoint (deny)

## What
`s3-endpoint` must be `host[:port]` only. k3s hands it to minio-go, which adds the scheme itself
(https, or http with `s3-insecure`): `https://s3.amazonaws.com` fails with "Endpoint url cannot
have fully qualified paths", and so does a path such as `minio:9000/backups`.

## Why it matters
Every snapshot upload fails; k3s logs the error on the node and carries on without S3 copies.
Auto-restore on a recreated cluster then has nothing to restore.

## Fix
Write the host and, if not the default, the port. For plain HTTP use `s3-insecure = "true"`
instead of an `http://` scheme; put folders in `s3-folder`, not in the endpoint.

## Example
```hcl
etcd_backup = {
  s3-endpoint = "minio.backup.internal:9000"   # was "https://minio.backup.internal:9000/etcd"
  s3-folder   = "etcd"
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Some(r) = c.key("s3-endpoint") else { return vec![] };
    let Some(v) = r.known() else { return vec![] };
    let Err(p) = endpoint::check(v) else { return vec![] };
    let mut fix = match &p.corrected {
        Some(fixed) if !r.sensitive => format!("set s3-endpoint = \"{fixed}\" (host[:port] only)"),
        _ => {
            "set s3-endpoint to host[:port] only, e.g. \"s3.us-east-1.amazonaws.com\" or \"minio.internal:9000\"".into()
        }
    };
    if p.http {
        fix.push_str(", and s3-insecure = \"true\" if the endpoint really serves plain HTTP");
    }
    vec![Draft::new(
        c,
        Some("s3-endpoint"),
        format!(
            "{}: s3-endpoint {} {}; minio-go adds the scheme itself and every snapshot upload fails",
            c.address,
            shown(r),
            p.what
        ),
        fix,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn shows_the_corrected_value() {
        let d = check(&cluster_with(&with(COMPLETE, "s3-endpoint", "http://minio:9000")), &Context::default());
        assert!(d[0].remediation.contains("s3-endpoint = \"minio:9000\""));
        assert!(d[0].remediation.contains("s3-insecure"));
        assert!(check(&cluster_with(COMPLETE), &Context::default()).is_empty());
    }

    #[test]
    fn table() {
        table::run(
            "EB105",
            &[
                case("host", &[&[]], &[]),
                case("host and port", &[&[("s3-endpoint", Some("minio.internal:9000"))]], &[]),
                case("scheme", &[&[("s3-endpoint", Some("https://s3.amazonaws.com"))]], &[(0, "s3-endpoint", "minio-go adds the scheme")]),
                case("path", &[&[("s3-endpoint", Some("s3.amazonaws.com/bucket"))]], &[(0, "s3-endpoint", "upload fails")]),
                case(
                    "credentials are never shown",
                    &[&[("s3-endpoint", Some("https://user:hunter2@minio.example.com"))]],
                    &[(0, "s3-endpoint", "(sensitive)@minio.example.com")],
                ),
            ],
        );
    }
}
