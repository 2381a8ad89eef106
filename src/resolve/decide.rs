//! Stage 5, deciding each value from the evidence, best first: the plan's literal or variable,
//! what the module rendered, the evaluated configuration; what none tells is unresolved.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::files::Files;
use super::gather::{rendered_provenance, resolved_keys};
use super::inputs::{as_module_string, call_input, map_from_json, Input};
use crate::error::Error;
use crate::evidence::{Evidence, MapEvidence};
use crate::model::{Backup, Provenance, Resolved, Token, TokenState, Value};
use crate::plan::{Expression, Plan};
use crate::profiles::{Form, Implies, InputSpec, Profile};

/// The cluster's settings from every input its profile names, each in its form, later inputs
/// merged over earlier ones (kube-hetzner: `control_planes_custom_config` over `etcd_s3_backup`).
/// The resources' rendering completes the first input, unless the profile says the module renders
/// nothing a plan shows (hashes, provisioners).
pub(super) fn resolve_settings(
    plan: &Plan,
    files: &Files,
    evidence: &[(String, Evidence)],
    profile: &Profile,
) -> Result<Backup, Error> {
    let evidence = if profile.reads_rendered() { evidence } else { &[] };
    let mut merged: Option<Backup> = None;
    for (i, spec) in profile.inputs.iter().enumerate() {
        if let Some((switch, default)) = &spec.enabled_by {
            match input_scalar(plan, files, switch, Some(if *default { "true" } else { "false" }))? {
                Value::Known(v) if v == "true" => {}
                Value::Known(_) => continue,
                Value::Unknown => {
                    return Ok(Backup::Unresolved {
                        reason: format!(
                            "{switch}, which decides whether {} counts, is not known from the plan{}",
                            spec.place(),
                            files.hint(switch)
                        ),
                    })
                }
            }
        }
        let ev = if i == 0 { evidence } else { &[] };
        let b = if spec.path.is_some() || matches!(spec.form, Form::RestorePath | Form::Value(_)) {
            path_input(plan, files, spec)?
        } else if spec.form.is_map() {
            resolve_backup(plan, files, ev, spec, profile)?
        } else {
            text_input(plan, files, ev, spec, profile)?
        };
        let b = match &spec.form {
            Form::Value(key) => value_from_rendered(b, key, evidence),
            _ => b,
        };
        let b = supplied(plan, files, implied(b, spec, profile), spec, profile)?;
        merged = Some(match merged {
            None => b,
            Some(_) if spec.replaces && matches!(b, Backup::Keys(_)) => b,
            Some(prev) => merge(prev, b, spec),
        });
    }
    Ok(gated(merged.unwrap_or(Backup::NotSet { provenance: None }), profile))
}

/// A one-option input (`etcd-s3-bucket`) checked against what the module rendered, which is
/// the truth where the plan records only references: an input the plan cannot tell (a local, a
/// resource's attribute), or one read from a variable that may be a template of it
/// (`"${var.env}-cluster"` and `var.env` look alike in plan JSON).
fn value_from_rendered(b: Backup, key: &str, evidence: &[(String, Evidence)]) -> Backup {
    let rendered = evidence.iter().find_map(|(resource, ev)| match &ev.backup {
        Some((MapEvidence::Keys(keys), loc)) => {
            let found = keys.get(key).filter(|f| f.value.is_some())?;
            let mut one = BTreeMap::new();
            one.insert(key.to_string(), found.clone());
            resolved_keys(&one, &rendered_provenance(resource, loc)).remove(key)
        }
        _ => None,
    });
    let Some(r) = rendered else { return b };
    match b {
        Backup::Unresolved { .. } => one_key(key, r),
        Backup::Keys(mut keys) => {
            let from_plan = keys
                .get(key)
                .is_some_and(|old| matches!(old.provenance, Provenance::Variable { .. }) && old.known() != r.known());
            if from_plan {
                keys.insert(key.to_string(), r);
            }
            Backup::Keys(keys)
        }
        other => other,
    }
}

