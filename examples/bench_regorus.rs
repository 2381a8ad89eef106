//! The peer benchmark: the same plans checked by regorus (a Rust Rego engine) running
//! bench/peer.rego, next to etcd-backup-policy natively, both from the file's bytes to the deny
//! list. Prints one JSON line per plan (best of 5) with the ratio.
//! `cargo run --release --example bench_regorus -- FILE...`
use std::time::Instant;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut b = f64::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let o = f();
        b = b.min(t.elapsed().as_secs_f64());
        out = Some(o);
    }
    (b * 1000.0, out.expect("runs > 0"))
}

fn main() {
    let policy_path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/peer.rego");
    let policy = std::fs::read_to_string(policy_path).expect("bench/peer.rego");
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("plan file");
        let (ours_ms, deny) = best(5, || {
            let mut s = etcd_backup_policy::Session::new(Default::default());
            s.add_plan(&path, &bytes).expect("plan");
            s.report_ref().deny.len()
        });
        let (peer_ms, peer_deny) = best(5, || {
            let mut engine = regorus::Engine::new();
            engine.add_policy(policy_path.to_string(), policy.clone()).expect("policy");
            let text = std::str::from_utf8(&bytes).expect("utf-8");
            engine.set_input(regorus::Value::from_json_str(text).expect("input"));
            let v = engine.eval_rule("data.peer.deny".to_string()).expect("eval");
            v.as_set().map(|s| s.len()).unwrap_or(0)
        });
        println!(
            "{{\"file\":\"{path}\",\"mb\":{:.1},\"ours_ms\":{ours_ms:.1},\"regorus_ms\":{peer_ms:.1},\"ratio\":{:.2},\"ours_deny\":{deny},\"regorus_deny\":{peer_deny}}}",
            bytes.len() as f64 / 1048576.0,
            ours_ms / peer_ms
        );
    }
}
