//! Property-based fuzzing on stable Rust (proptest): arbitrary text through every parser and
//! decoder, arbitrary JSON through the plan reader. The properties: no panic, errors are values,
//! and no secret placed in the input comes out in any output.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use etcd_backup_policy::{config, cron, decode, endpoint, format, gotypes, Options, Session};
use proptest::prelude::*;

const SECRET: &str = "S3CR3T-PROPTEST-VALUE";

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        "[ -~]{0,24}".prop_map(serde_json::Value::String),
        prop_oneof![
            Just("s3"),
            Just("s3-bucket"),
            Just("s3-folder"),
            Just("etcd_backup"),
            Just("cluster_token"),
            Just("s3-secret-key")
        ]
        .prop_map(|s| serde_json::json!(s)),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("etcd_backup".to_string()),
                    Just("cluster_token".to_string()),
                    Just("s3-secret-key".to_string()),
                    Just("s3-bucket".to_string()),
                    Just("user_data".to_string()),
                    "[a-z_-]{1,10}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A plan skeleton with one cluster call, whose resource values are arbitrary but for the
/// secret, which sits where credentials and tokens do (a secret key, the token).
fn plan_with(mut after: serde_json::Value, unknown: serde_json::Value, expr: serde_json::Value) -> String {
    if let Some(m) = after.as_object_mut() {
        m.insert("cluster_token".into(), serde_json::json!(SECRET));
        if let Some(eb) = m.get_mut("etcd_backup").and_then(|e| e.as_object_mut()) {
            eb.insert("s3-secret-key".into(), serde_json::json!(SECRET));
        }
    }
    serde_json::json!({
        "format_version": "1.2",
        "variables": { "t": { "value": SECRET } },
        "configuration": { "root_module": {
            "variables": { "t": { "sensitive": false } },
            "module_calls": { "k8s": { "expressions": { "etcd_backup": expr, "cluster_token": { "references": ["var.t"] } } } }
        } },
        "resource_changes": [{
            "address": "module.k8s.terraform_data.x", "module_address": "module.k8s", "mode": "managed",
            "change": { "actions": ["update"], "before": after.clone(), "after": after, "after_unknown": unknown, "after_sensitive": {} }
        }]
    })
    .to_string()
}