/// Settings of one key.
pub(super) fn one_key(key: &str, r: Resolved) -> Backup {
    let mut keys = BTreeMap::new();
    keys.insert(key.to_string(), r);
    Backup::Keys(keys)
}

/// A scalar input as text: the plan's literal or root variable, else the files', else the
/// module's `default` when the call does not pass it; unknown otherwise.
fn input_scalar(plan: &Plan, files: &Files, name: &str, default: Option<&str>) -> Result<Value, Error> {
    let known = |v: &Json| as_module_string(v).map(Value::Known).unwrap_or(Value::Unknown);
    Ok(match call_input(plan, &files.call().chain, name)? {
        Input::Absent | Input::Literal(Json::Null) | Input::Default(Json::Null) => match default {
            Some(d) => Value::Known(d.to_string()),
            None => Value::Unknown,
        },
        Input::Literal(v) | Input::Default(v) | Input::Variable { value: v, .. } => known(&v),
        Input::Keys(_) | Input::Opaque => match files.whole_json(name) {
            Some((Some(v), _)) => known(&v),
            _ => Value::Unknown,
        },
    })
}

/// The settings a module supplies along with an input that gives any (zifeo's native backup:
/// its own container `${name}-etcd-snapshots` and an EC2 credential it makes at apply).
fn supplied(plan: &Plan, files: &Files, b: Backup, spec: &InputSpec, profile: &Profile) -> Result<Backup, Error> {
    let Backup::Keys(mut keys) = b else { return Ok(b) };
    for (key, template) in &spec.supplies {
        if keys.contains_key(key) {
            continue;
        }
        let value = match template {
            None => Value::Unknown,
            Some(t) => {
                let mut text = t.clone();
                let mut known = true;
                for name in crate::profiles::template_inputs(t) {
                    match input_scalar(plan, files, name, None)? {
                        Value::Known(v) => text = text.replace(&format!("${{{name}}}"), &v),
                        Value::Unknown => known = false,
                    }
                }
                if known {
                    Value::Known(text)
                } else {
                    Value::Unknown
                }
            }
        };
        let provenance = Provenance::Module { profile: profile.name.clone(), input: spec.name.clone() };
        keys.insert(key.clone(), Resolved { value, provenance, sensitive: crate::catalogue::is_secret_key(key) });
    }
    Ok(Backup::Keys(keys))
}

/// No setting at all unless the profile's `settings_when` one is non-empty (zifeo writes the
/// whole `etcd-s3-*` block only for a non-empty endpoint). One unknown until apply keeps them.
pub(super) fn gated(b: Backup, profile: &Profile) -> Backup {
    let (Some(key), Backup::Keys(keys)) = (&profile.settings_when, &b) else { return b };
    match keys.get(key) {
        Some(r) if r.known() != Some("") => b,
        r => Backup::NotSet { provenance: r.map(|r| r.provenance.clone()) },
    }
}

/// Later inputs win key by key; one that cannot be read spoils the whole (it may set anything).
pub(super) fn merge(prev: Backup, next: Backup, spec: &InputSpec) -> Backup {
    match (prev, next) {
        (u @ Backup::Unresolved { .. }, _) => u,
        (_, Backup::Unresolved { reason }) => Backup::Unresolved {
            reason: format!(
                "{reason} (and {} is merged over the other settings, so none of them can be told)",
                spec.place()
            ),
        },
        (prev, Backup::NotSet { .. }) => prev,
        (Backup::NotSet { .. }, next) => next,
        (Backup::Keys(mut a), Backup::Keys(b)) => {
            a.extend(b);
            Backup::Keys(a)
        }
    }
}

