//! The rule catalogue. One module per rule, each with its stable ID, name, default severity and
//! doc text (what `explain` prints). Rules are pure functions from resolved clusters to findings.

use std::collections::BTreeMap;

use crate::location::Location;
use crate::model::{Action, Cluster, Resolved};

/// A value as a message may show it: quoted, or `(sensitive)` / `(unknown)`. Rules quote values
/// only through this, so a secret cannot reach a message.
pub(crate) fn shown(r: &Resolved) -> String {
    match r.display() {
        Some(v) if v == crate::redact::HIDDEN => v.into_owned(),
        Some(v) => format!("{:?}", truncate(&v, 80)),
        None => "(unknown)".into(),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The rule registry: a rule is one file in this directory (its `RULE` with ID, name, default,
/// summary, doc and check) plus one line here. The catalogue, `rules`, `explain`, SARIF's rule
/// metadata and the README's rule table (tested) all derive from it.
macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every rule, in ID order.
        pub fn all() -> &'static [Rule] {
            static RULES: &[Rule] = &[$($module::RULE),*];
            RULES
        }
    };
}

registry![
    eb002_config_unresolved,
    eb003_backup_not_configured,
    eb004_cluster_not_read,
    eb101_required_key_missing,
    eb102_s3_not_enabled,
    eb103_unknown_key,
    eb104_invalid_value,
    eb105_invalid_endpoint,
    eb106_invalid_bucket_name,
    eb107_invalid_schedule,
    eb108_short_retention_window,
    eb109_insecure_transport,
    eb110_hardcoded_credential,
    eb111_folder_format,
    eb112_invalid_restore_path,
    eb113_restore_without_folder,
    eb114_restore_over_http,
    eb201_shared_backup_location,
    eb202_overlapping_backup_location,
    eb203_location_owned_elsewhere,
    eb301_token_changed_on_restore,
    eb302_token_regenerated,
    eb303_token_unverified,
    eb304_restore_location_changed,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Off,
    Warn,
    Deny,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Off => "off",
            Severity::Warn => "warn",
            Severity::Deny => "deny",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "off" => Some(Severity::Off),
            "warn" => Some(Severity::Warn),
            "deny" => Some(Severity::Deny),
            _ => None,
        }
    }
}

/// A finding before its severity is decided: what a rule says about one cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub cluster: String,
    pub plan: String,
    pub key: Option<String>,
    /// The problem, naming cluster and key; never a secret value.
    pub message: String,
    /// The fix.
    pub remediation: String,
    /// The rule's own severity for this finding when it differs from the rule's default
    /// (EB109 and EB110 escalate some findings); a user's override still wins.
    pub severity: Option<Severity>,
}

impl Draft {
    pub fn new(c: &Cluster, key: Option<&str>, message: String, remediation: impl Into<String>) -> Draft {
        Draft {
            cluster: c.address.clone(),
            plan: c.plan.clone(),
            key: key.map(str::to_string),
            message,
            remediation: remediation.into(),
            severity: None,
        }
    }

    pub fn with_severity(mut self, s: Severity) -> Draft {
        self.severity = Some(s);
        self
    }
}

/// A backup location the data document's `inventory` says a cluster owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryEntry {
    /// The stack the cluster belongs to; with `cluster`, its identity. `None` never matches.
    pub stack: Option<String>,
    pub cluster: String,
    pub location: Location,
}

/// What rules may consult besides the clusters: settings from the data document.
#[derive(Clone, Debug)]
pub struct Context {
    /// `min_retention_window`, seconds (default 24h).
    pub min_window_s: f64,
    pub inventory: Vec<InventoryEntry>,
    /// Location key → `token_sha256` from an earlier `fingerprint`.
    pub baseline: BTreeMap<String, String>,
}

impl Default for Context {
    fn default() -> Self {
        Context { min_window_s: 86400.0, inventory: Vec::new(), baseline: BTreeMap::new() }
    }
}

