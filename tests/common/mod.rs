//! Shared by the integration tests: the real-Terraform fixtures and their fake secrets.
#![allow(dead_code)]

use std::collections::BTreeMap;

pub fn dir(case: &str) -> String {
    format!("{}/tests/fixtures/{case}", env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's plan.json, as `terraform show -json` wrote it.
pub fn fixture(case: &str) -> Vec<u8> {
    std::fs::read(format!("{}/plan.json", dir(case))).unwrap()
}

/// A session over fixture plans (`<case>/plan.json`) with options given as JSON.
pub fn session(cases: &[&str], options: serde_json::Value) -> etcd_backup_policy::Session {
    let options = etcd_backup_policy::Options::from_json(&options.to_string()).unwrap();
    let mut s = etcd_backup_policy::Session::new(options);
    for c in cases {
        s.add_plan(&format!("{c}/plan.json"), &fixture(c)).unwrap();
    }
    s
}

/// The JSON report of fixture plans.
pub fn report(cases: &[&str], options: serde_json::Value) -> serde_json::Value {
    serde_json::to_value(session(cases, options).report()).unwrap()
}

/// Every fixture case that has a plan, sorted.
pub fn all_cases() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("plan.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The files of a fixture as the CLI's `--config DIR` reads them: the root module's `.tf` files and
/// those in its subdirectories (local modules), and the other files (what `file()` reads), by path
/// relative to the root module.
pub fn tf_files(case: &str) -> BTreeMap<String, String> {
    fn walk(root: &std::path::Path, at: &std::path::Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(at).unwrap().filter_map(|e| e.ok()) {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if path.is_dir() && !name.starts_with('.') {
                walk(root, &path, out);
            } else if name.ends_with(".tf") || name.ends_with(".tf.json") {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                // The other files, as the CLI passes them: what file() and templatefile() read.
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    let root = std::path::PathBuf::from(dir(case));
    walk(&root, &root, &mut out);
    // What `terraform init` downloaded: the manifest and the .tf files of the modules it places
    // under .terraform/modules.
    let manifest = root.join(etcd_backup_policy::config::MANIFEST);
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        for d in m["Modules"].as_array().unwrap().iter().filter_map(|e| e["Dir"].as_str()) {
            if !d.starts_with(".terraform/") {
                continue;
            }
            for e in std::fs::read_dir(root.join(d)).unwrap().filter_map(|e| e.ok()) {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".tf") {
                    out.insert(format!("{d}/{name}"), std::fs::read_to_string(e.path()).unwrap());
                }
            }
        }
        out.insert(etcd_backup_policy::config::MANIFEST.into(), text);
    }
    out
}

/// The fake secrets the fixtures hold; none may reach any output.
pub fn secrets() -> Vec<String> {
    std::fs::read_to_string(format!("{}/tests/fixtures/secrets.txt", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}