/// `etcd-s3 = true` where the module sets it itself (kube-hetzner: any non-empty map).
pub(super) fn implied(b: Backup, spec: &InputSpec, profile: &Profile) -> Backup {
    let Backup::Keys(mut keys) = b else { return b };
    let on = match &spec.implies_s3 {
        Implies::Never => false,
        Implies::NonEmpty => !keys.is_empty(),
        Implies::WhenKey(k) => keys.contains_key(k),
    };
    if on && !keys.contains_key("s3") {
        let provenance = Provenance::Module { profile: profile.name.clone(), input: spec.name.clone() };
        keys.insert("s3".into(), Resolved { value: Value::Known("true".into()), provenance, sensitive: false });
    }
    Backup::Keys(keys)
}

/// A map as the module names its keys, turned into settings by the input's form: names that are
/// not about backups (a flag-map's `node-name`) are left out.
pub(super) fn shaped(b: Backup, form: &Form) -> Backup {
    if *form == Form::KeyMap {
        return b;
    }
    let Backup::Keys(keys) = b else { return b };
    let provenance = keys.values().next().map(|r| r.provenance.clone());
    let out: BTreeMap<String, Resolved> = crate::order::map(keys.into_iter().filter_map(|(k, mut r)| {
        let key = form.key(&k)?;
        r.sensitive |= crate::catalogue::is_secret_key(&key);
        Some((key, r))
    }));
    if out.is_empty() {
        return Backup::NotSet { provenance };
    }
    Backup::Keys(out)
}

/// Settings from k3s config.yaml text or server flags, all with the text's provenance.
pub(super) fn from_text(text: &str, provenance: Provenance, sensitive: bool) -> Backup {
    let k = crate::decode::k3s_text(text);
    if k.etcd.is_empty() {
        return Backup::NotSet { provenance: Some(provenance) };
    }
    Backup::Keys(crate::order::map(k.etcd.into_iter().map(|(key, v)| {
        let sensitive = sensitive || crate::catalogue::is_secret_key(&key);
        (key, Resolved { value: Value::Known(v), provenance: provenance.clone(), sensitive })
    })))
}

/// The values at `path` in `v`: keys, and `*` for every key or element (in order).
fn select<'v>(v: &'v Json, path: &[String]) -> Vec<&'v Json> {
    let Some((step, rest)) = path.split_first() else { return vec![v] };
    let next: Vec<&Json> = match (v, step.as_str()) {
        (Json::Object(m), "*") => m.values().collect(),
        (Json::Array(a), "*") => a.iter().collect(),
        (Json::Object(m), k) => m.get(k).into_iter().collect(),
        (Json::Array(a), k) => k.parse::<usize>().ok().and_then(|i| a.get(i)).into_iter().collect(),
        _ => Vec::new(),
    };
    next.into_iter().filter(|x| !x.is_null()).flat_map(|x| select(x, rest)).collect()
}

