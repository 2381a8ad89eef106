//! Fail closed on clusters no profile reads (EB004): a module call that passes etcd S3 settings,
//! or a resource that shows them, outside every cluster a profile read. The gate cannot check
//! what it cannot read, so such a thing is a cluster of its own, read by nobody.

use super::calls::{profile_for, ModuleIndex};
use super::gather::extract;
use crate::address;
use crate::config::Configuration as Config;
use crate::error::Error;
use crate::evidence::MapEvidence;
use crate::model::{Action, Backup, Cluster, ReadBy, Token, TokenState};
use crate::plan::{Expression, ModuleConfig, Plan};
use crate::profiles::Profiles;

/// Whether text mentions an etcd S3 setting (`etcd-s3-bucket`, `etcd_s3_backup`).
fn mentions(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(7).any(|w| w.eq_ignore_ascii_case(b"etcd-s3") || w.eq_ignore_ascii_case(b"etcd_s3"))
}

/// Whether a literal mentions a setting in a key or a string, at any depth.
fn json_mentions(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => mentions(s),
        serde_json::Value::Array(a) => a.iter().any(json_mentions),
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| mentions(k) || json_mentions(v)),
        _ => false,
    }
}

/// A cheap look at a resource's raw values (JSON text) before reading them, so that the unrelated
/// resources that make up most of a fleet's plan are never parsed. It may carry settings when it
/// names etcd in plain text anywhere, or when an attribute's string begins with what the decoders
/// open: gzip in base64 (`H4sI`), a script (`#!/` → `IyEv`), cloud-config (`#cl` → `I2Ns`, or
/// `#cloud-config`), MIME (`Con` → `Q29u`, or `Content-Type`/`MIME-Version`), k3s config
/// (`etc` → `ZXRj`), flags (`--e` → `LS1l`), JSON (`{"` → `eyJ`). Two passes with vectorised
/// searches (a substring, then the `:` of each attribute); what is skipped is an encoded blob
/// that starts otherwise, or one that is an array element rather than an attribute's value.
fn may_carry(raw: &str) -> bool {
    const STARTS: &[&[u8]] = &[
        b"H4sI",
        b"IyEv",
        b"I2Ns",
        b"Q29u",
        b"ZXRj",
        b"LS1l",
        b"eyJ",
        b"#cloud-config",
        b"Content-Type",
        b"MIME-Version",
    ];
    if raw.contains("etcd") {
        return true;
    }
    let b = raw.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| {
        let mut k = i;
        while k > 0 && b[k - 1].is_ascii_whitespace() {
            k -= 1;
        }
        if k == 0 || b[k - 1] != b'"' {
            return false;
        }
        let mut j = i + 1;
        while b.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        b.get(j) == Some(&b'"') && STARTS.iter().any(|p| b[j + 1..].starts_with(p))
    })
}

/// How many instances of one resource block (one `resource` of one module call, across its
/// `count`/`for_each` instances and the module's own instances) are looked at. Instances of a block
/// share its configuration, so the first ones tell whether it renders etcd settings; looking at
/// every one would make EB004 cost a pass over every byte of a fleet's plan (in WASM, +30 % on a
/// 100 MB plan of 48 000 instances of one block).
const SAMPLE_PER_BLOCK: u32 = 16;

/// The block of a resource of the module instance `module`: its address without the module and
/// the instance key (`aws_instance.server` of `module.k3s.aws_instance.server[2]`).
fn block_of<'a>(module: &str, address: &'a str) -> &'a str {
    let own = address.strip_prefix(module).map(|r| r.trim_start_matches('.')).unwrap_or(address);
    own.split('[').next().unwrap_or(own)
}

/// The positions of the resources of one module instance to look at: the first instances of
/// each block, counted across the instances of the module call `call`. A plan lists resources
/// sorted by address (Terraform's jsonplan sorts them), so a block's instances are one run, and
/// the rest of a run is skipped by a binary search rather than visited.
fn sample<T>(
    counts: &mut std::collections::HashMap<(Vec<String>, String), u32>,
    call: &[String],
    module: &str,
    items: &[T],
    address: impl Fn(&T) -> &str,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let block = block_of(module, address(&items[i]));
        let run = items[i..].partition_point(|x| block_of(module, address(x)) == block).max(1);
        let seen = counts.entry((call.to_vec(), block.to_string())).or_insert(0);
        let take = (SAMPLE_PER_BLOCK.saturating_sub(*seen) as usize).min(run);
        *seen += take as u32;
        out.extend(i..i + take);
        i += run;
    }
    out
}

