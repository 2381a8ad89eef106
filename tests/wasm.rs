//! The engine compiled to WebAssembly, run in Node by wasm-bindgen-test: the same behaviour as
//! natively, and errors instead of traps.
#![cfg(target_arch = "wasm32")]

use etcd_backup_policy::{Options, Session};
use wasm_bindgen_test::*;

const SEED: &[u8] = include_bytes!("fixtures/seed/plan.json");
const MISSING_BUCKET: &[u8] = include_bytes!("fixtures/missing-bucket/plan.json");

#[wasm_bindgen_test]
fn seed_resolves_in_wasm() {
    let mut s = Session::new(Options::default());
    s.add_plan("seed", SEED).unwrap();
    let r = s.report();
    assert!(r.findings.is_empty());
    assert_eq!(r.clusters[0].keys.len(), 8);
}

#[wasm_bindgen_test]
fn missing_bucket_in_wasm() {
    let mut s = Session::new(Options::default());
    s.add_plan("p", MISSING_BUCKET).unwrap();
    let r = s.report();
    assert_eq!(r.findings[0].rule, "EB101");
    assert_eq!(r.findings[0].key.as_deref(), Some("s3-bucket"));
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_value() {
    for bad in [&SEED[..SEED.len() / 2], b"[1,2]".as_slice(), b"{\"format_version\":\"9.0\"}", b"\xff\xfe"] {
        let mut s = Session::new(Options::default());
        assert!(s.add_plan("p", bad).is_err());
    }
    let deep = "[".repeat(100_000);
    assert!(Session::new(Options::default()).add_plan("p", deep.as_bytes()).is_err());
}
