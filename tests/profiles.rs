//! Module profiles on real Terraform plans: each built-in profile's fixtures (a clean plan, a
//! missing required key, two clusters in one location, a token change with restore on), from the
//! plan alone and with `--config`; an in-house module read through a user profile, and failing the
//! gate (EB004) without one; a plan with no cluster says that nothing was checked.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{fixture, secrets, tf_files};
use etcd_backup_policy::{Options, Session};
use serde_json::{json, Value};

fn session(cases: &[&str], options: Value) -> Session {
    let mut s = Session::new(Options::from_json(&options.to_string()).unwrap());
    for c in cases {
        s.add_plan(&format!("{c}/plan.json"), &fixture(c)).unwrap();
    }
    s
}

fn report(cases: &[&str], options: Value) -> Value {
    serde_json::to_value(session(cases, options).report()).unwrap()
}

fn with_config(case: &str) -> Value {
    json!({ "config": [tf_files(case)] })
}

/// (rule, cluster, key) of every finding, in report order.
fn findings(r: &Value) -> Vec<(String, String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("rule"), s("cluster"), s("key"))
        })
        .collect()
}

fn rules(r: &Value) -> Vec<String> {
    findings(r).into_iter().map(|(rule, _, _)| rule).collect()
}

fn message(r: &Value, rule: &str) -> String {
    r["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn kube_hetzner_clean_reads_the_map_from_the_plan_alone() {
    let r = report(&["kh-clean"], json!({}));
    assert_eq!(findings(&r), vec![], "{}", r["findings"]);
    let c = &r["clusters"][0];
    assert_eq!(c["profile"], "kube-hetzner");
    assert_eq!(
        c["location"],
        json!({"service": "fsn1.your-objectstorage.com", "bucket": "kh-etcd-snapshots", "folder": "prod"})
    );
    // The module turns etcd-s3 on for any non-empty map; k3s's retention, not zcompute-k8s's 168.
    assert_eq!(c["keys"]["s3"]["source"], "module");
    assert_eq!(c["keys"]["s3"]["value"], "true");
    assert_eq!(c["retention"], 5);
    // kube-hetzner never restores by itself.
    assert_eq!(c["restore"], false);
    assert_eq!(c["keys"]["s3-secret-key"]["sensitive"], true);
    assert_eq!(r["summary"]["verdict"], "pass");
}

#[test]
fn kube_hetzner_missing_region_is_eb002_alone_and_eb101_with_the_configuration() {
    let alone = report(&["kh-missing-region"], json!({}));
    assert_eq!(rules(&alone), ["EB002", "EB303"]);
    let m = message(&alone, "EB002");
    assert!(m.contains("etcd_s3_backup") && m.contains("sha1") && m.contains("--config DIR"), "{m}");
    assert_eq!(alone["summary"]["verdict"], "incomplete");

    let r = report(&["kh-missing-region"], with_config("kh-missing-region"));
    assert_eq!(
        findings(&r),
        vec![("EB101".to_string(), "module.kube_hetzner".to_string(), "s3-region".to_string())],
        "{}",
        r["findings"]
    );
    let m = message(&r, "EB101");
    assert!(m.contains("etcd-s3-region is missing from etcd_s3_backup"), "{m}");
    assert_eq!(r["findings"][0]["source"]["file"], "main.tf");
    assert_eq!(r["findings"][0]["profile"], "kube-hetzner");
}

#[test]
fn kube_hetzner_clusters_on_one_bucket_without_folders_are_eb201() {
    for options in [json!({}), with_config("kh-shared-bucket")] {
        let r = report(&["kh-shared-bucket"], options);
        let eb201: Vec<String> =
            findings(&r).into_iter().filter(|(rule, _, _)| rule == "EB201").map(|(_, c, _)| c).collect();
        assert_eq!(eb201, ["module.prod", "module.staging"], "{}", r["findings"]);
    }
}

#[test]
fn kube_hetzner_restore_with_the_modules_own_token_is_eb302() {
    let r = report(&["kh-token-regenerated"], json!({}));
    assert_eq!(
        findings(&r),
        vec![("EB302".to_string(), "module.kube_hetzner".to_string(), "k3s_token".to_string())],
        "{}",
        r["findings"]
    );
    assert!(message(&r, "EB302").contains("terraform_data.k3s_token"));
    assert_eq!(r["clusters"][0]["restore"], true, "cluster-reset-restore-path in control_planes_custom_config");
}

#[test]
fn kube_hetzner_restore_with_another_token_than_the_baseline_is_eb301() {
    let baseline = session(&["kh-clean"], json!({})).fingerprint(None);
    for options in [json!({ "data": baseline }), json!({ "data": baseline, "config": [tf_files("kh-token-changed")] })]
    {
        let r = report(&["kh-token-changed"], options);
        assert_eq!(rules(&r), ["EB301"], "{}", r["findings"]);
        assert!(message(&r, "EB301").contains("k3s_token does not match the baseline"));
    }
}

#[test]
fn identiops_reads_config_maps_flags_and_the_pools_restore_action() {
    let r = report(&["id-clean"], json!({}));
    assert_eq!(findings(&r), vec![], "{}", r["findings"]);
    assert_eq!(r["clusters"][0]["profile"], "identiops-k3s");
    assert_eq!(r["clusters"][0]["location"]["bucket"], "id-etcd");
    assert_eq!(r["clusters"][0]["restore"], false);

    // The flags template: the plan alone cannot read it (and a restore cannot be ruled out, with
    // the module's own token); the configuration can.
    let alone = report(&["id-missing-region"], json!({}));
    assert_eq!(rules(&alone), ["EB002", "EB302"]);
    assert!(message(&alone, "EB302").contains("restore setting is unknown"), "{}", message(&alone, "EB302"));
    let r = report(&["id-missing-region"], with_config("id-missing-region"));
    assert_eq!(findings(&r), vec![("EB101".to_string(), "module.k3s".to_string(), "s3-region".to_string())]);
    assert_eq!(r["clusters"][0]["keys"]["s3-bucket"]["source"], "configuration-file");

    for options in [json!({}), with_config("id-shared-folder")] {
        let r = report(&["id-shared-folder"], options);
        assert_eq!(rules(&r), ["EB201", "EB201"], "{}", r["findings"]);
    }

    let r = report(&["id-restore-regenerated"], json!({}));
    assert_eq!(findings(&r), vec![("EB302".to_string(), "module.k3s".to_string(), "token".to_string())]);
    assert!(message(&r, "EB302").contains("made by the identiops-k3s module"));
    let c = &r["clusters"][0];
    assert_eq!(c["restore"], true);
    assert_eq!(c["keys"]["cluster-reset-restore-path"]["value"], "etcd-snapshot-prod-system-01-1733000000");
}

#[test]
fn xunleii_reads_global_and_per_server_flags() {
    let r = report(&["xl-clean"], json!({}));
    assert_eq!(findings(&r), vec![], "{}", r["findings"]);
    assert_eq!(r["clusters"][0]["profile"], "xunleii-k3s");
    assert_eq!(r["clusters"][0]["location"], json!({"service": "aws", "bucket": "xl-etcd", "folder": "prod"}));

    let alone = report(&["xl-missing-bucket"], json!({}));
    assert_eq!(rules(&alone), ["EB002", "EB302"]);
    let r = report(&["xl-missing-bucket"], with_config("xl-missing-bucket"));
    assert_eq!(findings(&r), vec![("EB101".to_string(), "module.k3s".to_string(), "s3-bucket".to_string())]);
    assert_eq!(r["findings"][0]["remediation"], "add --etcd-s3-bucket=<bucket> to global_flags");

    for options in [json!({}), with_config("xl-shared-folder")] {
        let r = report(&["xl-shared-folder"], options);
        assert_eq!(rules(&r), ["EB201", "EB201"], "{}", r["findings"]);
        assert!(message(&r, "EB201").contains("a restore lists snapshots by prefix"), "no auto-restore in this module");
    }

    // --cluster-reset-restore-path in a server's own flags; the token is the module's random_password.
    let r = report(&["xl-restore-regenerated"], json!({}));
    assert_eq!(rules(&r), ["EB302"]);
    assert!(message(&r, "EB302").contains("terraform_data.k3s_cluster_secret"));
    assert_eq!(r["clusters"][0]["keys"]["cluster-reset-restore-path"]["value"], "etcd-snapshot-s1-1733000000");
}

#[test]
fn rke2_aws_tf_reads_rke2_config_yaml() {
    let r = report(&["rk-clean"], json!({}));
    assert_eq!(findings(&r), vec![], "{}", r["findings"]);
    assert_eq!(r["clusters"][0]["profile"], "rke2-aws-tf");
    assert_eq!(r["clusters"][0]["location"], json!({"service": "aws", "bucket": "rk-etcd", "folder": "prod"}));
    assert_eq!(r["clusters"][0]["retention"], 5, "RKE2's default, as k3s's");

    // A heredoc with references: the MIME user data is unknown on a first create, so the plan
    // alone cannot read it; --config evaluates the heredoc.
    let alone = report(&["rk-missing-region"], json!({}));
    assert_eq!(rules(&alone), ["EB002", "EB302"]);
    assert!(message(&alone, "EB002").contains("unknown until apply"), "{}", message(&alone, "EB002"));
    let r = report(&["rk-missing-region"], with_config("rk-missing-region"));
    assert_eq!(findings(&r), vec![("EB101".to_string(), "module.rke2".to_string(), "s3-region".to_string())]);
    assert_eq!(r["findings"][0]["remediation"], "add etcd-s3-region: <region> to rke2_config");

    for options in [json!({}), with_config("rk-shared-folder")] {
        let r = report(&["rk-shared-folder"], options);
        assert_eq!(rules(&r), ["EB201", "EB201"], "{}", r["findings"]);
    }

    for options in [json!({}), with_config("rk-restore-regenerated")] {
        let r = report(&["rk-restore-regenerated"], options);
        assert_eq!(rules(&r), ["EB302"], "{}", r["findings"]);
        assert_eq!(r["clusters"][0]["restore"], true);
    }
}

#[test]
fn aws_rke2_reads_the_supplied_config_and_its_rendering() {
    // The supplied config mixes literals and variables: the plan reads it back from the module's
    // terraform_data (its triggers hold the config itself).
    let r = report(&["ar-clean"], json!({}));
    assert_eq!(findings(&r), vec![], "{}", r["findings"]);
    // The module calls rancher/terraform-local-rke2-config for its default config: that call is
    // part of this cluster, not a cluster of its own.
    assert_eq!(r["clusters"].as_array().unwrap().len(), 1, "{}", r["clusters"]);
    let c = &r["clusters"][0];
    assert_eq!(c["profile"], "aws-rke2");
    assert_eq!(c["location"], json!({"service": "aws", "bucket": "ar-etcd", "folder": "prod"}));
    assert_eq!(c["keys"]["s3-bucket"]["source"], "rendered");
    assert_eq!(c["keys"]["s3-secret-key"]["sensitive"], true);

    for options in [json!({}), with_config("ar-missing-region")] {
        let r = report(&["ar-missing-region"], options);
        assert_eq!(findings(&r), vec![("EB101".to_string(), "module.rke2".to_string(), "s3-region".to_string())]);
    }
    for options in [json!({}), with_config("ar-shared-folder")] {
        let r = report(&["ar-shared-folder"], options);
        assert_eq!(rules(&r), ["EB201", "EB201"], "{}", r["findings"]);
    }
    // No config_join_token: the module's random_uuid, kept by the server, is new with the server.
    for options in [json!({}), with_config("ar-token-regenerated")] {
        let r = report(&["ar-token-regenerated"], options);
        assert_eq!(rules(&r), ["EB302"], "{}", r["findings"]);
        let m = message(&r, "EB302");
        assert!(m.contains("config_join_token is not given") && m.contains("terraform_data.join_token"), "{m}");
    }
}

#[test]
fn local_rke2_config_reads_one_input_per_option() {
    for options in [json!({}), with_config("lc-clean")] {
        let r = report(&["lc-clean"], options);
        assert_eq!(findings(&r), vec![], "{}", r["findings"]);
        let c = &r["clusters"][0];
        assert_eq!(c["profile"], "local-rke2-config");
        assert_eq!(c["location"], json!({"service": "aws", "bucket": "lc-etcd", "folder": "prod"}));
        assert_eq!(c["keys"]["s3-secret-key"]["sensitive"], true);
        assert_eq!(c["retention"], 28);
    }
    for options in [json!({}), with_config("lc-missing-region")] {
        let r = report(&["lc-missing-region"], options);
        assert_eq!(findings(&r), vec![("EB101".to_string(), "module.config".to_string(), "s3-region".to_string())]);
        assert!(r["findings"][0]["remediation"].as_str().unwrap().contains("etcd-s3-region = \"<region>\""));
    }
    for options in [json!({}), with_config("lc-shared-folder")] {
        let r = report(&["lc-shared-folder"], options);
        assert_eq!(rules(&r), ["EB201", "EB201"], "{}", r["findings"]);
    }
    // Options the plan records only as references (a local; "${var.env}-cluster", recorded like
    // var.env) are read from the config the module rendered.
    let r = report(&["lc-templated"], json!({}));
    assert_eq!(findings(&r), vec![], "{}", r["findings"]);
    let c = &r["clusters"][0];
    assert_eq!(c["location"], json!({"service": "aws", "bucket": "lc-etcd-prod", "folder": "prod-cluster"}));
    assert_eq!(c["keys"]["s3-folder"]["source"], "rendered");
    // The rendered config of the prior state holds the token the snapshots were written with.
    for options in [json!({}), with_config("lc-token-changed")] {
        let r = report(&["lc-token-changed"], options);
        assert_eq!(rules(&r), ["EB301"], "{}", r["findings"]);
    }
}

#[test]
fn zifeo_native_backup_is_the_modules_own_container_and_credential() {
    // ff_native_backup (default true) with an object_store_endpoint replaces s3_backup whole: the
    // bucket is "${name}-etcd-snapshots", the credential one the module makes (not EB002).
    for options in [json!({}), with_config("zf-clean")] {
        let r = report(&["zf-clean"], options);
        assert_eq!(findings(&r), vec![], "{}", r["findings"]);
        let c = &r["clusters"][0];
        assert_eq!(c["profile"], "zifeo-openstack-rke2");
        assert_eq!(c["location"]["bucket"], "prod-etcd-snapshots");
        assert_eq!(c["keys"]["s3-bucket"]["source"], "module");
        assert_eq!(c["keys"]["s3-secret-key"]["sensitive"], true);
        assert_eq!(c["keys"]["snapshot-retention"]["value"], "28");
        assert_eq!(r["summary"]["verdict"], "pass");
    }
}

#[test]
fn zifeo_without_a_region_input_fails_only_for_an_aws_endpoint_in_another_region() {
    // Native backup off: s3_backup counts, object_store_endpoint does not.
    for options in [json!({}), with_config("zf-aws-region")] {
        let r = report(&["zf-aws-region"], options);
        assert_eq!(findings(&r), vec![("EB101".to_string(), "module.rke2".to_string(), "s3-region".to_string())]);
        let m = message(&r, "EB101");
        assert!(m.contains("no input for etcd-s3-region") && m.contains("eu-west-1"), "{m}");
        assert_eq!(r["clusters"][0]["location"]["bucket"], "zf-etcd-eu");
    }
    // The same module on Swift (zf-clean, zf-shared-bucket) is not asked for a region it cannot set.
    for options in [json!({}), with_config("zf-shared-bucket")] {
        let r = report(&["zf-shared-bucket"], options);
        assert_eq!(rules(&r), ["EB201", "EB201"], "{}", r["findings"]);
        let fix = r["findings"][0]["remediation"].as_str().unwrap();
        assert!(fix.contains("its own bucket") && fix.contains("no folder input"), "{fix}");
    }
}

#[test]
fn zifeo_writes_nothing_without_an_endpoint() {
    // backup_retention alone is written only inside the endpoint's block: no backup at all.
    for options in [json!({}), with_config("zf-not-configured")] {
        let r = report(&["zf-not-configured"], options);
        assert_eq!(rules(&r), ["EB003"], "{}", r["findings"]);
        let fix = r["findings"][0]["remediation"].as_str().unwrap();
        assert!(fix.contains("endpoint, bucket, access_key, access_secret") && !fix.contains("region"), "{fix}");
    }
}

#[test]
fn rancher2_cluster_v2_is_read_from_its_attributes_and_its_cloud_credential() {
    // The keys and the region come from the credential the cluster refers to; the rest from its
    // s3_config. Plans of the rancher/rancher2 provider's schema (its stand-in: the registry is
    // not reachable where the fixtures are made).
    for options in [json!({}), with_config("rc-clean")] {
        let r = report(&["rc-clean"], options);
        assert_eq!(findings(&r), vec![], "{}", r["findings"]);
        let c = &r["clusters"][0];
        assert_eq!(c["address"], "rancher2_cluster_v2.prod");
        assert_eq!(c["profile"], "rancher2-cluster-v2");
        assert_eq!(c["location"], json!({"service": "aws", "bucket": "rc-etcd", "folder": "prod"}));
        assert_eq!(
            c["keys"]["s3-region"]["from"],
            "rancher2_cloud_credential.etcd.s3_credential_config.default_region"
        );
        assert_eq!(c["keys"]["s3-secret-key"]["sensitive"], true);
        assert_eq!(c["keys"]["snapshot-retention"]["value"], "28");
        assert_eq!(r["summary"]["verdict"], "pass");
    }
    for options in [json!({}), with_config("rc-missing-region")] {
        let r = report(&["rc-missing-region"], options);
        assert_eq!(findings(&r), vec![("EB101".into(), "rancher2_cluster_v2.prod".into(), "s3-region".into())]);
        let m = message(&r, "EB101");
        assert!(m.contains("region is missing from rke_config.etcd.s3_config"), "{m}");
    }
    // Empty s3_config values take the credential's defaults (Rancher's s3args.go): one folder.
    for options in [json!({}), with_config("rc-shared-folder")] {
        let r = report(&["rc-shared-folder"], options);
        assert_eq!(rules(&r), ["EB201", "EB201"], "{}", r["findings"]);
        assert_eq!(r["clusters"][0]["location"], json!({"service": "aws", "bucket": "rc-etcd", "folder": "clusters"}));
    }
}

#[test]
fn rancher2_credentials_kept_in_rancher_are_not_checked_and_say_so() {
    let r = report(&["rc-credential-by-name"], json!({}));
    assert_eq!(rules(&r), ["EB002"], "{}", r["findings"]);
    let m = message(&r, "EB002");
    assert!(m.contains("s3-access-key, s3-secret-key") && m.contains("which this plan does not hold"), "{m}");
}

#[test]
fn rancher2_restore_into_a_replaced_cluster_is_eb302() {
    // Renaming replaces the cluster object: Rancher makes it a new token, and the snapshot it is
    // asked to restore was written under the old one. The restore names Rancher's snapshot
    // object, not a k3s file name (no EB112).
    for options in [json!({}), with_config("rc-restore-replaced")] {
        let r = report(&["rc-restore-replaced"], options);
        assert_eq!(r["clusters"][0]["action"], "replace");
        assert_eq!(rules(&r), ["EB002", "EB302"], "{}", r["findings"]);
        let fix = r["findings"][1]["remediation"].as_str().unwrap();
        assert!(fix.contains("restore into the existing cluster"), "{fix}");
    }
}

#[test]
fn a_module_no_profile_reads_is_seen_in_the_configuration_when_the_plan_shows_nothing() {
    // Plan JSON keeps only the template's references and the user data is unknown: nothing shows.
    let alone = report(&["unread-flags"], json!({}));
    assert_eq!(alone["summary"]["verdict"], "nothing-checked");
    let r = report(&["unread-flags"], with_config("unread-flags"));
    assert_eq!(rules(&r), ["EB004"]);
    assert!(message(&r, "EB004").contains("server_flags at main.tf:12"), "{}", message(&r, "EB004"));
    assert_eq!(r["summary"]["verdict"], "fail");
}

fn acme_profile() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{}/profile.json", common::dir("inhouse-k3s"))).unwrap())
        .unwrap()
}