/// An input read whole and then selected in (`path`), or a `restore-path` input: from the plan's
/// literal or root variable, else from the configuration's files, else unresolved.
fn path_input(plan: &Plan, files: &Files, spec: &InputSpec) -> Result<Backup, Error> {
    let input = call_input(plan, &files.call().chain, &spec.name)?;
    let (value, provenance, sensitive) = match input {
        Input::Absent | Input::Literal(Json::Null) | Input::Default(Json::Null) => {
            return Ok(Backup::NotSet { provenance: None })
        }
        Input::Literal(v) | Input::Default(v) => (v, Provenance::Configuration, false),
        Input::Variable { name, value, sensitive } => {
            (value, Provenance::Variable { name, declared_sensitive: sensitive }, sensitive)
        }
        Input::Keys(_) | Input::Opaque => match files.whole_json(&spec.name) {
            Some((Some(v), r)) => (v, r.provenance, r.sensitive),
            Some((None, _)) => {
                return Ok(Backup::Unresolved {
                    reason: format!("{} depends on values known only at apply", spec.place()),
                })
            }
            None => {
                return Ok(Backup::Unresolved {
                    reason: format!(
                        "{}: the plan records only references for it{}",
                        spec.place(),
                        files.hint(&spec.name)
                    ),
                })
            }
        },
    };
    let mut out: Option<Backup> = None;
    for v in select(&value, spec.path.as_deref().unwrap_or_default()) {
        let b = match &spec.form {
            Form::RestorePath => match v {
                Json::String(s) if s.is_empty() => continue,
                Json::String(s) => one_key(
                    "cluster-reset-restore-path",
                    Resolved { value: Value::Known(s.clone()), provenance: provenance.clone(), sensitive },
                ),
                _ => continue,
            },
            Form::Value(key) => match as_module_string(v) {
                Some(s) if !s.is_empty() => {
                    let sensitive = sensitive || crate::catalogue::is_secret_key(key);
                    one_key(key, Resolved { value: Value::Known(s), provenance: provenance.clone(), sensitive })
                }
                _ => continue,
            },
            f if f.is_map() => shaped(map_from_json(v, &provenance, sensitive), f),
            _ => match text_of(v) {
                Some(t) => from_text(&t, provenance.clone(), sensitive),
                None => continue,
            },
        };
        out = Some(match out {
            None => b,
            Some(prev) => merge(prev, b, spec),
        });
    }
    Ok(out.unwrap_or(Backup::NotSet { provenance: Some(provenance) }))
}

/// A text value (a string, or a list of flag strings) as one text.
fn text_of(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Array(a) => {
            let mut lines = Vec::with_capacity(a.len());
            for x in a {
                lines.push(x.as_str()?);
            }
            Some(lines.join("\n"))
        }
        _ => None,
    }
}

/// A `yaml` or `flags` input: its text from the plan or the files, else what the module's
/// resources show, else unresolved (with why).
fn text_input(
    plan: &Plan,
    files: &Files,
    evidence: &[(String, Evidence)],
    spec: &InputSpec,
    profile: &Profile,
) -> Result<Backup, Error> {
    let input = call_input(plan, &files.call().chain, &spec.name)?;
    let not_text = || Error::Unreadable {
        plan: plan.name.clone(),
        why: format!(
            "the configuration's value for `{}` of {} is not {} text",
            spec.name,
            files.call().path.join("."),
            spec.form.as_str()
        ),
    };
    match input {
        Input::Absent | Input::Literal(Json::Null) | Input::Default(Json::Null) => {
            return Ok(Backup::NotSet { provenance: None })
        }
        Input::Variable { value: Json::Null, name, sensitive } => {
            return Ok(Backup::NotSet {
                provenance: Some(Provenance::Variable { name, declared_sensitive: sensitive }),
            })
        }
        Input::Literal(v) | Input::Default(v) => {
            let t = text_of(&v).ok_or_else(not_text)?;
            return Ok(from_text(&t, Provenance::Configuration, false));
        }
        _ => {}
    }
    // The plan records a template's references, not the template: `"${var.x}more"` reads like
    // `var.x`. The files, when given, tell which one it is.
    match files.whole_json(&spec.name) {
        Some((None, _)) => {
            return Ok(Backup::Unresolved {
                reason: format!("{}: the configuration's files give it from values known only at apply", spec.name),
            })
        }
        Some((Some(v), r)) => {
            if let Some(t) = text_of(&v) {
                return Ok(from_text(&t, r.provenance, r.sensitive));
            }
        }
        None => {}
    }
    if let Input::Variable { name, value, sensitive } = input {
        let t = text_of(&value).ok_or_else(not_text)?;
        let b = from_text(&t, Provenance::Variable { name, declared_sensitive: sensitive }, sensitive);
        return Ok(with_rendered_keys(b, evidence));
    }
    for (resource, ev) in evidence {
        if let Some((MapEvidence::Keys(keys), loc)) = &ev.backup {
            return Ok(Backup::Keys(resolved_keys(keys, &rendered_provenance(resource, loc))));
        }
    }
    let why = no_evidence_reason(profile, evidence);
    Ok(Backup::Unresolved { reason: format!("{}: {why}{}", spec.name, files.hint(&spec.name)) })
}

