//! Any input gives a report or an error value — never a panic (SPEC §8). Deterministic mutations
//! of every real fixture (truncations, byte flips, type swaps, deep nesting, huge strings); the
//! WASM build aborts on panic, so a panic here would be a trap there.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use etcd_backup_policy::{format, Options, Session};

fn fixtures() -> Vec<(String, Vec<u8>)> {
    common::all_cases()
        .into_iter()
        .map(|c| {
            let b = common::fixture(&c);
            (c, b)
        })
        .collect()
}

/// Evaluates and renders every format; returns whether the input was accepted.
fn run(bytes: &[u8]) -> bool {
    let outcome = std::panic::catch_unwind(|| {
        let mut s = Session::new(Options::default());
        match s.add_plan("p", bytes) {
            Ok(()) => {
                for f in format::FORMATS {
                    s.render(f).unwrap();
                }
                let _ = s.fingerprint(None);
                true
            }
            Err(e) => {
                assert!(!e.to_string().contains('\n'), "multi-line error");
                false
            }
        }
    });
    outcome.unwrap_or_else(|_| panic!("panicked on input of {} bytes", bytes.len()))
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn truncations_and_byte_flips_never_panic() {
    let mut rng = Lcg(7);
    for (_, text) in fixtures() {
        for _ in 0..40 {
            let cut = rng.next(text.len());
            run(&text[..cut]);
            let mut flipped = text.clone();
            for _ in 0..4 {
                let i = rng.next(flipped.len());
                flipped[i] = b"{}[]\",:0\\ntfx\xff"[rng.next(14)];
            }
            run(&flipped);
        }
    }
}

#[test]
fn wrong_types_in_every_section_never_panic() {
    let plan: serde_json::Value = serde_json::from_slice(&common::fixture("token-changed")).unwrap();
    let replacements = [
        serde_json::json!(null),
        serde_json::json!(1),
        serde_json::json!("x"),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!([{}]),
        serde_json::json!({"a": [1, {"b": null}]}),
    ];
    // Replace every value at every path (up to a depth) by each replacement in turn.
    fn paths(v: &serde_json::Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>, depth: usize) {
        if depth > 6 {
            return;
        }
        out.push(prefix.clone());
        match v {
            serde_json::Value::Object(m) => m.iter().for_each(|(k, c)| {
                let mut p = prefix.clone();
                p.push(k.clone());
                paths(c, p, out, depth + 1)
            }),
            serde_json::Value::Array(a) => a.iter().enumerate().take(3).for_each(|(i, c)| {
                let mut p = prefix.clone();
                p.push(i.to_string());
                paths(c, p, out, depth + 1)
            }),
            _ => {}
        }
    }
    let mut all = Vec::new();
    paths(&plan, vec![], &mut all, 0);
    let mut rng = Lcg(11);
    for path in all.iter().filter(|p| !p.is_empty()) {
        let mut v = plan.clone();
        let mut slot = &mut v;
        for seg in path {
            slot = match slot {
                serde_json::Value::Object(m) => m.get_mut(seg).unwrap(),
                serde_json::Value::Array(a) => &mut a[seg.parse::<usize>().unwrap()],
                _ => unreachable!(),
            };
        }
        *slot = replacements[rng.next(replacements.len())].clone();
        run(v.to_string().as_bytes());
    }
}

#[test]
fn deep_nesting_and_huge_strings_never_panic() {
    for depth in [100, 127, 128, 129, 10_000, 1_000_000] {
        run("[".repeat(depth).as_bytes());
        let nested = format!(
            r#"{{"format_version":"1.2","resource_changes":[{{"address":"a","change":{{"after":{}1{}}}}}]}}"#,
            "[".repeat(depth.min(126)),
            "]".repeat(depth.min(126))
        );
        run(nested.as_bytes());
    }
    let huge = "A".repeat(16 << 20);
    let plan = format!(
        r#"{{"format_version":"1.2","configuration":{{"root_module":{{"module_calls":{{"k8s":{{"expressions":{{"etcd_backup":{{"references":["var.x"]}}}}}}}}}}}},"resource_changes":[{{"address":"module.k8s.x.y","module_address":"module.k8s","change":{{"actions":["create"],"after":{{"user_data":"{huge}","etcd_backup":{{"s3-bucket":"{huge}"}}}}}}}}]}}"#
    );
    assert!(run(plan.as_bytes()));
}

#[test]
fn encoded_bombs_are_bounded() {
    use base64::Engine;
    use std::io::Write;
    // 1 GiB of zeros gzips to ~1 MB: decoding must stop at its limit, not exhaust memory.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        e.write_all(&zeros).unwrap();
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(e.finish().unwrap());
    let plan = format!(
        r#"{{"format_version":"1.2","configuration":{{"root_module":{{"module_calls":{{"k8s":{{"expressions":{{"etcd_backup":{{"references":["var.x"]}}}}}}}}}}}},"resource_changes":[{{"address":"module.k8s.x.y","module_address":"module.k8s","change":{{"actions":["create"],"after":{{"user_data":"{b64}"}}}}}}]}}"#
    );
    assert!(run(plan.as_bytes()));
}
