//! `--config`: the root module's `.tf` files resolve what a first-create plan of the real module
//! cannot tell (SPEC §2, source 5).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;

use common::{dir, tf_files};
use etcd_backup_policy::{Options, Session};
use serde_json::{json, Value};

fn report(case: &str, config: Option<BTreeMap<String, String>>) -> Value {
    let opts = json!({ "config": config, "rules": { "EB303": "off" } });
    let mut s = Session::new(Options::from_json(&opts.to_string()).unwrap());
    s.add_plan(&format!("{case}/plan.json"), &std::fs::read(format!("{}/plan.json", dir(case))).unwrap()).unwrap();
    serde_json::to_value(s.report()).unwrap()
}

fn rules(r: &Value) -> Vec<(String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["key"].as_str().unwrap_or("").to_string()))
        .collect()
}

#[test]
fn first_create_without_config_is_eb002_naming_config_and_never_eb101() {
    let r = report("first-create-missing-bucket", None);
    assert_eq!(rules(&r), vec![("EB002".into(), "etcd_backup".into())]);
    let f = &r["findings"][0];
    assert!(f["message"].as_str().unwrap().contains("--config DIR"), "{f}");
    assert!(f["remediation"].as_str().unwrap().contains("--config"), "{f}");
}

#[test]
fn first_create_with_config_gets_eb101_and_eb110() {
    let r = report("first-create-missing-bucket", Some(tf_files("first-create-missing-bucket")));
    assert_eq!(
        rules(&r),
        vec![
            ("EB101".into(), "s3-bucket".into()),
            ("EB110".into(), "s3-access-key".into()),
            ("EB110".into(), "s3-secret-key".into()),
        ]
    );
    let keys = &r["clusters"][0]["keys"];
    assert_eq!(keys["s3"]["source"], "configuration-file");
    assert_eq!(keys["s3"]["from"], "main.tf:24");
    assert_eq!(keys["s3-folder"]["source"], "variable");
    assert_eq!(keys["s3-folder"]["value"], "first-missing");
    assert_eq!(keys["s3-region"]["value"], "us-east-1", "from a literal local");
    assert_eq!(keys["s3-region"]["from"], "main.tf:16");
    assert_eq!(keys["s3-secret-key"]["value"], Value::Null);
    assert!(r["findings"][1]["message"].as_str().unwrap().contains("at main.tf:27"));
}

#[test]
fn first_create_of_a_complete_map_resolves_with_config() {
    let r = report("first-create", Some(tf_files("first-create")));
    assert_eq!(rules(&r), vec![]);
    assert_eq!(r["clusters"][0]["location"], json!({"service": "aws", "bucket": "first-etcd", "folder": "first"}));
    assert_eq!(r["clusters"][0]["restore"], true);
}

#[test]
fn later_change_of_the_real_module_reads_the_rendered_json_files() {
    let r = report("real-module-change", None);
    assert_eq!(rules(&r), vec![]);
    let c = &r["clusters"][0];
    assert_eq!(c["action"], "update");
    assert_eq!(c["keys"]["snapshot-retention"]["value"], "336");
    assert!(c["keys"]["s3-bucket"]["from"].as_str().unwrap().ends_with("cloud-config > /etc/zadara/etcd_backup.json)"));
    assert_eq!(c["token"]["status"], "unchanged");
    assert_eq!(c["retention"], 336);
}

