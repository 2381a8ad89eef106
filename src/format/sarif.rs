//! SARIF 2.1.0 (OASIS), for GitHub code scanning. Every rule is in the driver with its help text,
//! `security-severity` and tags. With `--config` a result points at the `.tf` line of the value
//! (or of the `etcd_backup` argument when the key is absent), as a repository path
//! (`--source-root`); without it, at the plan file with the cluster as logical location.
//! `partialFingerprints` hash what a finding is about — rule, plan, cluster, key — never its line,
//! so an edit that only moves lines keeps the alert.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::report::{Finding, Report, TOOL_NAME, TOOL_VERSION};
use crate::rules::{self, Rule, Severity};

fn level(s: &str) -> &'static str {
    if s == "deny" {
        "error"
    } else {
        "warning"
    }
}

/// Rules about credentials and transport are security findings; the rest guard the backups'
/// reliability (restores that fail, snapshots that are lost).
const SECURITY: &[&str] = &["EB105", "EB109", "EB110"];

/// GitHub's scale: 9.0+ critical, 7.0+ high, 4.0+ medium.
fn security_severity(rule: &Rule) -> &'static str {
    match (SECURITY.contains(&rule.id), rule.default) {
        (true, Severity::Deny) => "9.0",
        (true, _) => "7.5",
        (false, Severity::Deny) => "7.0",
        (false, _) => "4.0",
    }
}

fn tags(rule: &Rule) -> Vec<&'static str> {
    let kind = if SECURITY.contains(&rule.id) { "security" } else { "reliability" };
    vec![kind, "terraform", "k3s", "etcd-backup"]
}

fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    for part in [f.rule, f.plan.as_str(), f.cluster.as_str(), f.key.as_deref().unwrap_or("")] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn location(r: &Report, f: &Finding) -> Value {
    let logical = json!([{ "fullyQualifiedName": f.cluster, "kind": "module" }]);
    match (r.repo_path(f), &f.source) {
        (Some(path), Some(src)) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": path, "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": src.line, "startColumn": src.column },
            },
            "logicalLocations": logical,
        }),
        _ => json!({
            "physicalLocation": { "artifactLocation": { "uri": f.plan } },
            "logicalLocations": logical,
        }),
    }
}

/// `rule_docs_url`: where `docs/rules/<ID>.md` are published, for each rule's `helpUri`.
/// The run's outcome: SARIF has no verdict, so a run that checked nothing (or not everything) says so
/// in a tool notification rather than looking like a clean scan.
fn invocation(r: &Report) -> Value {
    let mut inv = json!({ "executionSuccessful": true });
    if !r.summary.note.is_empty() {
        let level = if r.summary.verdict == "incomplete" { "warning" } else { "note" };
        inv["toolExecutionNotifications"] = json!([{ "level": level, "message": { "text": r.summary.note } }]);
    }
    inv
}

pub fn render(r: &Report, rule_docs_url: Option<&str>) -> Result<String, crate::error::Error> {
    let all = rules::all();
    let driver_rules: Vec<Value> = all
        .iter()
        .map(|rule| {
            let mut d = json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.summary },
                "help": { "text": rule.doc, "markdown": rule.doc },
                "defaultConfiguration": { "level": if rule.default == Severity::Deny { "error" } else { "warning" } },
                "properties": { "security-severity": security_severity(rule), "tags": tags(rule) },
            });
            if let Some(base) = rule_docs_url {
                d["helpUri"] = json!(format!("{base}/{}.md", rule.id));
            }
            d
        })
        .collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "ruleIndex": all.iter().position(|x| x.id == f.rule).unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": format!("{}. Fix: {}", f.message, f.remediation) },
                "locations": [location(r, f)],
                "partialFingerprints": { "etcdBackupPolicy/v1": fingerprint(f) },
                "properties": { "cluster": f.cluster, "key": f.key, "severity": f.severity, "plan": f.plan },
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": TOOL_NAME, "version": TOOL_VERSION, "semanticVersion": TOOL_VERSION, "rules": driver_rules } },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "the repository root (--source-root)" } } },
            "results": results,
            "invocations": [invocation(r)],
        }],
    });
    super::json::pretty(&doc, "SARIF log")
}