#[test]
fn an_in_house_module_no_profile_reads_fails_the_gate() {
    let r = report(&["inhouse-k3s"], json!({}));
    assert_eq!(rules(&r), ["EB004", "EB004"]);
    assert_eq!(r["clusters"][0]["backup"], "not-read");
    assert!(message(&r, "EB004").contains("../modules/acme-k3s"));
    assert_eq!(r["summary"]["deny"], 2);
}

#[test]
fn an_in_house_module_read_through_a_user_profile() {
    let r = report(&["inhouse-k3s"], json!({ "data": acme_profile() }));
    let eb201: Vec<String> =
        findings(&r).into_iter().filter(|(rule, _, _)| rule == "EB201").map(|(_, c, _)| c).collect();
    assert_eq!(eb201, ["module.blue", "module.green"], "{}", r["findings"]);
    assert!(!rules(&r).contains(&"EB004".to_string()));
    let c = &r["clusters"][0];
    assert_eq!(c["profile"], "acme-k3s");
    assert_eq!(c["location"]["service"], "minio.acme.internal:9000");
    assert_eq!(c["location"]["folder"], "k3s");
    // The object's names became settings; the token is the profile's input.
    assert_eq!(c["keys"]["s3-region"]["value"], "us-east-1");
    assert_eq!(c["token"]["from"], "var.join_token");
    // With the configuration too.
    let r = report(&["inhouse-k3s"], json!({ "data": acme_profile(), "config": [tf_files("inhouse-k3s")] }));
    assert!(rules(&r).contains(&"EB201".to_string()), "{}", r["findings"]);
}

