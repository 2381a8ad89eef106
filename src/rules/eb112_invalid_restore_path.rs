//! EB112 invalid-restore-path: `cluster-reset-restore-path` is not a k3s snapshot name.

use super::{shown, Check, Context, Draft, Rule, Severity};
use crate::model::Cluster;

pub const RULE: Rule = Rule {
    id: "EB112",
    name: "invalid-restore-path",
    default: Severity::Deny,
    summary: "cluster-reset-restore-path is empty, holds a /, or is not a k3s snapshot name (...-<unix seconds>[.zip])",
    doc: r#"# EB112 invalid-restore-path (deny)

## What
The module restores the snapshot named by `cluster-reset-restore-path` from bucket/folder. k3s
names snapshots `<snapshot-name>-<node>-<unix seconds>`, with `.zip` when compressed (the module
compresses by default): e.g. `etcd-snapshot-server-0-1732406400.zip`. The value must be such a
name: not empty, no `/` (the folder comes from `s3-folder`), and ending in Unix seconds — not an
ISO date as in the module's docs.

## Why it matters
A named snapshot that does not download stops the seed node: the cluster never comes up.

## Fix
Copy the name exactly as `k3s etcd-snapshot ls` (or the bucket listing) shows it, without the
folder.

## Example
```hcl
etcd_backup = {
  cluster-reset-restore-path = "etcd-snapshot-server-0-1732406400.zip"   # was "prod/etcd-snapshot-2024-11-24T00:00:00Z"
}
```
"#,
    check: Check::Cluster(check),
};

/// Why a value is not a k3s snapshot name, if it is not.
pub fn problem(v: &str) -> Option<&'static str> {
    if v.trim().is_empty() {
        return Some("is empty");
    }
    if v.contains('/') {
        return Some("holds a / (the folder comes from s3-folder)");
    }
    let stem = v.strip_suffix(".zip").unwrap_or(v);
    let Some((prefix, secs)) = stem.rsplit_once('-') else { return Some(NOT_A_NAME) };
    let plausible = !prefix.is_empty() && (9..=11).contains(&secs.len()) && secs.bytes().all(|b| b.is_ascii_digit());
    if plausible {
        None
    } else {
        Some(NOT_A_NAME)
    }
}

const NOT_A_NAME: &str = "does not end in -<unix seconds>[.zip] as k3s snapshot names do";

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    // A provider-managed cluster's restore names the server's snapshot object
    // (`rancher2_cluster_v2.rke_config.etcd_snapshot_restore.name`), not a k3s snapshot file.
    if c.profile().is_some_and(|p| p.is_resource()) {
        return vec![];
    }
    let Some(r) = c.key("cluster-reset-restore-path") else { return vec![] };
    let Some(v) = r.known() else { return vec![] };
    let Some(why) = problem(v) else { return vec![] };
    vec![Draft::new(
        c,
        Some("cluster-reset-restore-path"),
        format!("{}: cluster-reset-restore-path {} {why}; a named snapshot that does not download stops the seed node", c.address, shown(r)),
        "set it to the snapshot's name as `k3s etcd-snapshot ls` lists it, e.g. \"etcd-snapshot-server-0-1732406400.zip\"",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};

    #[test]
    fn snapshot_names() {
        assert_eq!(problem("etcd-snapshot-server-0-1732406400.zip"), None);
        assert_eq!(problem("on-demand-node1-1732406400"), None);
        assert!(problem("").is_some());
        assert!(problem("prod/etcd-snapshot-server-0-1732406400.zip").is_some());
        assert!(problem("etcd-snapshot-2024-11-24T00:00:00Z").is_some());
        assert!(problem("snapshot.zip").is_some());
    }

    #[test]
    fn table() {
        table::run(
            "EB112",
            &[
                case("no restore path", &[&[]], &[]),
                case("a snapshot name", &[&[("cluster-reset-restore-path", Some("etcd-snapshot-server-0-1732406400.zip"))]], &[]),
                case(
                    "a path",
                    &[&[("cluster-reset-restore-path", Some("/var/lib/rancher/k3s/server/db/snapshots/x"))]],
                    &[(0, "cluster-reset-restore-path", "stops the seed node")],
                ),
                case("empty", &[&[("cluster-reset-restore-path", Some(""))]], &[(0, "cluster-reset-restore-path", "")]),
            ],
        );
    }
}
