//! EB004 cluster-not-read: etcd S3 settings that no module profile reads.

use super::{Check, Draft, Rule, Severity};
use crate::model::{Cluster, ReadBy};

pub const RULE: Rule = Rule {
    id: "EB004",
    name: "cluster-not-read",
    default: Severity::Deny,
    summary: "a module call or resource carries etcd S3 settings, but no module profile reads it",
    doc: r#"# EB004 cluster-not-read (deny)

## What
A module call passes etcd S3 settings (an input or literal key named `etcd-s3*`/`etcd_s3*`), or a
resource shows them (k3s/RKE2 config text or flags, also base64/gzip/MIME encoded), but no module
profile — built in (`etcd-backup-policy profiles`) or declared in the data document — reads that
module. None of its settings, its backup location or its token is checked.

## Why it matters
A gate that passes what it could not check is worse than none. Every other rule needs to know
which input holds which setting, what the module turns on by itself and how it restores; without
a profile the cluster would pass unseen, with a shared bucket or a missing region.

## Fix
Declare a profile for the module in the data document (`etcd-backup-policy explain profiles`
prints the schema), or use a module with a built-in profile. To accept the risk for one run,
`--rule EB004=warn`.

## Example
```json
{ "etcd_backup": { "profiles": [ {
  "name": "acme-k3s",
  "module": "git.acme.internal/platform/k3s",
  "match": { "sources": ["git.acme.internal/platform/k3s"] },
  "inputs": [ { "name": "k3s_config", "form": "yaml" } ],
  "token": { "input": "k3s_token" }
} ] } }
```
"#,
    check: Check::NotRead(check),
};

fn check(c: &Cluster) -> Vec<Draft> {
    let ReadBy::Nobody { source, seen } = &c.read_by else { return vec![] };
    vec![Draft::new(
        c,
        None,
        format!(
            "{}: carries etcd S3 settings ({seen}), but no module profile reads its module ({source}): none of its backup settings, location or token is checked",
            c.address
        ),
        format!(
            "declare a profile for {source} in the data document's etcd_backup.profiles (etcd-backup-policy explain profiles), or use a module with a built-in profile (etcd-backup-policy profiles)"
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::*;

    #[test]
    fn fires_only_for_a_cluster_no_profile_reads() {
        let mut c = cluster_with(COMPLETE);
        assert!(check(&c).is_empty());
        c.read_by = ReadBy::Nobody { source: "./k3s".into(), seen: "its input etcd_s3".into() };
        let d = check(&c);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("./k3s") && d[0].remediation.contains("etcd_backup.profiles"), "{d:?}");
    }

    #[test]
    fn no_other_rule_sees_it() {
        let mut c = cluster_with(&[("s3", "true")]);
        c.read_by = ReadBy::Nobody { source: "./k3s".into(), seen: "x".into() };
        let found = crate::rules::run(&[c], &Default::default(), &Default::default());
        let ids: Vec<&str> = found.iter().map(|(r, _, _)| r.id).collect();
        assert_eq!(ids, ["EB004"]);
    }
}