/// A map input (`key-map`, `flag-map`, `object`) from the best evidence, as settings.
pub(super) fn resolve_backup(
    plan: &Plan,
    files: &Files,
    evidence: &[(String, Evidence)],
    spec: &InputSpec,
    profile: &Profile,
) -> Result<Backup, Error> {
    let name = spec.name.as_str();
    let input = call_input(plan, &files.call().chain, name)?;
    // `etcd_backup` is a `map(string)`: a literal list, number or boolean for it is not a plan
    // Terraform wrote, and the gate cannot check it. (A string may be a `.tf.json` expression, and
    // `references: ["var.x"]` does not say the expression is exactly `var.x`: those fall through.)
    if let Input::Literal(v) | Input::Default(v) = &input {
        if v.is_array() || v.is_number() || v.is_boolean() {
            return Err(Error::Unreadable {
                plan: plan.name.clone(),
                why: format!(
                    "the configuration's value for `{name}` of {} is not a map of strings",
                    files.call().path.join(".")
                ),
            });
        }
    }
    // A literal the plan records must be what the configuration says.
    if let Input::Literal(Json::Object(literal)) = &input {
        if let Some(Backup::Keys(evaluated)) = files.backup(name) {
            for (k, r) in &evaluated {
                let plan_value = literal.get(k).and_then(as_module_string);
                let (Some(a), Some(b)) = (plan_value.as_deref(), r.known()) else { continue };
                if a == b {
                    continue;
                }
                let show = |v: &str| {
                    if r.sensitive {
                        crate::redact::HIDDEN.to_string()
                    } else {
                        format!("{:?}", crate::redact::url_credentials(v))
                    }
                };
                return Err(Error::ConfigMismatch {
                    plan: plan.name.clone(),
                    why: format!(
                        "{}: {name} key {k} is {} in the plan but {} in the configuration ({})",
                        files.call().path.join("."),
                        show(a),
                        show(b),
                        r.provenance.describe()
                    ),
                });
            }
        }
    }
    Ok(backup_from(input, files, evidence, spec, profile))
}

fn backup_from(
    input: Input,
    files: &Files,
    evidence: &[(String, Evidence)],
    spec: &InputSpec,
    profile: &Profile,
) -> Backup {
    let name = spec.name.as_str();
    let form = &spec.form;
    let written = || files.backup(name).map(|b| shaped(b, form));
    match input {
        // The plan alone evaluates only `"${var.x}"`; the configuration, when given, all of it.
        Input::Keys(keys) => {
            let b = match written() {
                Some(b) => b,
                None if keys.is_empty() => return Backup::NotSet { provenance: Some(Provenance::Configuration) },
                None => shaped(Backup::Keys(keys), form),
            };
            return with_rendered_keys(b, evidence);
        }
        Input::Literal(v) => return shaped(map_from_json(&v, &Provenance::Configuration, false), form),
        Input::Variable { name: var, value, sensitive } => {
            // The plan records an expression's references, not the expression: `merge(var.x, {…})`
            // reads like `var.x`. The files, when given, show which one it is.
            if let Some(b) = written() {
                return with_rendered_keys(b, evidence);
            }
            if !files.has(name) && (value.is_object() || value.is_null()) {
                let prov = Provenance::Variable { name: var, declared_sensitive: sensitive };
                let b = shaped(map_from_json(&value, &prov, sensitive), form);
                return with_rendered_keys(b, evidence);
            }
        }
        Input::Default(v) => return shaped(map_from_json(&v, &Provenance::Configuration, false), form),
        Input::Absent => return Backup::NotSet { provenance: None },
        Input::Opaque => {}
    }
    // The configuration only lists references: read the map back from the module's resources.
    let mut unknown_at: Option<String> = None;
    for (resource, ev) in evidence {
        if let Some((m, loc)) = &ev.backup {
            let prov = rendered_provenance(resource, loc);
            match m {
                MapEvidence::Keys(keys) if keys.is_empty() => return Backup::NotSet { provenance: Some(prov) },
                MapEvidence::Keys(keys) => {
                    return with_configuration_sources(Backup::Keys(resolved_keys(keys, &prov)), written())
                }
                MapEvidence::Null => return Backup::NotSet { provenance: Some(prov) },
                MapEvidence::Unknown => {
                    unknown_at.get_or_insert_with(|| prov.describe());
                }
            }
        }
    }
    if let Some(b) = written() {
        return b;
    }
    let reason = match unknown_at {
        Some(at) => format!("the module renders it into {at}, which is unknown until apply"),
        None => no_evidence_reason(profile, evidence),
    };
    Backup::Unresolved { reason: format!("{reason}{}", files.hint(name)) }
}