#[test]
fn a_user_profile_with_a_typo_is_an_input_error_naming_the_nearest_key() {
    let mut doc = acme_profile();
    doc["etcd_backup"]["profiles"][0]["inputs"][0]["form"] = json!("objekt");
    let e = Options::from_json(&json!({ "data": doc }).to_string()).unwrap_err().to_string();
    assert!(e.contains("did you mean \"object\""), "{e}");
    let mut doc = acme_profile();
    doc["etcd_backup"]["profile"] = doc["etcd_backup"]["profiles"].take();
    let e = Options::from_json(&json!({ "data": doc }).to_string()).unwrap_err().to_string();
    assert!(e.contains("did you mean \"profiles\""), "{e}");
}

#[test]
fn a_plan_without_clusters_says_nothing_was_checked_in_every_format() {
    let s = session(&["unrelated"], json!({}));
    assert_eq!(s.summary().verdict, "nothing-checked");
    for format in ["text", "json", "opa", "sarif", "junit", "github", "markdown", "atlantis"] {
        let out = s.render(format).unwrap();
        if format == "opa" {
            continue; // deny/warn only, by its definition
        }
        assert!(out.contains("no k3s/RKE2 cluster found: nothing was checked"), "{format}: {out}");
        assert!(
            !out.lines().any(|l| l.trim() == "PASS" || l.starts_with("PASS:") || l.starts_with("PASS -")),
            "{format}: {out}"
        );
    }
}

#[test]
fn no_secret_of_the_profile_fixtures_reaches_any_output() {
    let cases = [
        "kh-clean",
        "kh-missing-region",
        "kh-shared-bucket",
        "kh-token-regenerated",
        "kh-token-changed",
        "zf-clean",
        "zf-aws-region",
        "zf-shared-bucket",
        "rc-clean",
        "rc-missing-region",
        "lc-clean",
        "lc-token-changed",
        "rc-shared-folder",
        "inhouse-k3s",
    ];
    for case in cases {
        for options in [json!({}), json!({ "data": acme_profile(), "config": [tf_files(case)] })] {
            let s = session(&[case], options);
            for format in ["text", "json", "sarif", "junit", "github", "markdown", "atlantis"] {
                let out = s.render(format).unwrap();
                for secret in secrets() {
                    assert!(!out.contains(&secret), "{case} {format} leaks a fixture secret");
                }
            }
        }
    }
}
