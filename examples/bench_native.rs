//! Native evaluation time of plan files: `cargo run --release --example bench_native -- FILE...`.
use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        let mut best = f64::MAX;
        let mut clusters = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let mut s = etcd_backup_policy::Session::new(Default::default());
            s.add_plan(&path, &bytes).unwrap();
            let r = s.report_ref();
            clusters = r.clusters.len();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{{\"file\":\"{path}\",\"mb\":{:.1},\"clusters\":{clusters},\"native_ms\":{:.1}}}",
            bytes.len() as f64 / 1048576.0,
            best * 1000.0
        );
    }
}
