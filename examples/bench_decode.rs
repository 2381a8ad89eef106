//! Cloud-init user data decoding, native: 1 MB (or SIZE_BYTES) of user data of every shape cloud-init accepts,
//! with the k3s settings at the end, read back through the evidence extractor as the engine reads
//! a resource's `user_data`. Prints one JSON line per shape (best of 5) and checks each found the
//! bucket. `cargo run --release --example bench_decode [SIZE_BYTES]`
use std::io::Write;
use std::time::Instant;

use base64::Engine;
use etcd_backup_policy::evidence::{Evidence, Extractor, MapEvidence};
use serde_json::{json, Value};

fn filler_lines(size: usize, prefix: &str) -> String {
    let mut s = String::with_capacity(size + 100);
    let mut i = 0;
    while s.len() < size {
        s.push_str(&format!(
            "{prefix}echo \"provisioning step {i}: apt-get install -y package-{i}\" >> /var/log/setup.log\n"
        ));
        i += 1;
    }
    s
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn shapes(size: usize) -> Vec<(&'static str, String)> {
    let config = "etcd-s3: true\netcd-s3-bucket: bench-bucket\netcd-s3-folder: f\ntoken: t\n";
    let indent = |text: &str, by: &str| text.lines().map(|l| format!("{by}{l}\n")).collect::<String>();
    let big = filler_lines(size, "");
    let block = format!(
        "#cloud-config\nwrite_files:\n  - path: /opt/setup.sh\n    content: |\n{}  - path: /etc/rancher/k3s/config.yaml\n    content: |\n{}",
        indent(&big, "      "),
        indent(config, "      ")
    );
    let folded = format!(
        "#cloud-config\nwrite_files:\n  - path: /opt/setup.sh\n    content: >\n{}  - path: /etc/rancher/k3s/config.yaml\n    content: |\n{}",
        indent(&big, "      "),
        indent(config, "      ")
    );
    // What PyYAML and go-yaml (and `yamlencode`) emit for a long string: double-quoted with
    // escapes, folded over lines at the spaces (a line break in it reads back as a space).
    let mut quoted = String::with_capacity(big.len() * 2);
    let mut since_break = 0;
    for c in serde_json::to_string(&big).unwrap().chars() {
        if c == ' ' && since_break > 70 {
            quoted.push_str("\n        ");
            since_break = 0;
        } else {
            quoted.push(c);
            since_break += 1;
        }
    }
    let double_quoted = format!(
        "#cloud-config\nwrite_files:\n  - path: /opt/setup.sh\n    content: {quoted}\n  - path: /etc/rancher/k3s/config.yaml\n    content: {}\n",
        serde_json::to_string(config).unwrap()
    );
    let single_quoted = format!(
        "#cloud-config\nwrite_files:\n  - path: /opt/setup.sh\n    content: '{}'\n  - path: /etc/rancher/k3s/config.yaml\n    content: |\n{}",
        big.lines().collect::<Vec<_>>().join("\n\n        ").replace('\'', "''"),
        indent(config, "      ")
    );
    let b64_file = format!(
        "#cloud-config\nwrite_files:\n  - path: /opt/setup.sh\n    encoding: b64\n    content: {}\n  - path: /etc/rancher/k3s/config.yaml\n    encoding: b64\n    content: {}\n",
        b64(big.as_bytes()),
        b64(config.as_bytes())
    );
    let script = format!(
        "#!/bin/bash\n{big}curl -sfL https://get.k3s.io | K3S_TOKEN=t sh -s - server --etcd-s3 --etcd-s3-bucket=bench-bucket --etcd-s3-folder f\n"
    );
    // Half a script and half a base64 cloud-config: 1 MB in all, like the other shapes.
    let half = filler_lines(size * 3 / 8, "");
    let part_config =
        format!("#cloud-config\nwrite_files:\n  - path: /opt/setup.sh\n    content: |\n{}", indent(&half, "      "));
    let mime = format!(
        "Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n\n--XX\nContent-Type: text/x-shellscript\n\n#!/bin/bash\n{half}curl -sfL https://get.k3s.io | K3S_TOKEN=t sh -s - server --etcd-s3 --etcd-s3-bucket=bench-bucket --etcd-s3-folder f\n--XX\nContent-Type: text/cloud-config\nContent-Transfer-Encoding: base64\n\n{}\n--XX--\n",
        b64(part_config.as_bytes())
    );
    let gz = b64(&gzip(block.as_bytes()));
    vec![
        ("write_files block (|)", block),
        ("write_files folded (>)", folded),
        ("write_files double-quoted, folded", double_quoted),
        ("write_files single-quoted, folded", single_quoted),
        ("write_files b64", b64_file),
        ("shell script", script),
        ("MIME multipart", mime),
        ("gzip+base64 cloud-config", gz),
    ]
}

fn main() {
    let size: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1 << 20);
    for (shape, text) in shapes(size) {
        let attr = json!({ "user_data": text });
        let mut best = f64::MAX;
        let mut found = false;
        for _ in 0..5 {
            let t = Instant::now();
            let mut ev = Evidence::default();
            Extractor { out: &mut ev }.value(&attr, &Value::Null, &Value::Null, "");
            best = best.min(t.elapsed().as_secs_f64());
            found = matches!(&ev.backup, Some((MapEvidence::Keys(k), _)) if k.get("s3-bucket").and_then(|v| v.value.as_deref()) == Some("bench-bucket"));
        }
        println!(
            "{{\"shape\":\"{shape}\",\"bytes\":{},\"decode_ms\":{:.2},\"found\":{found}}}",
            attr["user_data"].as_str().unwrap().len(),
            best * 1000.0
        );
    }
}