/// Where a call carries settings: an input named for them, a literal holding them, or a root
/// variable (passed as it is) whose value holds them.
fn carried_by(plan: &Plan, call: &crate::plan::ModuleCall, top: bool) -> Option<String> {
    for (name, raw) in &call.expressions {
        if mentions(name) {
            return Some(format!("its input {name}"));
        }
        let Some(e) = Expression::read(raw) else { continue };
        if e.constant_value.as_ref().is_some_and(json_mentions) {
            return Some(format!("the literal value of its input {name}"));
        }
        if let (true, [only]) = (top, e.references.as_slice()) {
            let var = only.strip_prefix("var.").filter(|v| !v.contains(['.', '[']));
            if var.and_then(|v| plan.variables.get(v)).is_some_and(|raw| mentions(raw.get())) {
                return Some(format!("its input {name} (from {only})"));
            }
        }
    }
    None
}

fn nobody(plan: &Plan, address: String, source: String, seen: String, action: Action) -> Cluster {
    let reason = format!("no module profile reads it; etcd S3 settings seen in {seen}");
    Cluster {
        read_by: ReadBy::Nobody { source, seen },
        plan: plan.name.clone(),
        stack: plan.stack.clone(),
        address,
        action,
        backup: Backup::Unresolved { reason: reason.clone() },
        token: Token { state: TokenState::Unresolved { reason }, references: Vec::new(), regenerated_by: None },
        prior: Default::default(),
        predecessors: Vec::new(),
        block: None,
        token_at: None,
        notes: Vec::new(),
        location: Default::default(),
    }
}

/// Whether an expression's literal text (strings, templates, heredocs, object keys, at any depth
/// of collections, calls and conditionals) mentions a setting.
#[cfg(feature = "config")]
fn expression_mentions(e: &hcl::Expression) -> bool {
    use hcl::expr::{Expression as E, ObjectKey, TemplateExpr};
    match e {
        E::String(s) => mentions(s),
        E::TemplateExpr(t) => match t.as_ref() {
            TemplateExpr::QuotedString(s) => mentions(s),
            TemplateExpr::Heredoc(h) => mentions(&h.template),
        },
        E::Array(a) => a.iter().any(expression_mentions),
        E::Object(o) => o.iter().any(|(k, v)| {
            let key = match k {
                ObjectKey::Identifier(i) => mentions(i.as_str()),
                ObjectKey::Expression(x) => expression_mentions(x),
                _ => false,
            };
            key || expression_mentions(v)
        }),
        E::FuncCall(f) => f.args.iter().any(expression_mentions),
        E::Parenthesis(x) => expression_mentions(x),
        E::Conditional(c) => expression_mentions(&c.true_expr) || expression_mentions(&c.false_expr),
        _ => false,
    }
}

/// Where the configuration's files (`--config`) show a call carrying settings: an argument named
/// for them or whose expression mentions them (a flags template the plan records only as
/// references). Only the build with the configuration reader has files to look at.
#[cfg(feature = "config")]
fn written_with_settings(config: &Config, path: &[String]) -> Option<String> {
    if !config.given {
        return None;
    }
    let caller = config.module_dir(&path[..path.len() - 1])?;
    let call = config.modules.get(&caller)?.calls.get(path.last()?)?;
    call.args
        .iter()
        .find(|(name, e)| mentions(name) || expression_mentions(&e.expr))
        .map(|(name, e)| format!("its input {name} at {}:{}", e.pos.file, e.pos.line))
}

#[cfg(not(feature = "config"))]
fn written_with_settings(_: &Config, _: &[String]) -> Option<String> {
    None
}