/// A map read back from the module's resources, with each key's source from the configuration
/// when it is given: the rendering shows the value the module received, the configuration where it
/// was written — a literal in main.tf is a hardcoded credential (EB110) however the plan renders it.
/// A value the module changed on the way (the rendering differs) keeps the rendering's source.
fn with_configuration_sources(b: Backup, written: Option<Backup>) -> Backup {
    let Some(Backup::Keys(written)) = written else { return b };
    let Backup::Keys(mut rendered) = b else { return b };
    for (k, w) in written {
        let Some(r) = rendered.get_mut(&k) else { continue };
        let same = match (&r.value, &w.value) {
            (Value::Known(a), Value::Known(b)) => a == b,
            (Value::Unknown, _) => true,
            (Value::Known(_), Value::Unknown) => false,
        };
        if same {
            let sensitive = r.sensitive || w.sensitive;
            let value = if r.value == Value::Unknown { w.value } else { r.value.clone() };
            *r = crate::model::Resolved { value, provenance: w.provenance, sensitive };
        }
    }
    Backup::Keys(rendered)
}

/// A map taken from a variable, completed with what the module's resources show it received:
/// keys a wrapper added on the way (`merge(var.x, {…})` in a module the files do not cover) or set
/// to another value. The rendered value wins; keys the module does not render stay as they are.
pub(super) fn with_rendered_keys(b: Backup, evidence: &[(String, Evidence)]) -> Backup {
    let Some((resource, keys, loc)) = evidence.iter().find_map(|(r, ev)| match &ev.backup {
        Some((MapEvidence::Keys(k), loc)) if !k.is_empty() => Some((r, k, loc)),
        _ => None,
    }) else {
        return b;
    };
    let prov = rendered_provenance(resource, loc);
    let mut merged = match b {
        Backup::Keys(m) => m,
        other => {
            if keys.values().all(|f| f.value.is_none()) {
                return other;
            }
            BTreeMap::new()
        }
    };
    for (k, r) in resolved_keys(keys, &prov) {
        let differs = match (merged.get(&k), &r.value) {
            (None, _) => true,
            (Some(old), Value::Known(new)) => old.known() != Some(new.as_str()),
            (Some(_), Value::Unknown) => false,
        };
        if differs {
            merged.insert(k, r);
        }
    }
    if merged.is_empty() {
        return Backup::NotSet { provenance: Some(prov) };
    }
    Backup::Keys(merged)
}

/// Why an input the plan records only by its references has no value from the resources either:
/// the module renders it nowhere a plan shows (hashes, provisioners), or the resources that may
/// carry it cannot be read or are unknown.
fn no_evidence_reason(profile: &Profile, evidence: &[(String, Evidence)]) -> String {
    if !profile.reads_rendered() {
        return format!(
            "the plan records only references for it, and the {} module renders it only into {}, which a plan never shows",
            profile.name,
            profile.rendered_phrase()
        );
    }
    carrier_reason(evidence).unwrap_or_else(|| {
        "the plan records only references for it and no resource of the module shows its value".into()
    })
}