#[test]
fn unparsable_files_are_reported_not_fatal_and_never_quoted() {
    let mut files = tf_files("first-create-missing-bucket");
    files.insert("broken.tf".into(), "variable \"x\" {\n  default = \"AKIAFAKEFIXTURE00002\n".into());
    let r = report("first-create-missing-bucket", Some(files));
    let errors = r["config_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].as_str().unwrap().starts_with("broken.tf:"));
    assert!(!r.to_string().contains("AKIAFAKEFIXTURE00002"));
    assert!(rules(&r).contains(&("EB101".into(), "s3-bucket".into())), "the other files still count");
}

#[test]
fn config_changes_nothing_where_the_plan_already_tells() {
    for case in ["seed", "literal", "for-each", "rules-fire", "nested", "fleet-nested"] {
        assert_eq!(rules(&report(case, None)), rules(&report(case, Some(tf_files(case)))), "{case}");
    }
}

#[test]
fn a_wrapper_module_handing_the_map_down_resolves_from_the_root_files() {
    let without = report("first-create-wrapper", None);
    assert_eq!(rules(&without), vec![("EB002".into(), "etcd_backup".into())]);
    assert!(without["findings"][0]["message"].as_str().unwrap().contains("--config DIR"), "{without}");

    let r = report("first-create-wrapper", Some(tf_files("first-create-wrapper")));
    assert_eq!(r["clusters"][0]["address"], "module.platform.module.k8s");
    assert_eq!(
        rules(&r),
        vec![("EB101".into(), "s3-bucket".into()), ("EB110".into(), "s3-access-key".into())],
        "the secret key comes from a sensitive variable: no EB110"
    );
    let keys = &r["clusters"][0]["keys"];
    assert_eq!(keys["s3"]["source"], "configuration-file");
    assert_eq!(keys["s3"]["from"], "main.tf:20");
    assert_eq!(keys["s3-secret-key"]["source"], "variable");
    assert_eq!(r["clusters"][0]["restore"], true);
}

/// `merge(var.defaults, {...})` reads like a bare `var.defaults` in the plan, which records only
/// references. The keys the merge adds must not be reported missing.
#[test]
fn keys_merged_into_a_variable_come_from_the_rendered_map_or_the_files() {
    let keys = |r: &Value, i: usize| r["clusters"][i]["keys"].clone();
    let r = report("merged-defaults", None);
    assert_eq!(r["clusters"][1]["address"], "module.wrapped.module.k8s");
    let wrapped = keys(&r, 1);
    assert_eq!(wrapped["s3-bucket"]["source"], "rendered");
    assert_eq!(r["clusters"][1]["location"], json!({"service": "aws", "bucket": "wrapped-etcd", "folder": "wrapped"}));
    assert_eq!(wrapped["s3-region"]["source"], "variable");
    assert!(
        !r["findings"].as_array().unwrap().iter().any(|f| f["cluster"] == "module.wrapped.module.k8s"),
        "{}",
        r["findings"]
    );

    let r = report("merged-defaults", Some(tf_files("merged-defaults")));
    assert_eq!(rules(&r), vec![], "{}", r["findings"]);
    assert_eq!(r["clusters"][0]["address"], "module.direct");
    let direct = keys(&r, 0);
    assert_eq!(direct["s3-bucket"]["value"], "direct-etcd");
    assert_eq!(direct["s3-bucket"]["from"], "main.tf:34");
    assert_eq!(direct["s3-region"]["source"], "variable");
    assert_eq!(r["clusters"][0]["location"], json!({"service": "aws", "bucket": "direct-etcd", "folder": "direct"}));
}

#[test]
fn a_map_written_in_a_local_wrapper_module_resolves_from_its_files() {
    let without = report("local-module", None);
    assert_eq!(rules(&without), vec![("EB002".into(), "etcd_backup".into())]);

    let r = report("local-module", Some(tf_files("local-module")));
    assert_eq!(r["clusters"][0]["address"], "module.platform.module.k8s");
    assert_eq!(
        rules(&r),
        vec![("EB101".into(), "s3-endpoint".into()), ("EB110".into(), "s3-access-key".into())],
        "{}",
        r["findings"]
    );
    let keys = &r["clusters"][0]["keys"];
    assert_eq!(keys["s3"]["from"], "platform/main.tf:30");
    assert_eq!(keys["s3-region"]["value"], "eu-north-1", "a literal the root passes to the wrapper");
    assert_eq!(keys["s3-bucket"]["value"], "platform-etcd", "the wrapper variable's default");
    assert_eq!(keys["s3-folder"]["value"], "platform", "the wrapper's own local");
    assert_eq!(keys["s3-folder"]["from"], "platform/main.tf:22");
    assert_eq!(keys["s3-secret-key"]["source"], "variable");
    assert_eq!(keys["s3-secret-key"]["from"], "var.backup_secret_key");
    assert_eq!(keys["s3-secret-key"]["sensitive"], true);
    assert!(r["findings"][1]["message"].as_str().unwrap().contains("platform/main.tf:34"), "{}", r["findings"][1]);
}

#[test]
fn a_map_written_in_a_remote_module_resolves_from_what_terraform_init_downloaded() {
    let files = tf_files("remote-module");
    assert!(files.contains_key(".terraform/modules/platform/main.tf"), "{:?}", files.keys());
    let r = report("remote-module", Some(files.clone()));
    assert_eq!(
        rules(&r),
        vec![("EB101".into(), "s3-region".into()), ("EB110".into(), "s3-access-key".into())],
        "{}",
        r["findings"]
    );
    let keys = &r["clusters"][0]["keys"];
    assert_eq!(keys["s3-bucket"]["from"], ".terraform/modules/platform/main.tf:20");
    assert_eq!(keys["s3-secret-key"]["from"], "var.backup_secret_key");

    // Without what `terraform init` downloaded (a checkout where it never ran) the wrapper's block
    // cannot be read: an input error naming the module and what to do, never a pass with EB002.
    let root_only: BTreeMap<String, Option<String>> =
        files.into_iter().filter(|(p, _)| p == "main.tf").map(|(p, t)| (p, Some(t))).collect();
    let opts = Options { configs: vec![Some(root_only)], ..Default::default() };
    let mut s = Session::new(opts);
    let e =
        s.add_plan("remote-module/plan.json", &std::fs::read(format!("{}/plan.json", dir("remote-module"))).unwrap());
    let e = e.expect_err("a module that is not installed");
    assert_eq!(e.code(), "EBP_CONFIG");
    assert!(
        e.to_string().contains("module.platform (git::file:///tmp/etcd-backup-policy-fixtures/remote-module.git) is not installed: run terraform init"),
        "{e}"
    );
}

#[test]
fn every_credential_is_judged_by_where_the_configuration_writes_it() {
    // The module renders the whole map into a resource the plan marks sensitive: the plan alone
    // cannot tell that s3-session-token is a literal in main.tf; the configuration does.
    assert_eq!(rules(&report("literal-session-token", None)), vec![]);
    let r = report("literal-session-token", Some(tf_files("literal-session-token")));
    assert_eq!(rules(&r), vec![("EB110".into(), "s3-session-token".into())], "{}", r["findings"]);
    let f = &r["findings"][0];
    assert_eq!(f["source"], json!({"file": "main.tf", "line": 34, "column": 24}));
    assert!(!r.to_string().contains("FAKE-SESSION-TOKEN-DO-NOT-LEAK-0023"));
    // A password inside a URL written in the configuration is a hardcoded credential too.
    let r = report("url-credentials", Some(tf_files("url-credentials")));
    let eb110: Vec<String> = rules(&r).into_iter().filter(|(rule, _)| rule == "EB110").map(|(_, k)| k).collect();
    assert!(eb110.contains(&"s3-endpoint".to_string()) && eb110.contains(&"s3-proxy".to_string()), "{eb110:?}");
    assert!(!r.to_string().contains("Password-DO-NOT-LEAK"));
}

#[test]
fn a_credential_computed_from_sensitive_variables_is_not_called_a_literal() {
    // fleet-nested builds its map with a `for` expression over variables: no key is a literal.
    let r = report("fleet-nested", Some(tf_files("fleet-nested")));
    assert!(rules(&r).iter().all(|(rule, _)| rule != "EB110"), "{}", r["findings"]);
}