pub enum Check {
    /// Looks at one cluster at a time.
    Cluster(fn(&Cluster, &Context) -> Vec<Draft>),
    /// Looks at the clusters no profile reads (EB004): the only rule that sees them.
    NotRead(fn(&Cluster) -> Vec<Draft>),
    /// Compares clusters across every plan evaluated together.
    Fleet(fn(&[Cluster], &Context) -> Vec<Draft>),
}

pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub default: Severity,
    /// One line: when it fires.
    pub summary: &'static str,
    /// What, why it breaks clusters, how to fix, with an example (Markdown).
    pub doc: &'static str,
    pub check: Check,
}

pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id)
}

/// Severity per rule after the data document's and the command line's overrides.
#[derive(Clone, Debug, Default)]
pub struct Severities {
    pub overrides: BTreeMap<String, Severity>,
}

impl Severities {
    /// The user's override, if any.
    pub fn overridden(&self, rule: &Rule) -> Option<Severity> {
        self.overrides.get(rule.id).copied()
    }
}

/// Runs every rule that is not off over the clusters. Output order is deterministic: by cluster
/// (in input order), then rule ID, then key.
pub fn run(clusters: &[Cluster], severities: &Severities, ctx: &Context) -> Vec<(&'static Rule, Severity, Draft)> {
    let mut out = Vec::new();
    // Each finding's cluster by (plan, address), looked up once per finding: linear in both.
    let positions: std::collections::HashMap<(&str, &str), usize> =
        clusters.iter().enumerate().rev().map(|(i, c)| ((c.plan.as_str(), c.address.as_str()), i)).collect();
    let index_of = |d: &Draft| positions.get(&(d.plan.as_str(), d.cluster.as_str())).copied().unwrap_or(usize::MAX);
    // What a profile read: what the fleet rules compare (a copy only when some cluster is unread).
    let all_read = clusters.iter().all(Cluster::is_read);
    let read: Vec<Cluster> =
        if all_read { Vec::new() } else { clusters.iter().filter(|c| c.is_read()).cloned().collect() };
    for rule in all() {
        if severities.overridden(rule) == Some(Severity::Off) {
            continue;
        }
        let drafts: Vec<Draft> = match rule.check {
            // A cluster being deleted (e.g. every cluster of `terraform plan -destroy`) is not
            // configured any more: no rule about its configuration or its restore applies. What
            // it leaves behind is evidence for the fleet rules and for its successors (lineage).
            Check::Cluster(f) => {
                clusters.iter().filter(|c| c.action != Action::Delete && c.is_read()).flat_map(|c| f(c, ctx)).collect()
            }
            Check::NotRead(f) => {
                clusters.iter().filter(|c| c.action != Action::Delete && !c.is_read()).flat_map(f).collect()
            }
            Check::Fleet(f) if all_read => f(clusters, ctx),
            Check::Fleet(f) => f(&read, ctx),
        };
        for d in drafts {
            let sev = severities.overridden(rule).or(d.severity).unwrap_or(rule.default);
            if sev != Severity::Off {
                out.push((index_of(&d), rule, sev, d));
            }
        }
    }
    crate::order::sort_by(&mut out, |a, b| {
        (a.0, a.1.id, &a.3.key, &a.3.message).cmp(&(b.0, b.1.id, &b.3.key, &b.3.message))
    });
    out.into_iter().map(|(_, r, s, d)| (r, s, d)).collect()
}

/// Test helpers (clusters with given keys), kept beside the model so that `settings` and the
/// rules share them without importing each other.
#[cfg(test)]
pub(crate) use crate::model::test_support;

/// A rule's test table, in the style of tflint's rule tests: each case is a list of clusters,
/// each written as its changes to a complete, valid `etcd_backup` (`None` removes a key), and the
/// findings the rule must give, in order, as (cluster index, key or "", fragment of the message).
/// Cluster `i` is `module.c{i}`; an empty `expect` means the clusters pass.
#[cfg(test)]
pub(crate) mod table {
    use super::*;
    use crate::model::test_support::{cluster_with, COMPLETE};

