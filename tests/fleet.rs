//! Fleet and restore safety over real plans: unique locations (EB201-EB203) and an unchanged
//! token across restore (EB301-EB304), with prior states made by `terraform apply`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{report, session};
use serde_json::{json, Value};

/// (rule, cluster) of every finding of the given rules.
fn fired(r: &Value, rules: &[&str]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["cluster"].as_str().unwrap().to_string()))
        .collect();
    v.sort();
    v
}

fn cluster<'r>(r: &'r Value, address: &str) -> &'r Value {
    r["clusters"].as_array().unwrap().iter().find(|c| c["address"] == address).unwrap()
}

const FLEET: &[&str] = &["EB201", "EB202", "EB203"];
const TOKEN: &[&str] = &["EB301", "EB302", "EB303", "EB304"];

#[test]
fn for_each_fleet_with_a_folder_per_key_passes() {
    assert_eq!(fired(&report(&["for-each"], json!({})), FLEET), vec![]);
}

#[test]
fn for_each_fleet_in_one_folder_fails() {
    let r = report(&["fleet-shared"], json!({}));
    let f = fired(&r, FLEET);
    assert_eq!(f.len(), 3);
    assert!(f.iter().all(|(rule, _)| rule == "EB201"));
    let msg = r["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("aws/fleet-etcd/fleet"), "{msg}");
    assert!(msg.contains(r#"module.k8s["green"]"#) && msg.contains(r#"module.k8s["red"]"#), "{msg}");
    assert!(msg.contains("fleet/etcd-snapshot"), "names the pruning prefix: {msg}");
}

#[test]
fn the_same_location_across_two_plans_fails() {
    let r = report(&["seed", "seed-other-token"], json!({}));
    assert_eq!(fired(&r, FLEET), vec![("EB201".into(), "module.k8s".into()), ("EB201".into(), "module.k8s".into())]);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains("seed-other-token/plan.json")));
}

#[test]
fn nested_folders_and_the_bucket_root_fail_siblings_pass() {
    let r = report(&["fleet-nested"], json!({}));
    let f = fired(&r, FLEET);
    let on = |c: &str| f.iter().filter(|(_, a)| a == &format!("module.k8s[\"{c}\"]")).count();
    assert_eq!((on("prod"), on("prod-west"), on("root"), on("legacy")), (2, 2, 3, 1));
    assert_eq!((on("prod-a"), on("production")), (0, 0), "prod and production are siblings, not nested");
    let root_legacy = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cluster"] == r#"module.k8s["root"]"# && f["message"].as_str().unwrap().contains("legacy"))
        .unwrap();
    let m = root_legacy["message"].as_str().unwrap();
    assert!(m.contains("lists the whole bucket nest-etcd recursively"), "{m}");
    assert!(m.contains("pruning (objects under etcd-snapshot) deletes"), "{m}");
}

#[test]
fn inventory_owned_locations() {
    let inv = |folder: &str, cluster: &str| {
        json!({"data": {"etcd_backup": {"inventory": [
            {"cluster": cluster, "endpoint": "s3.amazonaws.com", "bucket": "my-etcd-backups", "folder": folder}
        ]}}})
    };
    let same = report(&["seed"], inv("cluster-name", "legacy-prod"));
    assert_eq!(fired(&same, FLEET), vec![("EB203".into(), "module.k8s".into())]);
    assert!(same["findings"][0]["message"].as_str().unwrap().contains("legacy-prod"));
    let inside = report(&["seed"], inv("cluster-name/old", "legacy"));
    assert_eq!(fired(&inside, FLEET).len(), 1);
    let root = report(&["seed"], inv("", "legacy"));
    assert_eq!(fired(&root, FLEET).len(), 1);
    assert_eq!(fired(&report(&["seed"], inv("cluster-name-2", "other")), FLEET), vec![]);
    // Identity is stack + address (tests/fail_closed.rs): the address alone is not this cluster.
    assert_eq!(fired(&report(&["seed"], inv("cluster-name", "module.k8s")), FLEET).len(), 1);
}

#[test]
fn token_from_a_resource_being_created_fails() {
    let r = report(&["token-created"], json!({}));
    assert_eq!(fired(&r, TOKEN), vec![("EB302".into(), "module.k8s".into())]);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains("terraform_data.token")));
    assert_eq!(cluster(&r, "module.k8s")["token"]["status"], "regenerated");
}

#[test]
fn token_resource_replaced_under_an_existing_cluster_fails() {
    let r = report(&["token-replaced"], json!({}));
    assert_eq!(fired(&r, TOKEN), vec![("EB302".into(), "module.k8s".into())]);
}

