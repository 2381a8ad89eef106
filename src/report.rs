//! The one report model (SPEC §4). Every format renders this; nothing in it is a secret.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::location::{self, Location};
use crate::model::{Action, Backup, Cluster, Resolved, TokenState, Value};
use crate::rules::Draft;
use crate::rules::{self, Severity};
use crate::{lineage, redact, settings};

pub const TOOL_NAME: &str = "etcd-backup-policy";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Serialize, Debug, Clone)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub deny: Vec<String>,
    pub warn: Vec<String>,
    pub findings: Vec<Finding>,
    pub clusters: Vec<ClusterReport>,
    /// `.tf` files given with `--config` that could not be parsed (`file:line:column: what`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub config_errors: Vec<String>,
    pub summary: Summary,
    /// Per plan, the repository path of its configuration directory (`--source-root`): where
    /// SARIF and GitHub annotations find the `.tf` files. Not part of the JSON model.
    #[serde(skip)]
    pub source_roots: BTreeMap<String, String>,
}

impl Report {
    /// The findings of each cluster, by (plan, address), in report order: built once, so that a
    /// format's walk over the clusters is linear (fleets have thousands of both).
    pub fn findings_by_cluster(&self) -> std::collections::HashMap<(&str, &str), Vec<&Finding>> {
        let mut m: std::collections::HashMap<(&str, &str), Vec<&Finding>> = std::collections::HashMap::new();
        for f in &self.findings {
            m.entry((f.plan.as_str(), f.cluster.as_str())).or_default().push(f);
        }
        m
    }