    pub(crate) type Changes = &'static [(&'static str, Option<&'static str>)];

    pub(crate) struct Case {
        name: &'static str,
        clusters: &'static [Changes],
        expect: &'static [(usize, &'static str, &'static str)],
    }

    pub(crate) const fn case(
        name: &'static str,
        clusters: &'static [Changes],
        expect: &'static [(usize, &'static str, &'static str)],
    ) -> Case {
        Case { name, clusters, expect }
    }

    /// The clusters of a case, before the rule runs (to adjust what keys cannot express).
    pub(crate) fn clusters(changes: &[Changes]) -> Vec<Cluster> {
        changes
            .iter()
            .enumerate()
            .map(|(i, changes)| {
                let mut keys: Vec<(&str, &str)> = COMPLETE.to_vec();
                for (k, v) in changes.iter() {
                    keys.retain(|(kk, _)| kk != k);
                    if let Some(v) = v {
                        keys.push((k, v));
                    }
                }
                let mut c = cluster_with(&keys);
                c.address = format!("module.c{i}");
                c
            })
            .collect()
    }

    pub(crate) fn run(id: &str, cases: &[Case]) {
        run_with(id, &Context::default(), |_| {}, cases)
    }

    /// A token as the plan resolves it (sensitive, from the module call).
    pub(crate) fn token(v: &str) -> crate::model::Resolved {
        crate::model::Resolved {
            value: crate::model::Value::Known(v.into()),
            provenance: crate::model::Provenance::Configuration,
            sensitive: true,
        }
    }

    /// Each cluster's token is `now`, and the prior state's `before` (`None`: no prior state).
    pub(crate) fn tokens(now: &'static str, before: Option<&'static str>) -> impl Fn(&mut Vec<Cluster>) {
        move |cs: &mut Vec<Cluster>| {
            for c in cs.iter_mut() {
                c.token.state = crate::model::TokenState::Resolved(token(now));
                c.prior.token = before.map(token);
                c.action = if before.is_some() { crate::model::Action::Update } else { crate::model::Action::Create };
            }
        }
    }

    /// `adjust` changes each case's clusters before the rule sees them.
    pub(crate) fn run_with(id: &str, ctx: &Context, adjust: impl Fn(&mut Vec<Cluster>), cases: &[Case]) {
        let rule = find(id).expect("a rule with this ID");
        for case in cases {
            let mut cs = clusters(case.clusters);
            adjust(&mut cs);
            let drafts: Vec<Draft> = match rule.check {
                Check::Cluster(f) => cs.iter().flat_map(|c| f(c, ctx)).collect(),
                Check::NotRead(f) => cs.iter().flat_map(f).collect(),
                Check::Fleet(f) => f(&cs, ctx),
            };
            let got: Vec<(usize, String, &str)> = drafts
                .iter()
                .map(|d| {
                    let i = cs.iter().position(|c| c.address == d.cluster).expect("a finding names its cluster");
                    (i, d.key.clone().unwrap_or_default(), d.message.as_str())
                })
                .collect();
            assert_eq!(got.len(), case.expect.len(), "{id} {}: {got:#?}", case.name);
            for ((i, key, fragment), (gi, gkey, message)) in case.expect.iter().zip(&got) {
                assert_eq!((*i, *key), (*gi, gkey.as_str()), "{id} {}: {message}", case.name);
                assert!(message.contains(fragment), "{id} {}: {message:?} lacks {fragment:?}", case.name);
                assert!(message.starts_with(&format!("module.c{gi}")), "{id} {}: names its cluster first", case.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_documented() {
        let ids: Vec<_> = all().iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for r in all() {
            assert!(r.doc.contains("## Fix"), "{} has no fix section", r.id);
        }
    }
}