/// No secret in any output or error, and the same output every time. `must_read`: the plan is
/// well formed, so reading it must succeed (the property is checked, not skipped).
fn check_no_leak(text: &[u8], options: &str, must_read: bool) {
    let render = || {
        let mut s = Session::new(Options::from_json(options).unwrap());
        match s.add_plan("p", text) {
            Ok(()) => {
                let mut out: Vec<String> = format::FORMATS.iter().map(|f| s.render(f).unwrap()).collect();
                out.push(s.fingerprint(None).to_string());
                Ok(out)
            }
            Err(e) => Err(e.to_string()),
        }
    };
    let first = render();
    match &first {
        Ok(outputs) => {
            for (out, f) in outputs.iter().zip(format::FORMATS.iter().chain(["fingerprint"].iter())) {
                assert!(!out.contains(SECRET), "{f} leaks the secret");
            }
        }
        Err(e) => {
            assert!(!must_read, "a well-formed plan was not read: {e}");
            assert!(!e.contains(SECRET) && !e.contains('\n'), "the error is one line without the secret: {e}");
        }
    }
    assert_eq!(first, render(), "the output is deterministic");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        // Not a plan: always an error value with one line, never a panic.
        let e = Session::new(Options::default()).add_plan("p", &bytes).unwrap_err();
        prop_assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn arbitrary_resource_values_never_panic_or_leak(after in json_value(), unknown in json_value(), expr in json_value()) {
        check_no_leak(plan_with(after, unknown, expr).as_bytes(), "{}", false);
    }

    #[test]
    fn secrets_in_maps_never_leak(key in "[a-z0-9_-]{1,20}", folder in "[ -~]{0,20}") {
        let after = serde_json::json!({ "input": { "etcd_backup": {
            "s3": "true", "s3-bucket": "b", "s3-folder": folder, "s3-access-key": SECRET, "s3-secret-key": SECRET,
            "s3-session-token": SECRET, format!("{key}_secret"): SECRET, format!("{key}-password"): SECRET
        }, "cluster_token": SECRET } });
        let tf = format!("variable \"t\" {{}}\n\nmodule \"k8s\" {{\n  etcd_backup = {{ s3-secret-key = \"{SECRET}\", {key}_token = \"{SECRET}\" }}\n}}\n");
        let options = serde_json::json!({ "config": { "main.tf": tf } }).to_string();
        check_no_leak(plan_with(after, serde_json::json!({}), serde_json::json!({"references": ["var.x"]})).as_bytes(), &options, true);
    }

    #[test]
    fn text_parsers_never_panic(s in "\\PC{0,200}") {
        let _ = cron::parse(&s).map(|c| c.interval());
        let _ = endpoint::check(&s);
        let _ = gotypes::parse_duration(&s);
        let _ = gotypes::parse_int(&s);
        let _ = decode::base64(&s);
        let _ = decode::mime_parts(&s);
        let _ = decode::cloud_config_write_files(&s);
        let _ = decode::k3s_text(&s);
        let _ = decode::unescape_double(&s);
        let _ = config::Configuration::parse(&BTreeMap::from([("main.tf".to_string(), Some(s.clone())), ("x.tf.json".to_string(), Some(s.clone()))]));
    }

    #[test]
    fn cron_shaped_text_never_panics(f in prop::collection::vec("[0-9*/,?A-Za-z-]{1,12}", 0..7), tz in prop::option::of("[A-Za-z/_]{1,12}")) {
        let spec = match tz { Some(z) => format!("CRON_TZ={z} {}", f.join(" ")), None => f.join(" ") };
        let _ = cron::parse(&spec).map(|c| c.interval());
    }

    #[test]
    fn mime_and_cloud_config_shaped_text_never_panics(lines in prop::collection::vec(prop_oneof![
        Just("Content-Type: multipart/mixed; boundary=\"B\"".to_string()), Just("--B".to_string()), Just("--B--".to_string()),
        Just("#cloud-config".to_string()), Just("write_files:".to_string()), Just("- path: /etc/zadara/etcd_backup.json".to_string()),
        Just("  content: |".to_string()), Just("  encoding: gz+b64".to_string()), Just("\"content\": \"{\\\"s3\\\":\\\"true\\\"}\"".to_string()),
        "[ -~]{0,30}"
    ], 0..20)) {
        let doc = lines.join("\n");
        let _ = decode::mime_parts(&doc);
        for f in decode::cloud_config_write_files(&doc).into_iter().flatten() {
            let _ = decode::write_file_content(&f);
        }
        let after = serde_json::json!({ "user_data": doc });
        check_no_leak(plan_with(after, serde_json::json!({}), serde_json::json!({"references": ["var.x"]})).as_bytes(), "{}", true);
    }
}

/// An HCL expression built from the pieces maps are written with (and some that must fail).
fn hcl_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        // var.t is the token (the canary): it is passed as cluster_token below, not used in maps.
        Just("var.v".to_string()),
        Just("local.l".to_string()),
        Just("each.key".to_string()),
        Just("aws_s3_bucket.b.id".to_string()),
        Just("module.m.out".to_string()),
        Just("\"s\"".to_string()),
        Just("\"${var.v}-x\"".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-1".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        "[a-z]{1,6}".prop_map(|s| format!("\"{s}\"")),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("merge({{ s3 = {a} }}, {{ s3-bucket = {b} }})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b} + {a} / {b} % {b})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!("({a} == {b} ? {c} : {a})")),
            inner.clone().prop_map(|a| format!("[for x in [{a}, {a}] : x]")),
            inner.clone().prop_map(|a| format!("{{ for k, v in {{ a = {a} }} : k => v }}")),
            (
                prop_oneof![
                    Just("lower"),
                    Just("format"),
                    Just("join"),
                    Just("lookup"),
                    Just("try"),
                    Just("element"),
                    Just("replace"),
                    Just("toset"),
                    Just("length"),
                    Just("split")
                ],
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a}[{b}]")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Arbitrary expressions through the whole --config evaluation: a value, unknown, or an error
    /// value — never a panic (a trap in WASM), never the canary in an output.
    #[test]
    fn evaluating_arbitrary_configuration_never_panics_or_leaks(expr in hcl_expr(), token in prop_oneof![Just("var.t".to_string()), Just("trimspace(var.t)".to_string()), hcl_expr()]) {
        let tf = format!(
            "variable \"t\" {{}}\n\nlocals {{\n  l = {expr}\n}}\n\nmodule \"k8s\" {{\n  source = \"./m\"\n  cluster_token = {token}\n  etcd_backup = {{ s3-secret-key = \"{SECRET}\", s3-folder = {expr} }}\n}}\n"
        );
        let options = serde_json::json!({ "config": { "main.tf": tf } }).to_string();
        check_no_leak(plan_with(serde_json::json!({}), serde_json::json!({}), serde_json::json!({"references": ["var.x"]})).as_bytes(), &options, true);
    }
}
