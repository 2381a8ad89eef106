//! The engine compiled to WebAssembly, run in Node by wasm-bindgen-test: the same behaviour as
//! natively, through the exported bindings, and errors instead of traps.
#![cfg(target_arch = "wasm32")]

use etcd_backup_policy::{Evaluation, Options, Session};
use wasm_bindgen_test::*;

const SEED: &[u8] = include_bytes!("fixtures/seed/plan.json");
const SEED_OTHER_TOKEN: &[u8] = include_bytes!("fixtures/seed-other-token/plan.json");
const MISSING_BUCKET: &[u8] = include_bytes!("fixtures/missing-bucket/plan.json");
const FIRST_CREATE: &[u8] = include_bytes!("fixtures/first-create/plan.json");

#[wasm_bindgen_test]
fn seed_resolves_in_wasm() {
    let mut s = Session::new(Options::default());
    s.add_plan("seed", SEED).unwrap();
    let r = s.report();
    assert_eq!(r.findings.iter().map(|f| f.rule).collect::<Vec<_>>(), ["EB303"]);
    assert_eq!(r.clusters[0].keys.len(), 8);
}

#[wasm_bindgen_test]
fn missing_bucket_through_the_bindings() {
    let mut e = Evaluation::new("{}").ok().unwrap();
    e.add_plan("p.json", MISSING_BUCKET).ok().unwrap();
    let json: serde_json::Value = serde_json::from_str(&e.render("json").ok().unwrap()).unwrap();
    assert_eq!(json["findings"][0]["rule"], "EB101");
    assert_eq!(json["findings"][0]["key"], "s3-bucket");
    let summary: serde_json::Value = serde_json::from_str(&e.summary_json().ok().unwrap()).unwrap();
    assert_eq!(summary["deny"], 1);
}

#[wasm_bindgen_test]
fn first_create_is_unresolved_in_wasm() {
    let mut s = Session::new(Options::default());
    s.add_plan("p", FIRST_CREATE).unwrap();
    assert!(s.report().findings.iter().any(|f| f.rule == "EB002"));
}

#[wasm_bindgen_test]
fn baseline_round_trip_in_wasm() {
    let mut e = Evaluation::new("{}").ok().unwrap();
    e.add_plan("seed", SEED).ok().unwrap();
    let baseline = e.fingerprint_json("").ok().unwrap();
    assert!(!baseline.contains("DO-NOT-LEAK"));
    let options = format!(r#"{{"data": {baseline}}}"#);
    let mut other = Evaluation::new(&options).ok().unwrap();
    other.add_plan("other", SEED_OTHER_TOKEN).ok().unwrap();
    assert!(other.render("opa").ok().unwrap().contains("[EB301]"));
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_value() {
    for bad in [&SEED[..SEED.len() / 2], b"[1,2]".as_slice(), b"{\"format_version\":\"9.0\"}", b"\xff\xfe", b""] {
        let mut s = Session::new(Options::default());
        assert!(s.add_plan("p", bad).is_err());
    }
    let deep = "[".repeat(100_000);
    assert!(Session::new(Options::default()).add_plan("p", deep.as_bytes()).is_err());
    assert!(Evaluation::new("{\"rules\": 5}").is_err());
    let e = Evaluation::new("{}").ok().unwrap();
    assert!(e.render("yaml").is_err());
    assert!(e.fingerprint_json("[").is_err());
}

#[wasm_bindgen_test]
fn errors_carry_a_code_and_inventory_needs_a_stack() {
    let code = |e: wasm_bindgen::JsValue| js_sys::Reflect::get(&e, &"code".into()).unwrap().as_string().unwrap();
    let e = Evaluation::new(r#"{"data": {"etcd_backup": {"baselines": {}}}}"#).err().unwrap();
    assert_eq!(code(e), "EBP_DATA");
    let mut ev = Evaluation::new("{}").ok().unwrap();
    assert_eq!(code(ev.add_plan("p", b"[1]").err().unwrap()), "EBP_PLAN");
    ev.add_plan("seed", SEED).ok().unwrap();
    assert_eq!(code(ev.inventory_json("").err().unwrap()), "EBP_USAGE");
    let mut ev = Evaluation::new(r#"{"stack": "prod"}"#).ok().unwrap();
    ev.add_plan("seed", SEED).ok().unwrap();
    assert!(ev.inventory_json("").ok().unwrap().contains(r#""stack": "prod""#));
}
