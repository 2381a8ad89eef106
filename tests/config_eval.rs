//! `--config` evaluated the way Terraform evaluates it (SPEC §2, source 5): every instance of
//! every module call, locals, templates, conditionals, `for` expressions and functions, `.tf.json`
//! and override files, one configuration per plan. Every fixture is a real Terraform first create
//! (the module's user data is unknown until apply), so only the configuration tells the values;
//! the expected values are what `terraform console` prints for the same expressions.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{fixture, tf_files};
use etcd_backup_policy::{Error, Options, Session};
use serde_json::{json, Value};

fn session(cases: &[&str], configs: Value) -> Result<Session, Error> {
    let mut s = Session::new(Options::from_json(&json!({ "config": configs }).to_string()).unwrap());
    for c in cases {
        s.add_plan(&format!("{c}/plan.json"), &fixture(c))?;
    }
    Ok(s)
}

fn report(case: &str, with_config: bool) -> Value {
    let configs = if with_config { json!(tf_files(case)) } else { Value::Null };
    serde_json::to_value(session(&[case], configs).unwrap().report()).unwrap()
}

fn fired(r: &Value, rule: &str) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["cluster"].as_str().unwrap().to_string())
        .collect()
}

fn folders(r: &Value) -> Vec<(String, String)> {
    r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (c["address"].as_str().unwrap().to_string(), c["location"]["folder"].as_str().unwrap_or("?").to_string())
        })
        .collect()
}

