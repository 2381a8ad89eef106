//! The Rego in policies/, evaluated with a Rego engine (regorus) on reports the plugin produced.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::fixture;
use etcd_backup_policy::{Options, Session};
use serde_json::{json, Value};

fn report(case: &str) -> Value {
    let mut s = Session::new(Options::default());
    s.add_plan(case, &fixture(case)).unwrap();
    serde_json::from_str(&s.render("json").unwrap()).unwrap()
}

/// Evaluates `rule` of the policy file on `input`; returns the set as a sorted list of strings.
fn eval(policy: &str, rule: &str, input: &Value) -> Vec<String> {
    let path = format!("{}/policies/{policy}", env!("CARGO_MANIFEST_DIR"));
    let mut engine = regorus::Engine::new();
    engine.add_policy(path.clone(), std::fs::read_to_string(&path).unwrap()).unwrap();
    engine.set_input_json(&input.to_string()).unwrap();
    let v = engine.eval_rule(rule.to_string()).unwrap();
    let json: Value = serde_json::from_str(&v.to_json_str().unwrap()).unwrap();
    let mut out: Vec<String> =
        json.as_array().cloned().unwrap_or_default().into_iter().map(|m| m.as_str().unwrap().to_string()).collect();
    out.sort();
    out
}

fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v.as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
    out.sort();
    out
}

#[test]
fn spacelift_policy_hands_on_deny_and_warn_from_the_custom_input() {
    let r = report("missing-bucket");
    let input = json!({ "spacelift": { "run": { "type": "PROPOSED" } }, "third_party_metadata": { "custom": { "etcd_backup": r } } });
    let deny = eval("spacelift/etcd_backup.rego", "data.spacelift.deny", &input);
    assert_eq!(deny, sorted(&r["deny"]));
    assert!(deny[0].ends_with("[EB101]"));
    assert_eq!(eval("spacelift/etcd_backup.rego", "data.spacelift.warn", &input), sorted(&r["warn"]));
}

#[test]
fn spacelift_policy_passes_a_clean_report_and_fails_closed_without_one() {
    let r = report("unrelated");
    let input = json!({ "third_party_metadata": { "custom": { "etcd_backup": r } } });
    assert_eq!(eval("spacelift/etcd_backup.rego", "data.spacelift.deny", &input), Vec::<String>::new());
    let missing = eval("spacelift/etcd_backup.rego", "data.spacelift.deny", &json!({ "spacelift": {} }));
    assert_eq!(missing.len(), 1);
    assert!(missing[0].contains("no report"));
}

#[test]
fn conftest_policy_on_reports() {
    let r = report("fleet-shared");
    assert_eq!(eval("conftest/etcd_backup.rego", "data.main.deny", &r), sorted(&r["deny"]));
    assert_eq!(eval("conftest/etcd_backup.rego", "data.main.warn", &r), sorted(&r["warn"]));
    assert_eq!(eval("conftest/etcd_backup.rego", "data.main.deny", &report("unrelated")), Vec::<String>::new());
    let raw_plan: Value = serde_json::from_slice(&fixture("seed")).unwrap();
    let wrong = eval("conftest/etcd_backup.rego", "data.main.deny", &raw_plan);
    assert_eq!(wrong.len(), 1);
    assert!(wrong[0].contains("not an etcd-backup-policy report"));
}