    /// A finding's `.tf` file as a repository path, when it has a source.
    pub fn repo_path(&self, f: &Finding) -> Option<String> {
        let src = f.source.as_ref()?;
        Some(match self.source_roots.get(&f.plan).map(|r| r.trim_matches('/')).filter(|r| !r.is_empty() && *r != ".") {
            Some(root) => format!("{root}/{}", src.file),
            None => src.file.clone(),
        })
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub cluster: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub plan: String,
    pub message: String,
    pub remediation: String,
    /// The module profile that read the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Where in the configuration (`--config`) the finding points: the key's value, or the
    /// cluster's module block when the key is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::model::Pos>,
}

impl Finding {
    /// The one-line form used in `deny`/`warn`: message, fix, rule ID.
    pub fn line(&self) -> String {
        format!("{}; fix: {} [{}]", self.message, self.remediation, self.rule)
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct ClusterReport {
    pub address: String,
    pub plan: String,
    /// The module profile that read it; `null` when none did (EB004) or when only what a deleted
    /// module call left behind was read.
    pub profile: Option<String>,
    pub action: &'static str,
    /// `configured`, `not-set`, `unresolved`, or `not-read` (no profile reads it: EB004).
    pub backup: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The effective snapshot schedule (the key, or k3s's default) and its average interval.
    pub schedule: Option<String>,
    pub interval_s: Option<u64>,
    /// Local retention (snapshot-retention) and S3 retention (s3-retention), effective values.
    pub retention: Option<i64>,
    pub s3_retention: Option<i64>,
    /// How far back the kept snapshots reach, locally and in S3; `null` when unbounded or unknown.
    pub window_s: Option<u64>,
    pub s3_window_s: Option<u64>,
    /// Whether creating this cluster would restore a snapshot; `null` when it cannot be known.
    pub restore: Option<bool>,
    pub keys: BTreeMap<String, KeyReport>,
    pub token: TokenReport,
}

#[derive(Serialize, Debug, Clone)]
pub struct KeyReport {
    /// `null` when sensitive or unknown.
    pub value: Option<String>,
    pub source: &'static str,
    /// Where exactly: `var.x`, `module.k8s.terraform_data.server.input.etcd_backup`, …
    pub from: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

#[derive(Serialize, Debug, Clone)]
pub struct TokenReport {
    pub source: &'static str,
    /// `unchanged`, `changed`, `regenerated`, `unverified`, `known`, `unknown`, `not-set` (the
    /// module generates one), `unresolved`, or `deleted` (the cluster is being deleted).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

#[derive(Serialize, Debug, Clone, Default)]
pub struct Summary {
    pub plans: usize,
    pub clusters: usize,
    pub deny: usize,
    pub warn: usize,
    /// Clusters a profile read and this plan keeps: what the rules checked.
    pub checked: usize,
    /// `fail` (a denial), `incomplete` (a kept cluster's settings could not be read: none of them
    /// is checked), `nothing-checked` (no cluster a profile read, or only ones being deleted), or
    /// `pass`. Exit codes follow denials alone; the verdict says what a pass is worth.
    pub verdict: &'static str,
    /// Why the verdict is `incomplete` or `nothing-checked`; empty otherwise.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Summary {
    /// The verdict in words, lower case: `nothing checked`, `incomplete`, `pass`, `fail`.
    pub fn verdict_words(&self) -> &'static str {
        match self.verdict {
            "fail" => "fail",
            "incomplete" => "incomplete",
            "nothing-checked" => "nothing checked",
            _ => "pass",
        }
    }

    /// The verdict as a line begins: `FAIL`, `PASS`, `INCOMPLETE`, `NOTHING CHECKED` (ASCII upper
    /// case: no Unicode tables in the WASM).
    pub fn verdict_word(&self) -> String {
        self.verdict_words().to_ascii_uppercase()
    }
}

/// What a pass is worth: nothing when no cluster was checked, partial when a kept cluster's
/// settings could not be read.
fn verdict(clusters: &[Cluster], deny: usize) -> (&'static str, String, usize) {
    let kept: Vec<&Cluster> = clusters.iter().filter(|c| c.is_read() && c.action != Action::Delete).collect();
    let unresolved = kept.iter().filter(|c| matches!(c.backup, Backup::Unresolved { .. })).count();
    if deny > 0 {
        return ("fail", String::new(), kept.len());
    }
    if kept.is_empty() {
        let note = if clusters.is_empty() {
            "no k3s/RKE2 cluster found: nothing was checked".to_string()
        } else {
            "every k3s/RKE2 cluster found is being deleted: nothing was checked".to_string()
        };
        return ("nothing-checked", note, 0);
    }
    if unresolved > 0 {
        let note = format!(
            "the settings of {unresolved} of {} cluster(s) cannot be read from the plan, so they are not checked (EB002): give the Terraform configuration (--config DIR)",
            kept.len()
        );
        return ("incomplete", note, kept.len());
    }
    ("pass", String::new(), kept.len())
}

fn key_report(r: &Resolved) -> KeyReport {
    KeyReport {
        value: if r.sensitive { None } else { r.display().map(|v| v.into_owned()) },
        source: r.provenance.source(),
        from: r.provenance.describe(),
        sensitive: r.sensitive,
        unknown: r.value == Value::Unknown,
    }
}

/// How the token compares with what the snapshots were written with: `regenerated` (from a
/// resource this plan creates), `unchanged`/`changed` (against the prior state, else the baseline),
/// `unverified` (created or replaced with nothing to compare), otherwise `known`/`unknown`.
fn token_status(c: &Cluster, r: &Resolved, ctx: &rules::Context) -> &'static str {
    if c.action == Action::Delete {
        return "deleted";
    }
    if c.token.regenerated_by.is_some() {
        return "regenerated";
    }
    let Some(token) = r.known() else { return "unknown" };
    // Its own prior token, else those of deleted clusters that wrote to its location.
    let mut priors = c.prior_tokens().peekable();
    if priors.peek().is_some() {
        return if priors.all(|(p, _)| p == token) { "unchanged" } else { "changed" };
    }
    if let Some(loc) = location::of(c) {
        if let Some(recorded) = ctx.baseline.get(&loc.key()) {
            return if *recorded == crate::fingerprint::of(loc, token) { "unchanged" } else { "changed" };
        }
    }
    if matches!(c.action, Action::Create | Action::Replace) {
        "unverified"
    } else {
        "known"
    }
}

fn cluster_report(c: &Cluster, ctx: &rules::Context) -> ClusterReport {
    let keys = match &c.backup {
        Backup::Keys(k) => crate::order::map(k.iter().map(|(name, r)| (name.clone(), key_report(r)))),
        _ => BTreeMap::new(),
    };
    let token = match &c.token.state {
        TokenState::Resolved(r) => TokenReport {
            source: r.provenance.source(),
            status: token_status(c, r, ctx),
            from: Some(r.provenance.describe()),
        },
        TokenState::NotSet => TokenReport {
            source: "module",
            status: if c.token.regenerated_by.is_some() { "regenerated" } else { "not-set" },
            from: None,
        },
        TokenState::Unresolved { .. } if c.action == Action::Delete => {
            TokenReport { source: "prior-state", status: "deleted", from: None }
        }
        TokenState::Unresolved { .. } => TokenReport { source: "unresolved", status: "unresolved", from: None },
    };
    let configured = matches!(c.backup, Backup::Keys(_));
    let interval = configured.then(|| settings::interval_s(c)).flatten();
    let window = |n: Option<i64>| match (n, interval) {
        (Some(n), Some(i)) => settings::window(n, i).map(|w| w.round() as u64),
        _ => None,
    };
    ClusterReport {
        address: c.address.clone(),
        plan: c.plan.clone(),
        profile: c.profile().map(|p| p.name.clone()),
        action: c.action.as_str(),
        backup: match c.backup {
            _ if !c.is_read() => "not-read",
            Backup::Keys(_) => "configured",
            Backup::NotSet { .. } => "not-set",
            Backup::Unresolved { .. } => "unresolved",
        },
        // A cluster being deleted shows where it wrote before.
        location: location::of(c)
            .cloned()
            .or_else(|| (c.action == Action::Delete).then(|| lineage::prior_location(c)).flatten()),
        schedule: configured
            .then(|| settings::schedule_text(c).map(|s| redact::url_credentials(s).into_owned()))
            .flatten(),
        interval_s: interval.map(|i| i.round() as u64),
        retention: configured.then(|| settings::retention(c)).flatten(),
        s3_retention: configured.then(|| settings::s3_retention(c)).flatten(),
        window_s: window(settings::retention(c)),
        s3_window_s: window(settings::s3_retention(c)),
        // A cluster being deleted is not created again by this plan: it restores nothing.
        restore: if c.action == Action::Delete { Some(false) } else { settings::restore_enabled(c) },
        keys,
        token,
    }
}

/// Where a finding about `key` of `c` points in the configuration.
fn source_of(c: &Cluster, key: Option<&str>) -> Option<crate::model::Pos> {
    let token = c.token_input();
    let provenance = key.and_then(|k| match k {
        k if k == token => match &c.token.state {
            TokenState::Resolved(r) => Some(&r.provenance),
            _ => None,
        },
        k => c.key(k).map(|r| &r.provenance),
    });
    match provenance {
        Some(crate::model::Provenance::ConfigurationFile { file, line, column, .. }) => {
            Some(crate::model::Pos { file: file.clone(), line: *line, column: *column })
        }
        _ if key == Some(token) => c.token_at.clone().or_else(|| c.block.clone()),
        _ => c.block.clone(),
    }
}

pub fn build(plans: usize, clusters: &[Cluster], severities: &rules::Severities, ctx: &rules::Context) -> Report {
    let by_address: std::collections::HashMap<(&str, &str), &Cluster> =
        clusters.iter().map(|c| ((c.plan.as_str(), c.address.as_str()), c)).collect();
    let mut findings = Vec::new();
    for (rule, sev, d) in rules::run(clusters, severities, ctx) {
        // Rules quote values only through `shown`, which hides secrets; this is the second lock:
        // no URL credentials in any message, whichever way a value reached it.
        let clean = |s: String| match redact::url_credentials(&s) {
            std::borrow::Cow::Borrowed(_) => s,
            std::borrow::Cow::Owned(o) => o,
        };
        let d = Draft { message: clean(d.message), remediation: clean(d.remediation), ..d };
        let cluster = by_address.get(&(d.plan.as_str(), d.cluster.as_str()));
        let source = cluster.and_then(|c| source_of(c, d.key.as_deref()));
        findings.push(Finding {
            source,
            profile: cluster.and_then(|c| c.profile()).map(|p| p.name.clone()),
            rule: rule.id,
            name: rule.name,
            severity: sev.as_str(),
            cluster: d.cluster,
            key: d.key,
            plan: d.plan,
            message: d.message,
            remediation: d.remediation,
        });
    }
    let lines =
        |s: Severity| findings.iter().filter(|f| f.severity == s.as_str()).map(Finding::line).collect::<Vec<_>>();
    let (deny, warn) = (lines(Severity::Deny), lines(Severity::Warn));
    let (verdict, note, checked) = verdict(clusters, deny.len());
    Report {
        version: 1,
        tool: Tool { name: TOOL_NAME, version: TOOL_VERSION },
        summary: Summary {
            plans,
            clusters: clusters.len(),
            deny: deny.len(),
            warn: warn.len(),
            checked,
            verdict,
            note,
        },
        deny,
        warn,
        findings,
        clusters: clusters.iter().map(|c| cluster_report(c, ctx)).collect(),
        config_errors: Vec::new(),
        source_roots: BTreeMap::new(),
    }
}
