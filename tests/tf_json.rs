//! Roots written as JSON (`main.tf.json`): Terraform puts their `"${...}"` strings into the plan's
//! `constant_value` (with the references beside them). Those are expressions, not literals: no
//! false EB110 for `"${var.secret}"`, no false EB301 for a token compared as the text
//! `"${var.cluster_token}"` (SPEC §2, last paragraph of source 5).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::fixture;
use etcd_backup_policy::{Options, Session};
use serde_json::Value;

fn report(case: &str) -> Value {
    let mut s = Session::new(Options::default());
    s.add_plan(case, &fixture(case)).unwrap();
    serde_json::to_value(s.report()).unwrap()
}

fn rules(r: &Value) -> Vec<&str> {
    r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect()
}

#[test]
fn template_strings_in_constant_value_are_variables_not_literals() {
    let plan: Value = serde_json::from_slice(&fixture("tf-json-root")).unwrap();
    let expr = &plan["configuration"]["root_module"]["module_calls"]["k8s"]["expressions"];
    assert_eq!(
        expr["etcd_backup"]["constant_value"]["s3-secret-key"], "${var.backup_secret_key}",
        "what Terraform records"
    );
    let r = report("tf-json-root");
    assert_eq!(rules(&r), vec!["EB303"], "no EB110: the keys come from sensitive variables");
    let keys = &r["clusters"][0]["keys"];
    assert_eq!(keys["s3-secret-key"]["from"], "var.backup_secret_key");
    assert_eq!(keys["s3-bucket"]["value"], "tfjson-etcd");
    assert_eq!(r["clusters"][0]["token"]["from"], "var.cluster_token");
}

#[test]
fn a_json_root_with_an_unchanged_token_passes() {
    let r = report("tf-json-unchanged");
    assert_eq!(rules(&r), Vec::<&str>::new(), "no false EB301 from comparing the text \"${{var.cluster_token}}\"");
    assert_eq!(r["clusters"][0]["token"]["status"], "unchanged");
}
