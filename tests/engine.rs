//! Integration tests over real plans made by Terraform (tests/fixtures/<case>/plan.json).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{all_cases, fixture, secrets, tf_files};
use etcd_backup_policy::{format, Options, Session};
use serde_json::Value;

/// EB303 (token-unverified) warns on every created cluster with restore on — most fixtures here;
/// these tests look at the other rules, and tests/fleet.rs at EB303.
fn report(cases: &[&str]) -> Value {
    let mut s = Session::new(Options::from_json(r#"{"rules":{"EB303":"off"}}"#).unwrap());
    for c in cases {
        s.add_plan(&format!("{c}/plan.json"), &fixture(c)).unwrap();
    }
    serde_json::to_value(s.report()).unwrap()
}

fn rules_fired(r: &Value) -> Vec<(String, String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["cluster"].as_str().unwrap().into(),
                f["key"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

#[test]
fn seed_example_resolves_every_key_from_the_rendered_user_data() {
    let r = report(&["seed"]);
    assert_eq!(rules_fired(&r), vec![], "{r:#}");
    let c = &r["clusters"][0];
    assert_eq!(c["address"], "module.k8s");
    let keys = c["keys"].as_object().unwrap();
    let names: Vec<&str> = keys.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["autorestore", "s3", "s3-access-key", "s3-bucket", "s3-endpoint", "s3-folder", "s3-region", "s3-secret-key"]
    );
    for (_, k) in keys {
        assert_eq!(k["source"], "rendered");
        assert!(
            k["from"].as_str().unwrap().contains(
                "base64 > gzip > mime part 00-write-files-k8s-json.yaml > cloud-config > /etc/zadara/etcd_backup.json"
            ),
            "{k}"
        );
    }
    assert_eq!(keys["s3-bucket"]["value"], "my-etcd-backups");
    assert_eq!(keys["s3-secret-key"]["value"], Value::Null);
    assert_eq!(keys["s3-secret-key"]["sensitive"], true);
    assert_eq!(
        c["location"],
        serde_json::json!({"service": "aws", "bucket": "my-etcd-backups", "folder": "cluster-name"})
    );
    assert_eq!(c["restore"], true);
    assert_eq!(c["token"]["source"], "variable");
    assert_eq!(c["action"], "create");
}

#[test]
fn mixed_map_missing_bucket_is_denied_naming_the_key() {
    let r = report(&["missing-bucket"]);
    assert_eq!(rules_fired(&r), vec![("EB101".into(), "module.k8s".into(), "s3-bucket".into())]);
    assert!(r["deny"][0].as_str().unwrap().contains("s3-bucket"));
    assert!(r["deny"][0].as_str().unwrap().ends_with("[EB101]"));
}

#[test]
fn unrelated_plan_has_no_cluster_and_no_finding() {
    let r = report(&["unrelated"]);
    assert_eq!(r["clusters"], serde_json::json!([]));
    assert_eq!(r["findings"], serde_json::json!([]));
}

#[test]
fn for_each_instances_are_separate_clusters() {
    let r = report(&["for-each"]);
    let addrs: Vec<&str> = r["clusters"].as_array().unwrap().iter().map(|c| c["address"].as_str().unwrap()).collect();
    assert_eq!(addrs, [r#"module.k8s["prod"]"#, r#"module.k8s["staging"]"#]);
    assert_eq!(r["clusters"][1]["location"]["folder"], "staging");
    assert_eq!(rules_fired(&r), vec![]);
}

#[test]
fn count_instances_are_checked_one_by_one() {
    let r = report(&["count"]);
    assert_eq!(rules_fired(&r), vec![("EB101".into(), "module.k8s[1]".into(), "s3-region".into())]);
}

#[test]
fn nested_module_cluster_and_not_its_wrapper() {
    let r = report(&["nested"]);
    let addrs: Vec<&str> = r["clusters"].as_array().unwrap().iter().map(|c| c["address"].as_str().unwrap()).collect();
    assert_eq!(addrs, ["module.platform.module.k8s"]);
    assert_eq!(r["clusters"][0]["keys"]["s3-bucket"]["value"], "platform-etcd");
}

#[test]
fn root_variable_passed_whole() {
    let r = report(&["whole-variable"]);
    let k = &r["clusters"][0]["keys"];
    assert_eq!(k["s3-bucket"]["source"], "variable");
    assert_eq!(k["s3-bucket"]["from"], "var.etcd_backup");
    assert_eq!(
        rules_fired(&r),
        vec![
            ("EB101".into(), "module.k8s".into(), "s3-region".into()),
            ("EB110".into(), "module.k8s".into(), "s3-access-key".into()),
            ("EB110".into(), "module.k8s".into(), "s3-secret-key".into()),
        ]
    );
    assert_eq!(r["findings"][1]["severity"], "warn", "a credential from a non-sensitive variable is a warning");
}

#[test]
fn literal_map_converts_bools_and_numbers_to_strings() {
    let r = report(&["literal"]);
    let k = &r["clusters"][0]["keys"];
    assert_eq!(k["s3"]["value"], "true");
    assert_eq!(k["s3"]["source"], "configuration");
    assert_eq!(k["snapshot-retention"]["value"], "10");
    assert_eq!(k["s3-access-key"]["sensitive"], true);
    let fired = rules_fired(&r);
    assert_eq!(fired.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["EB110", "EB110"]);
    assert_eq!(r["findings"][0]["severity"], "deny", "a literal credential is denied");
}

#[test]
fn credentials_from_a_sensitive_variable_pass() {
    let r = report(&["whole-variable-sensitive"]);
    assert_eq!(rules_fired(&r), vec![]);
    assert_eq!(r["clusters"][0]["keys"]["s3-bucket"]["value"], Value::Null, "a sensitive variable stays hidden");
}

#[test]
fn every_single_cluster_rule_fires_on_its_fixture_cluster() {
    let r = report(&["rules-fire"]);
    let mut fired = rules_fired(&r);
    fired.sort();
    let expected: Vec<(String, String, String)> = [
        ("EB102", "eb102", "s3"),
        ("EB103", "eb103", "s3-buket"),
        ("EB104", "eb104", "autorestore"),
        ("EB104", "eb104", "s3-timeout"),
        ("EB105", "eb105", "s3-endpoint"),
        ("EB106", "eb106", "s3-bucket"),
        ("EB107", "eb107", "snapshot-schedule-cron"),
        ("EB108", "eb108", "s3-retention"),
        ("EB109", "eb109", "s3-insecure"),
        ("EB109", "eb114", "s3-insecure"),
        ("EB111", "eb111", "s3-folder"),
        ("EB112", "eb112", "cluster-reset-restore-path"),
        ("EB113", "eb113", "s3-folder"),
        ("EB114", "eb114", "s3-insecure"),
    ]
    .iter()
    .map(|(r, c, k)| (r.to_string(), format!("module.k8s[\"{c}\"]"), k.to_string()))
    .collect();
    assert_eq!(fired, expected);
    // EB109 is a deny on a public cloud endpoint, a warning on a private one.
    let sev = |cluster: &str, rule: &str| {
        r["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule && f["cluster"] == cluster).unwrap()
            ["severity"]
            .clone()
    };
    assert_eq!(sev("module.k8s[\"eb109\"]", "EB109"), "deny");
    assert_eq!(sev("module.k8s[\"eb114\"]", "EB109"), "warn");
    // Every message names its cluster and key; every finding carries a fix.
    for f in r["findings"].as_array().unwrap() {
        let m = f["message"].as_str().unwrap();
        assert!(m.starts_with(f["cluster"].as_str().unwrap()), "{m}");
        assert!(m.contains(f["key"].as_str().unwrap()), "{m}");
        assert!(!f["remediation"].as_str().unwrap().is_empty());
    }
}

#[test]
fn near_misses_pass_every_rule() {
    let r = report(&["rules-near-miss"]);
    assert_eq!(r["clusters"].as_array().unwrap().len(), 12);
    assert_eq!(rules_fired(&r), vec![]);
    let eb108 = r["clusters"].as_array().unwrap().iter().find(|c| c["address"] == "module.k8s[\"eb108\"]").unwrap();
    assert_eq!(
        (eb108["interval_s"].as_u64(), eb108["window_s"].as_u64(), eb108["s3_window_s"].as_u64()),
        (Some(3600), Some(86400), Some(86400))
    );
}

#[test]
fn cluster_report_has_schedule_retention_and_windows() {
    let r = report(&["seed"]);
    let c = &r["clusters"][0];
    assert_eq!(c["schedule"], "0 */12 * * *");
    assert_eq!(c["interval_s"], 43200);
    assert_eq!(c["retention"], 168);
    assert_eq!(c["window_s"], 7257600, "168 snapshots every 12h cover 84 days");
    assert_eq!(c["s3_window_s"], 5 * 43200);
}

#[test]
fn unknown_key_is_eb002_not_missing() {
    let r = report(&["unknown-values"]);
    assert_eq!(rules_fired(&r), vec![("EB002".into(), "module.k8s".into(), "s3-bucket".into())]);
    assert_eq!(r["clusters"][0]["keys"]["s3-bucket"]["unknown"], true);
}

#[test]
fn first_create_of_the_real_module_is_unresolved_not_missing() {
    let r = report(&["first-create"]);
    assert_eq!(rules_fired(&r), vec![("EB002".into(), "module.k8s".into(), "etcd_backup".into())]);
    assert!(r["warn"][0].as_str().unwrap().contains("user_data_base64"));
}

#[test]
fn cluster_without_backup_is_eb003() {
    let r = report(&["no-backup"]);
    assert_eq!(rules_fired(&r), vec![("EB003".into(), "module.k8s".into(), "etcd_backup".into())]);
}

#[test]
fn several_plans_at_once() {
    let r = report(&["seed", "missing-bucket", "unrelated"]);
    assert_eq!(r["summary"]["plans"], 3);
    assert_eq!(r["summary"]["clusters"], 2);
    assert_eq!(r["findings"][0]["plan"], "missing-bucket/plan.json");
}

#[test]
fn spacelift_wrapped_plan_gives_the_same_report() {
    let plan: Value = serde_json::from_slice(&fixture("missing-bucket")).unwrap();
    let wrapped = serde_json::json!({"spacelift": {"run": {"type": "PROPOSED"}}, "terraform": plan});
    let mut s = Session::new(Options::from_json(r#"{"rules":{"EB303":"off"}}"#).unwrap());
    s.add_plan("missing-bucket/plan.json", wrapped.to_string().as_bytes()).unwrap();
    assert_eq!(serde_json::to_value(s.report()).unwrap()["findings"], report(&["missing-bucket"])["findings"]);
}

#[test]
fn severity_overrides_apply() {
    let mut s = Session::new(
        Options::from_json(r#"{"data":{"etcd_backup":{"rules":{"EB101":"warn","EB303":"off"}}}}"#).unwrap(),
    );
    s.add_plan("p", &fixture("missing-bucket")).unwrap();
    let r = s.report();
    assert_eq!((r.summary.deny, r.summary.warn), (0, 1));
    let mut s = Session::new(Options::from_json(r#"{"rules":{"EB101":"off","EB303":"off"}}"#).unwrap());
    s.add_plan("p", &fixture("missing-bucket")).unwrap();
    assert!(s.report().findings.is_empty());
}

#[test]
fn output_is_deterministic() {
    let a = serde_json::to_string(&report(&["count", "for-each", "seed"])).unwrap();
    let b = serde_json::to_string(&report(&["count", "for-each", "seed"])).unwrap();
    assert_eq!(a, b);
}

#[test]
fn truncated_plan_is_an_error_not_a_panic() {
    let text = fixture("seed");
    for cut in [1, 10, text.len() / 3, text.len() / 2, text.len() - 2] {
        let mut s = Session::new(Options::default());
        let e = s.add_plan("p", &text[..cut]).unwrap_err().to_string();
        assert!(!e.contains('\n'));
    }
}

#[test]
fn no_fixture_secret_in_any_output() {
    let secrets = secrets();
    assert!(secrets.len() >= 6);
    let cases = all_cases();
    assert!(cases.len() >= 10);
    for case in &cases {
        // With and without the fixture's own .tf files (some hold literal secrets).
        for options in [serde_json::json!({}), serde_json::json!({ "config": tf_files(case) })] {
            let mut options = options;
            options["stack"] = serde_json::json!("leak-test");
            let mut s = Session::new(Options::from_json(&options.to_string()).unwrap());
            s.add_plan(case, &fixture(case)).unwrap();
            // In any letter case: a location or a hash key may lower-case what it holds.
            let dbg = format!("{:?}", s.report()).to_lowercase();
            let baseline = s.fingerprint(None).to_string().to_lowercase();
            let inventory = s.inventory(None).unwrap().to_string().to_lowercase();
            for f in format::FORMATS {
                let out = s.render(f).unwrap().to_lowercase();
                for secret in secrets.iter().map(|s| s.to_lowercase()) {
                    assert!(!out.contains(&secret), "{case} {f} leaks a fixture secret");
                    assert!(!dbg.contains(&secret), "{case} Debug leaks a fixture secret");
                    assert!(!baseline.contains(&secret), "{case} baseline leaks a fixture secret");
                    assert!(!inventory.contains(&secret), "{case} inventory leaks a fixture secret");
                }
            }
        }
    }
}

#[test]
fn the_readme_rule_table_is_the_catalogue() {
    let readme = std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let rows: Vec<Vec<String>> = readme
        .lines()
        .filter(|l| l.starts_with("| EB"))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect();
    let catalogue: Vec<Vec<String>> = etcd_backup_policy::rules::all()
        .iter()
        .map(|r| vec![r.id.into(), r.name.into(), r.default.as_str().into(), r.summary.into()])
        .collect();
    assert_eq!(rows, catalogue, "README.md's rule table differs from the rules (regenerate it from `rules`)");
    let count = format!("Then {} rules check it", catalogue.len());
    assert!(readme.contains(&count), "README.md's introduction should say: {count}");
}

/// docs/rules/<ID>.md is each rule's documentation as `explain` prints it, one file per rule and
/// nothing else: SARIF's `helpUri` (with `--rule-docs-url`) points there. `UPDATE_DOCS=1`
/// (`make docs`) writes them.
#[test]
fn docs_rules_are_the_rule_documentation() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let rules = etcd_backup_policy::rules::all();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for r in rules {
            std::fs::write(dir.join(format!("{}.md", r.id)), r.doc).unwrap();
        }
    }
    let mut files: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    let expected: Vec<String> = rules.iter().map(|r| format!("{}.md", r.id)).collect();
    assert_eq!(files, expected, "docs/rules/ holds other files than the rules' (make docs)");
    for r in rules {
        let text = std::fs::read_to_string(dir.join(format!("{}.md", r.id))).unwrap();
        assert_eq!(text, r.doc, "docs/rules/{}.md differs from the rule's documentation (make docs)", r.id);
    }
}