/// Why the module's resources do not show a value: an attribute that cannot be read, else one
/// unknown until apply that may carry it.
fn carrier_reason(evidence: &[(String, Evidence)]) -> Option<String> {
    if let Some(at) = evidence.iter().find_map(|(r, ev)| ev.unreadable.first().map(|a| format!("{r}.{a}"))) {
        return Some(format!("the module renders it into {at}, which cannot be read"));
    }
    let at = evidence.iter().find_map(|(r, ev)| ev.unknown_carriers.first().map(|a| format!("{r}.{a}")))?;
    Some(format!("the module renders it into {at}, which is unknown until apply"))
}

pub(super) fn resolve_token(
    plan: &Plan,
    files: &Files,
    evidence: &[(String, Evidence)],
    profile: &Profile,
) -> Result<Token, Error> {
    let call = files.call();
    let evidence = if profile.reads_rendered() { evidence } else { &[] };
    // A module without a token input always makes its own.
    let Some(name) = profile.token.input.as_deref() else {
        return Ok(Token { state: TokenState::NotSet, references: Vec::new(), regenerated_by: None });
    };
    let input = call_input(plan, &call.chain, name)?;
    let references = call
        .chain
        .last()
        .and_then(|c| c.expressions.get(name))
        .and_then(|raw| Expression::read(raw))
        .map(|e| e.references)
        .unwrap_or_default();
    let resolved =
        |value: Value, provenance: Provenance| TokenState::Resolved(Resolved { value, provenance, sensitive: true });
    // The token the module rendered: the first one known, else the last one seen (unknown).
    let rendered = evidence
        .iter()
        .find_map(|(r, ev)| ev.token.as_ref().filter(|(f, _)| f.value.is_some()).map(|t| (r, t)))
        .or_else(|| evidence.iter().rev().find_map(|(r, ev)| ev.token.as_ref().map(|t| (r, t))))
        .map(|(resource, (f, loc))| (f.value.clone(), rendered_provenance(resource, loc)));
    // The plan records `trimspace(var.t)` with the same references as `var.t`: where the module
    // shows the token it rendered, that is the one it received.
    let inferred = |value: String, provenance: Provenance| match &rendered {
        Some((Some(v), prov)) if *v != value => resolved(Value::Known(v.clone()), prov.clone()),
        _ => resolved(Value::Known(value), provenance),
    };
    let state = match input {
        Input::Literal(Json::Null) | Input::Absent => TokenState::NotSet,
        // An empty token is none: k3s, RKE2 and the modules (aws-rke2's `config_join_token = ""`)
        // then make their own.
        Input::Literal(Json::String(s))
        | Input::Default(Json::String(s))
        | Input::Variable { value: Json::String(s), .. }
            if s.is_empty() =>
        {
            TokenState::NotSet
        }
        Input::Literal(v) => match as_module_string(&v) {
            Some(s) => resolved(Value::Known(s), Provenance::Configuration),
            None => TokenState::NotSet,
        },
        Input::Variable { name, value: Json::String(s), sensitive } => {
            inferred(s, Provenance::Variable { name, declared_sensitive: sensitive })
        }
        Input::Variable { value: Json::Null, .. } | Input::Default(Json::Null) => TokenState::NotSet,
        Input::Default(Json::String(s)) => inferred(s, Provenance::Configuration),
        _ => {
            let state = rendered.map(|(v, prov)| resolved(v.map(Value::Known).unwrap_or(Value::Unknown), prov));
            state.or_else(|| files.token(name)).unwrap_or_else(|| {
                let reason =
                    carrier_reason(evidence).unwrap_or_else(|| "no resource of the module shows its value".into());
                TokenState::Unresolved { reason: format!("{reason}{}", files.hint(name)) }
            })
        }
    };
    Ok(Token { state, references, regenerated_by: None })
}
