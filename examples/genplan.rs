//! Generates a large plan for the benchmark:
//! `cargo run --release --example genplan -- SIZE_MB OUT [CLUSTERS] [shared]`: CLUSTERS clusters
//! (default one per ~200 KB) padded to SIZE_MB; `shared`: all in one backup location (EB201 each).
//! It is the real for-each fixture's shape (clusters of the k3s-map stand-in, one per for_each key)
//! scaled up, padded with unrelated resources whose attributes carry base64 user data and tags,
//! as fleets' plans do.
use serde_json::{json, Value};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let out = args.get(2).cloned().unwrap_or_else(|| format!("bench/plan-{mb}mb.json"));
    let target = mb * 1024 * 1024;
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/for-each/plan.json")).unwrap(),
    )
    .unwrap();
    let template = fixture["resource_changes"][0].clone();
    // One cluster per ~200 KB: a 100 MB plan holds ~500 clusters among ~50k resources.
    let clusters = args.get(3).and_then(|s| s.parse().ok()).unwrap_or((target / 200_000).max(2));
    let shared = args.get(4).is_some_and(|s| s == "shared");
    let mut changes = Vec::new();
    for i in 0..clusters {
        let mut rc = template.clone();
        let addr = format!("module.k8s[\"c{i}\"]");
        rc["address"] = json!(format!("{addr}.terraform_data.server"));
        rc["module_address"] = json!(addr);
        rc["index"] = Value::Null;
        let folder = if shared { "fleet".to_string() } else { format!("c{i}") };
        rc["change"]["after"]["input"]["etcd_backup"]["s3-folder"] = json!(folder);
        changes.push(rc);
    }
    let mut size = serde_json::to_string(&changes).unwrap().len();
    let mut n = 0usize;
    // Pseudo-random but deterministic payload (an LCG), base64-looking like real user data.
    let mut seed: u64 = 42;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while size < target {
        let mut blob = String::with_capacity(1600);
        for _ in 0..1600 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            blob.push(alphabet[(seed >> 58) as usize] as char);
        }
        let after = json!({
            "ami": "ami-0123456789abcdef0", "instance_type": "m5.large",
            "user_data_base64": blob,
            "tags": { "Name": format!("filler-{n}"), "team": "platform", "env": "prod" },
            "root_block_device": [{ "volume_size": 50, "volume_type": "gp3", "encrypted": true }],
        });
        let rc = json!({
            "address": format!("module.app.aws_instance.filler[{n}]"), "module_address": "module.app",
            "mode": "managed", "type": "aws_instance", "name": "filler", "index": n,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": { "actions": ["create"], "before": null, "after": after,
                        "after_unknown": { "id": true, "arn": true }, "before_sensitive": false, "after_sensitive": {} },
        });
        size += rc.to_string().len();
        changes.push(rc);
        n += 1;
    }
    let mut plan = fixture.clone();
    plan["resource_changes"] = Value::Array(changes);
    plan["planned_values"] = json!({ "root_module": {} });
    let mut f = std::io::BufWriter::new(std::fs::File::create(&out).unwrap());
    serde_json::to_writer(&mut f, &plan).unwrap();
    f.flush().unwrap();
    eprintln!("{out}: {} clusters, {n} other resources", clusters);
}