/// The call paths (`["platform", "k3s"]`) of every module call that carries settings but that no
/// profile reads, outside the clusters `read` (their call paths) and their wrappers.
fn unread_calls(
    plan: &Plan,
    config: &Config,
    m: &ModuleConfig,
    profiles: &Profiles,
    read: &[Vec<String>],
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String, String)>,
) {
    for (name, call) in &m.module_calls {
        path.push(name.clone());
        let inside_read = read.iter().any(|r| r == path);
        let wraps_read = read.iter().any(|r| r.len() > path.len() && r.starts_with(path));
        if !inside_read {
            let seen = if wraps_read || profile_for(call, profiles).is_some() {
                None
            } else {
                carried_by(plan, call, path.len() == 1).or_else(|| written_with_settings(config, path))
            };
            match seen {
                Some(seen) => {
                    let source = call.source_text().unwrap_or_else(|| "(no source)".into());
                    out.push((path.clone(), source, seen));
                }
                None => unread_calls(plan, config, &call.module, profiles, read, path, out),
            }
        }
        path.pop();
    }
}

/// The source of the module call at `names`, for a message.
fn source_of(plan: &Plan, names: &[String]) -> Option<String> {
    let mut m = &plan.configuration;
    let mut source = None;
    for n in names {
        let call = m.module_calls.get(n)?;
        source = call.source_text();
        m = &call.module;
    }
    source
}