#[test]
fn token_changed_against_the_prior_state_fails() {
    let r = report(&["token-changed"], json!({}));
    assert_eq!(fired(&r, TOKEN), vec![("EB301".into(), "module.k8s".into())]);
    let c = cluster(&r, "module.k8s");
    assert_eq!(c["action"], "update");
    assert_eq!(c["token"]["status"], "changed");
    assert_eq!(c["restore"], true);
}

#[test]
fn token_unchanged_against_the_prior_state_passes() {
    let r = report(&["token-unchanged"], json!({}));
    assert_eq!(fired(&r, TOKEN), vec![]);
    assert_eq!(cluster(&r, "module.k8s")["token"]["status"], "unchanged");
}

/// `trimspace(var.cluster_token)` reads like `var.cluster_token` in the plan; the variable holds a
/// trailing newline the module never receives. The token compared is the one the module rendered.
#[test]
fn a_token_derived_from_a_variable_is_compared_as_the_module_rendered_it() {
    let r = report(&["token-derived"], json!({}));
    assert_eq!(fired(&r, TOKEN), vec![]);
    let c = cluster(&r, "module.k8s");
    assert_eq!(c["token"]["status"], "unchanged");
    assert!(c["token"]["from"].as_str().unwrap().ends_with("/etc/zadara/k8s.json > json)"), "{}", c["token"]);
}

#[test]
fn location_changed_with_restore_on_fails() {
    let r = report(&["location-changed"], json!({}));
    assert_eq!(fired(&r, TOKEN), vec![("EB304".into(), "module.k8s".into())]);
    let m = r["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "EB304").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(m.contains("aws/prior-etcd/prod to aws/prior-etcd/prod-v2"), "{m}");
}

#[test]
fn created_cluster_without_prior_or_baseline_is_unverified() {
    let r = report(&["seed"], json!({}));
    assert_eq!(fired(&r, TOKEN), vec![("EB303".into(), "module.k8s".into())]);
    assert_eq!(cluster(&r, "module.k8s")["token"]["status"], "unverified");
}

#[test]
fn baseline_same_token_passes_other_token_fails() {
    let baseline = session(&["seed"], json!({})).fingerprint(None);
    let key = "aws/my-etcd-backups/cluster-name";
    let entry = &baseline["etcd_backup"]["baseline"][key];
    assert!(entry["token_sha256"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(entry["cluster"], "module.k8s");
    let with_baseline = json!({ "data": baseline });
    let same = report(&["seed"], with_baseline.clone());
    assert_eq!(fired(&same, TOKEN), vec![]);
    assert_eq!(cluster(&same, "module.k8s")["token"]["status"], "unchanged");
    let other = report(&["seed-other-token"], with_baseline);
    assert_eq!(fired(&other, TOKEN), vec![("EB301".into(), "module.k8s".into())]);
    assert!(other["findings"].as_array().unwrap().iter().any(|f| f["message"]
        .as_str()
        .unwrap()
        .contains("baseline fingerprint recorded for aws/my-etcd-backups/cluster-name")));
}

#[test]
fn fingerprint_merges_and_never_holds_a_token() {
    let old = json!({"etcd_backup": {"baseline": {"aws/elsewhere/x": {"token_sha256": "sha256:00"}}, "rules": {"EB108": "deny"}}});
    let doc = session(&["seed", "for-each"], json!({})).fingerprint(Some(old));
    let b = doc["etcd_backup"]["baseline"].as_object().unwrap();
    assert_eq!(b.len(), 4, "{doc:#}");
    assert!(b.contains_key("aws/elsewhere/x"));
    assert_eq!(doc["etcd_backup"]["rules"]["EB108"], "deny", "the rest of the merged document is kept");
    let text = doc.to_string();
    assert!(!text.contains("DO-NOT-LEAK"));
    // The same token fingerprints differently per location.
    assert_ne!(b["aws/fleet-etcd/prod"]["token_sha256"], b["aws/fleet-etcd/staging"]["token_sha256"]);
}

#[test]
fn per_cluster_action_and_restore() {
    let r = report(&["fleet-nested", "token-changed"], json!({}));
    assert_eq!(cluster(&r, r#"module.k8s["root"]"#)["restore"], false);
    assert_eq!(cluster(&r, r#"module.k8s["prod"]"#)["restore"], true);
    assert_eq!(cluster(&r, r#"module.k8s["prod"]"#)["action"], "create");
    assert_eq!(cluster(&r, "module.k8s")["action"], "update");
}
