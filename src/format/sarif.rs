//! SARIF 2.1.0 (OASIS), for code-scanning uploads. Every rule is in the driver with its help text;
//! a finding's location is the plan file, its logical location the cluster address.

use serde_json::{json, Value};

use crate::report::{Report, TOOL_NAME, TOOL_VERSION};
use crate::rules::{self, Severity};

fn level(s: &str) -> &'static str {
    if s == "deny" {
        "error"
    } else {
        "warning"
    }
}

pub fn render(r: &Report) -> Result<String, crate::error::Error> {
    let all = rules::all();
    let driver_rules: Vec<Value> = all
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.summary },
                "help": { "text": rule.doc, "markdown": rule.doc },
                "defaultConfiguration": { "level": if rule.default == Severity::Deny { "error" } else { "warning" } },
            })
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
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": f.plan } },
                    "logicalLocations": [{ "fullyQualifiedName": f.cluster, "kind": "module" }],
                }],
                "partialFingerprints": { "cluster/rule/key": format!("{}/{}/{}", f.cluster, f.rule, f.key.as_deref().unwrap_or("")) },
                "properties": { "cluster": f.cluster, "key": f.key, "severity": f.severity },
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": TOOL_NAME, "version": TOOL_VERSION, "semanticVersion": TOOL_VERSION, "rules": driver_rules } },
            "results": results,
        }],
    });
    super::json::pretty(&doc, "SARIF log")
}