/// Every cluster no profile reads. `read` holds the call paths of the clusters profiles read,
/// `read_resources` the addresses of the resources they read (`rancher2_cluster_v2.prod`).
pub(super) fn unread(
    plan: &Plan,
    config: &Config,
    index: &ModuleIndex,
    profiles: &Profiles,
    read: &[Vec<String>],
    read_resources: &[String],
) -> Result<Vec<Cluster>, Error> {
    let mut calls = Vec::new();
    unread_calls(plan, config, &plan.configuration, profiles, read, &mut Vec::new(), &mut calls);
    let names_of =
        |module: &str| -> Vec<String> { address::module_steps(module).into_iter().map(|s| s.name).collect() };
    let covered = |names: &[String]| {
        read.iter().chain(calls.iter().map(|(p, _, _)| p)).any(|p| names.len() >= p.len() && names.starts_with(p))
    };
    let mut out = Vec::new();
    for (path, source, seen) in &calls {
        let rendered = format!("module.{}", path.join(".module."));
        // Deleted when this plan deletes everything it has (no rule then applies); else created
        // or kept — EB004 only needs to know it is not going away.
        let mut any = false;
        let mut all_deleted = true;
        for (_, rcs) in index.changes.iter().filter(|(m, _)| names_of(m).starts_with(path)) {
            any |= !rcs.is_empty();
            all_deleted &= rcs.iter().all(|rc| super::calls::is_delete(rc));
        }
        let action = if any && all_deleted { Action::Delete } else { Action::Create };
        out.push(nobody(plan, rendered, source.clone(), seen.clone(), action));
    }
    // Resources outside every cluster that show settings: at the root, or in a module no profile
    // reads. Their after values (or planned values, for plans without changes); each module's
    // place is worked out once, and a resource is read only when the cheap look says it may carry.
    type Raw<'r> = Option<&'r serde_json::value::RawValue>;
    let mut candidates: Vec<(&str, &str, Raw, Raw, Raw)> = Vec::new();
    let mut counts = std::collections::HashMap::new();
    if index.changes.is_empty() {
        for (m, rs) in &index.planned {
            let call = names_of(m);
            if covered(&call) {
                continue;
            }
            for r in sample(&mut counts, &call, m, rs, |r| r.address.as_str()).into_iter().map(|i| rs[i]) {
                if r.values.is_some_and(|v| may_carry(v.get())) {
                    candidates.push((m, &r.address, r.values, None, r.sensitive_values));
                }
            }
        }
    } else {
        for (m, rcs) in &index.changes {
            let call = names_of(m);
            if covered(&call) {
                continue;
            }
            let looked_at = sample(&mut counts, &call, m, rcs, |rc| rc.address.as_ref()).into_iter().map(|i| rcs[i]);
            for rc in looked_at.filter(|rc| !super::calls::is_delete(rc)) {
                let c = &rc.change;
                if c.after.is_some_and(|v| may_carry(v.get())) {
                    candidates.push((m, &rc.address, c.after, c.after_unknown, c.after_sensitive));
                }
            }
        }
    }
    // Addresses already reported (a resource per module is enough; few, so a list).
    let mut seen_at: Vec<String> = Vec::new();
    for (module, resource, after, unknown, sensitive) in candidates {
        if read_resources.iter().any(|r| r == resource) {
            continue;
        }
        let ev = extract(plan, resource, (after, "after"), unknown, (sensitive, "after_sensitive"))?;
        let shows = matches!(&ev.backup, Some((MapEvidence::Keys(k), _)) if k.keys().any(|k| k.starts_with("s3")));
        if !shows {
            continue;
        }
        let (address, source) = if module.is_empty() {
            let kind = resource.split('.').next().unwrap_or("").to_string();
            (resource.to_string(), format!("resource type {kind}"))
        } else {
            let src = source_of(plan, &names_of(module)).unwrap_or_else(|| "(no source)".into());
            (module.to_string(), src)
        };
        if !seen_at.contains(&address) {
            seen_at.push(address.clone());
            let at = ev.backup.as_ref().map(|(_, l)| l.attribute.clone()).unwrap_or_default();
            out.push(nobody(plan, address, source, format!("{resource}.{at}"), Action::Create));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn the_look_before_reading_opens_what_the_decoders_open_and_skips_opaque_blobs() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let long = |s: &str| format!("{s}{}", " #".repeat(200));
        let json = |v: &str| serde_json::json!({ "tags": { "Name": "x" }, "user_data": v }).to_string();
        for carrier in [
            b64(&long("#!/bin/sh\ncurl -sfL https://get.k3s.io | sh -s - server")),
            b64(&long("#cloud-config\nwrite_files: []")),
            b64(&long("Content-Type: multipart/mixed; boundary=X")),
            b64(&long("etcd-s3-bucket: b")),
            b64(&long("--etcd-s3 --etcd-s3-bucket=b")),
            b64(&long("{\"etcd_backup\": {}}")),
            format!("H4sI{}", "A".repeat(400)),
            "k3s server --etcd-s3-bucket=b".to_string(),
            "#cloud-config\nwrite_files:\n- encoding: b64".to_string(),
            "Content-Type: multipart/mixed; boundary=X".to_string(),
        ] {
            assert!(may_carry(&json(&carrier)), "{carrier}");
        }
        assert!(may_carry(r#"{"user_data" : "H4sIAAAA"}"#), "pretty-printed JSON");
        // Random base64 (a fleet's other user data) and ordinary attributes are not opened.
        let random: String =
            (0..1600u32).map(|i| b"QWxhZGRpbjpvcGVuIHNlc2FtZQ"[(i * 7 % 26) as usize] as char).collect();
        assert!(!may_carry(&json(&random)));
        assert!(!may_carry(
            r#"{"ami": "ami-0123456789abcdef0", "instance_type": "m5.large", "note": "a \"quoted\" word"}"#
        ));
    }

    #[test]
    fn the_first_instances_of_each_block_are_looked_at_across_the_calls_instances() {
        let addrs: Vec<String> = (0..40)
            .map(|i| format!("module.app[0].aws_instance.a[{i}]"))
            .chain(["module.app[0].aws_instance.b".to_string()])
            .chain((0..3).map(|i| format!("module.app[0].aws_instance.c[{i}]")))
            .collect();
        let mut counts = std::collections::HashMap::new();
        let call = vec!["app".to_string()];
        let got = sample(&mut counts, &call, "module.app[0]", &addrs, |a| a.as_str());
        let expected: Vec<usize> = (0..16).chain([40, 41, 42, 43]).collect();
        assert_eq!(got, expected);
        // The call's next instance: block a has had its share; b and c have room left.
        let next: Vec<String> = addrs.iter().map(|a| a.replace("app[0]", "app[1]")).collect();
        let got = sample(&mut counts, &call, "module.app[1]", &next, |a| a.as_str());
        assert_eq!(got, [40, 41, 42, 43]);
    }

    #[test]
    fn settings_are_mentioned_in_either_spelling() {
        assert!(mentions("{\"etcd-s3-bucket\":\"b\"}") && mentions("etcd_s3_backup") && mentions("ETCD_S3"));
        assert!(!mentions("etcd-snapshot-retention"));
    }
}