#[test]
fn every_instance_of_for_each_count_and_nested_calls_is_evaluated() {
    let without = report("fleet-first-create", false);
    assert_eq!(fired(&without, "EB002").len(), 8, "the plan alone cannot tell any folder");
    let r = report("fleet-first-create", true);
    let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    assert_eq!(
        folders(&r),
        pairs(&[
            ("module.by_count[0]", "count-0"),
            ("module.by_count[1]", "count-1"),
            (r#"module.by_map["alpha"]"#, "alpha"),
            (r#"module.by_map["beta"]"#, "beta"),
            (r#"module.by_set["delta"]"#, "delta-etcd"),
            (r#"module.by_set["gamma"]"#, "gamma-etcd"),
            (r#"module.region["eu"].module.k8s"#, "region-eu"),
            (r#"module.region["us"].module.k8s"#, "region-us"),
        ])
    );
    assert!(
        fired(&r, "EB002").is_empty() && fired(&r, "EB201").is_empty() && fired(&r, "EB202").is_empty(),
        "{}",
        r["findings"]
    );
    let eu = &r["clusters"][6];
    assert_eq!(eu["location"]["bucket"], "fleet-prod-etcd", "a local from a local, handed down");
    assert_eq!(eu["keys"]["s3-region"]["value"], "eu-west-1", "each.value handed down to the nested module");
    assert_eq!(eu["keys"]["s3-region"]["from"], "main.tf:73", "the root's argument that set it");
    assert_eq!(eu["keys"]["s3-secret-key"]["from"], "var.backup_secret_key");
    assert_eq!(eu["keys"]["s3-secret-key"]["sensitive"], true);
}

#[test]
fn a_for_each_fleet_whose_folders_collide_is_caught_on_its_first_create() {
    assert!(fired(&report("fleet-first-create-collide", false), "EB201").is_empty(), "the plan alone cannot tell");
    let r = report("fleet-first-create-collide", true);
    assert_eq!(fired(&r, "EB201"), vec![r#"module.k8s["alpha"]"#, r#"module.k8s["beta"]"#]);
    let m =
        r["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "EB201").unwrap()["message"].as_str().unwrap();
    assert!(m.contains(r#"module.k8s["beta"]"#) && m.contains("aws/collide-etcd/shared"), "{m}");
    assert_eq!(r["summary"]["deny"], 2);
}

#[test]
fn expressions_evaluate_as_terraform_console_does() {
    let r = report("expressions", true);
    let keys = &r["clusters"][0]["keys"];
    // `terraform console` on the same expression (tests/fixtures/expressions/main.tf).
    for (k, want) in [
        ("autorestore", "false"),
        ("s3", "true"),
        ("s3-bucket", "fleet-prod-etcd"),
        ("s3-endpoint", "s3.us-east-1.amazonaws.com"),
        ("s3-folder", "cluster-prod"),
        ("s3-proxy", "none"),
        ("s3-region", "us-east-1"),
        ("snapshot-name", "etcd_prod"),
        ("snapshot-retention", "30"),
        ("snapshot-schedule-cron", "0 */6 * * *"),
    ] {
        assert_eq!(keys[k]["value"], want, "{k}");
    }
    assert_eq!(r["clusters"][0]["restore"], false);
    // A value that depends on a resource is unknown, never guessed.
    let unknown = &r["clusters"][1]["keys"];
    assert_eq!(unknown["s3-folder"]["unknown"], true);
    assert_eq!(unknown["s3-bucket"]["value"], "fleet-prod-etcd-2");
    let eb002: Vec<&Value> = r["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "EB002").collect();
    assert_eq!(eb002.len(), 1);
    assert_eq!(
        (eb002[0]["cluster"].as_str(), eb002[0]["key"].as_str()),
        (Some("module.k8s_unknown"), Some("s3-folder"))
    );
}

#[test]
fn tf_json_roots_and_modules_and_override_files() {
    let r = report("tf-json-root", true);
    let rules: Vec<&str> = r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, vec!["EB303"], "\"${{var.x}}\" is a variable, not a literal: no EB110");
    assert_eq!(r["clusters"][0]["keys"]["s3-bucket"]["from"], "main.tf.json:16");

    let r = report("tf-json-module", true);
    let c = &r["clusters"][0];
    assert_eq!(c["location"], json!({"service": "aws", "bucket": "jsonmod-etcd", "folder": "JSONMOD"}));
    let f = |rule: &str| r["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).cloned().unwrap();
    assert_eq!(f("EB101")["key"], "s3-region");
    assert_eq!(f("EB110")["source"], json!({"file": "platform/main.tf.json", "line": 19, "column": 9}));

    let r = report("override", true);
    let c = &r["clusters"][0];
    assert_eq!(c["location"]["bucket"], "override-etcd", "a_override.tf is applied after main.tf");
    assert_eq!(c["keys"]["s3-bucket"]["from"], "a_override.tf:6");
    assert_eq!(c["keys"]["s3-access-key"]["sensitive"], true, "variables_override.tf.json made it sensitive");
    let eb110: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "EB110")
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(eb110, vec!["s3-secret-key"]);
}

#[test]
fn one_configuration_per_plan_and_one_that_does_not_belong_is_an_error() {
    // The n-th configuration for the n-th plan.
    let s = session(
        &["fleet-first-create-collide", "fleet-first-create"],
        json!([tf_files("fleet-first-create-collide"), tf_files("fleet-first-create")]),
    )
    .unwrap();
    let r = serde_json::to_value(s.report()).unwrap();
    assert_eq!(fired(&r, "EB002"), Vec::<String>::new());
    assert_eq!(fired(&r, "EB201").len(), 2);
    // A plan without a configuration (null) is checked from the plan alone.
    let s = session(&["fleet-first-create-collide", "seed"], json!([tf_files("fleet-first-create-collide"), null]))
        .unwrap();
    assert_eq!(s.report().clusters.len(), 4);
    // Another stack's files: never silently applied.
    for (plan, files) in
        [("fleet-first-create", "fleet-first-create-collide"), ("for-each", "fleet-first-create"), ("seed", "literal")]
    {
        let e = session(&[plan], json!(tf_files(files))).err().unwrap_or_else(|| panic!("{plan} with {files}'s files"));
        assert!(matches!(e, Error::ConfigMismatch { .. }), "{e}");
        assert_eq!(e.code(), "EBP_CONFIG");
        assert!(e.to_string().starts_with(&format!("{plan}/plan.json: ")), "{e}");
    }
}

#[test]
fn literal_values_that_contradict_the_plan_are_an_error() {
    let mut files = tf_files("literal");
    let main = files.get_mut("main.tf").unwrap();
    assert!(main.contains("etcd-literal"), "the fixture's bucket");
    *main = main.replace("etcd-literal", "another-etcd");
    let e = session(&["literal"], json!(files)).err().unwrap();
    assert!(e.to_string().contains("s3-bucket is \"etcd-literal\" in the plan but \"another-etcd\""), "{e}");
}

#[test]
fn findings_point_at_the_line_of_the_configuration() {
    let r = report("first-create-missing-bucket", true);
    let sources: Vec<(String, Value)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["source"].clone()))
        .collect();
    assert_eq!(
        sources[0],
        ("EB101".into(), json!({"file": "main.tf", "line": 23, "column": 17})),
        "the etcd_backup argument"
    );
    assert_eq!(sources[1], ("EB110".into(), json!({"file": "main.tf", "line": 27, "column": 21})));
    assert_eq!(
        sources[3],
        ("EB303".into(), json!({"file": "main.tf", "line": 22, "column": 19})),
        "the cluster_token argument"
    );
    let s = session(&["first-create-missing-bucket"], json!(tf_files("first-create-missing-bucket"))).unwrap();
    let text = s.render("text").unwrap();
    assert!(text.contains("at: main.tf:27"), "{text}");
    let without = report("first-create-missing-bucket", false);
    assert!(
        without["findings"].as_array().unwrap().iter().all(|f| f.get("source").is_none()),
        "no configuration, no source"
    );
}

fn with(cases: &[&str], options: Value) -> Result<Value, Error> {
    let mut o = options;
    o["config"] = Value::Array(cases.iter().map(|c| json!(tf_files(c))).collect());
    let mut s = Session::new(Options::from_json(&o.to_string()).unwrap());
    for c in cases {
        s.add_plan(&format!("{c}/plan.json"), &fixture(c))?;
    }
    Ok(serde_json::to_value(s.report()).unwrap())
}

fn key<'r>(r: &'r Value, cluster: &str, k: &str) -> &'r Value {
    let c = r["clusters"].as_array().unwrap().iter().find(|c| c["address"] == cluster).unwrap();
    &c["keys"][k]["value"]
}

#[test]
fn terraform_arithmetic_spreads_a_count_fleet_over_folders_and_its_collisions_are_caught() {
    // `fleet-${count.index % var.folders}`: clusters 0 and 2, 1 and 3 share a folder.
    let without = report("tf-arithmetic", false);
    assert!(fired(&without, "EB201").is_empty() && fired(&without, "EB002").len() == 4, "{}", without["findings"]);
    let r = report("tf-arithmetic", true);
    assert_eq!(
        folders(&r).into_iter().map(|(_, f)| f).collect::<Vec<_>>(),
        ["fleet-0", "fleet-1", "fleet-0", "fleet-1"],
        "terraform console: \"fleet-${{0 % 2}}\" = \"fleet-0\""
    );
    assert_eq!(fired(&r, "EB201").len(), 4, "{}", r["findings"]);
    assert!(fired(&r, "EB002").is_empty(), "nothing is left unknown: {}", r["findings"]);
    assert_eq!(key(&r, "module.k8s[1]", "s3-bucket"), "fleet-21-etcd");
    assert_eq!(key(&r, "module.k8s[1]", "s3"), "true", "!false && count.index >= 0");
    assert_eq!(key(&r, "module.k8s[1]", "snapshot-retention"), "84", "24 * 7 / 2");
    assert_eq!(key(&r, "module.k8s[1]", "snapshot-schedule-cron"), "0 */6 * * *");
}

#[test]
fn maps_built_from_a_yaml_file_and_functions_are_checked_as_terraform_builds_them() {
    let r = report("tf-functions", true);
    // Each value as `terraform console` prints it for the same expression.
    assert_eq!(key(&r, "module.k8s", "s3-endpoint"), "s3.eu-west-1.amazonaws.com", "yamldecode(file(...))");
    assert_eq!(key(&r, "module.k8s", "s3-bucket"), "eu-etcd-backups", "regex and regex replace");
    assert_eq!(key(&r, "module.k8s", "s3-folder"), "fleet/eu/c007", "templatefile with a for directive");
    assert_eq!(key(&r, "module.k8s", "autorestore"), "true");
    assert_eq!(key(&r, "module.k8s", "s3-bucket-lookup-type"), "path", "fileexists of an absent file");
    assert_eq!(key(&r, "module.missing_bucket", "s3-folder"), "missing/3");
    assert_eq!(fired(&r, "EB101"), ["module.missing_bucket"], "{}", r["findings"]);
    assert!(fired(&r, "EB002").is_empty(), "{}", r["findings"]);
    // Without the YAML file among the files, what it gives is not guessed.
    let mut files = tf_files("tf-functions");
    files.remove("files/backup.yaml");
    let r = serde_json::to_value(session(&["tf-functions"], json!(files)).unwrap().report()).unwrap();
    assert!(fired(&r, "EB101").is_empty() && !fired(&r, "EB002").is_empty(), "{}", r["findings"]);
}

#[test]
fn a_file_read_from_outside_the_configuration_directory_is_an_input_error() {
    let mut files = tf_files("tf-functions");
    let main = files["main.tf"].replace("${path.module}/files/backup.yaml", "${path.module}/../secrets.txt");
    files.insert("main.tf".into(), main);
    let e = session(&["tf-functions"], json!(files)).err().expect("an input error");
    assert_eq!(e.code(), "EBP_CONFIG");
    assert!(e.to_string().contains("outside the configuration directory"), "{e}");
}

#[test]
fn the_workspace_is_never_guessed_and_each_plan_gets_its_own() {
    let both = ["tf-workspace-east", "tf-workspace-west"];
    // Without --workspace: both folders unknown, said why, and no false EB201.
    let r = with(&both, json!({})).unwrap();
    assert!(fired(&r, "EB201").is_empty(), "{}", r["findings"]);
    let eb002: Vec<&Value> = r["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "EB002").collect();
    assert_eq!(eb002.len(), 2);
    assert!(eb002.iter().all(|f| f["message"].as_str().unwrap().contains("terraform.workspace")), "{eb002:?}");
    // Given per plan: east and west, no collision.
    let r = with(&both, json!({ "workspace": ["east", "west"] })).unwrap();
    assert_eq!(folders(&r).into_iter().map(|(_, f)| f).collect::<Vec<_>>(), ["east", "west"]);
    assert!(fired(&r, "EB201").is_empty() && fired(&r, "EB002").is_empty(), "{}", r["findings"]);
    // The same name for both (a copy-paste in the pipeline) is the collision it would be.
    let r = with(&both, json!({ "workspace": "east" })).unwrap();
    assert_eq!(fired(&r, "EB201").len(), 2, "{}", r["findings"]);
}

#[test]
fn as_many_configurations_as_plans() {
    let e = session(&["tf-workspace-east", "tf-workspace-west"], json!(tf_files("tf-workspace-east")))
        .err()
        .expect("one configuration for two plans");
    assert_eq!(e.code(), "EBP_USAGE");
}

#[test]
fn the_configuration_of_another_stack_is_an_error_not_a_check_of_the_wrong_folder() {
    // Same module calls, same variables: only the literals tell the stacks apart.
    assert!(session(&["stack-west"], json!(tf_files("stack-west"))).is_ok());
    let e = session(&["stack-west"], json!(tf_files("stack-east"))).err().expect("east's files for west's plan");
    assert_eq!(e.code(), "EBP_CONFIG");
    assert!(
        e.to_string()
            .contains("module.k8s: argument cluster_name is one literal in the plan and another at main.tf:24"),
        "{e}"
    );
    assert!(!e.to_string().contains("\"east\"") && !e.to_string().contains("\"west\""), "no value is shown: {e}");
}
