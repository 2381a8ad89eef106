//! Stage 5, deciding each value from the evidence, best first: the plan's literal or variable,
//! what the module rendered, the evaluated configuration; what none tells is unresolved.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::calls::{BACKUP, TOKEN};
use super::files::Files;
use super::gather::{rendered_provenance, resolved_keys};
use super::inputs::{as_module_string, call_input, map_from_json, Input};
use crate::error::Error;
use crate::evidence::{Evidence, MapEvidence};
use crate::model::{Backup, Provenance, Resolved, Token, TokenState, Value};
use crate::plan::{Expression, Plan};

pub(super) fn resolve_backup(plan: &Plan, files: &Files, evidence: &[(String, Evidence)]) -> Result<Backup, Error> {
    let input = call_input(plan, &files.call().chain, BACKUP)?;
    // `etcd_backup` is a `map(string)`: a literal list, number or boolean for it is not a plan
    // Terraform wrote, and the gate cannot check it. (A string may be a `.tf.json` expression, and
    // `references: ["var.x"]` does not say the expression is exactly `var.x`: those fall through.)
    if let Input::Literal(v) | Input::Default(v) = &input {
        if v.is_array() || v.is_number() || v.is_boolean() {
            return Err(Error::Unreadable {
                plan: plan.name.clone(),
                why: format!(
                    "the configuration's value for `{BACKUP}` of {} is not a map of strings",
                    files.call().path.join(".")
                ),
            });
        }
    }
    // A literal the plan records must be what the configuration says.
    if let Input::Literal(Json::Object(literal)) = &input {
        if let Some(Backup::Keys(evaluated)) = files.backup(BACKUP) {
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
                        "{}: {BACKUP} key {k} is {} in the plan but {} in the configuration ({})",
                        files.call().path.join("."),
                        show(a),
                        show(b),
                        r.provenance.describe()
                    ),
                });
            }
        }
    }
    Ok(backup_from(input, files, evidence))
}

pub(super) fn backup_from(input: Input, files: &Files, evidence: &[(String, Evidence)]) -> Backup {
    match input {
        // The plan alone evaluates only `"${var.x}"`; the configuration, when given, all of it.
        Input::Keys(keys) => {
            let b = match files.backup(BACKUP) {
                Some(b) => b,
                None if keys.is_empty() => return Backup::NotSet { provenance: Some(Provenance::Configuration) },
                None => Backup::Keys(keys),
            };
            return with_rendered_keys(b, evidence);
        }
        Input::Literal(v) => return map_from_json(&v, &Provenance::Configuration, false),
        Input::Variable { name, value, sensitive } => {
            // The plan records an expression's references, not the expression: `merge(var.x, {…})`
            // reads like `var.x`. The files, when given, show which one it is.
            if let Some(b) = files.backup(BACKUP) {
                return with_rendered_keys(b, evidence);
            }
            if !files.has(BACKUP) && (value.is_object() || value.is_null()) {
                let b = map_from_json(&value, &Provenance::Variable { name, declared_sensitive: sensitive }, sensitive);
                return with_rendered_keys(b, evidence);
            }
        }
        Input::Default(v) => return map_from_json(&v, &Provenance::Configuration, false),
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
                    return with_configuration_sources(Backup::Keys(resolved_keys(keys, &prov)), files)
                }
                MapEvidence::Null => return Backup::NotSet { provenance: Some(prov) },
                MapEvidence::Unknown => {
                    unknown_at.get_or_insert_with(|| prov.describe());
                }
            }
        }
    }
    if let Some(b) = files.backup(BACKUP) {
        return b;
    }
    let reason = match unknown_at {
        Some(at) => format!("the module renders it into {at}, which is unknown until apply"),
        None => carrier_reason(evidence).unwrap_or_else(|| {
            "the plan records only references for it and no resource of the module shows its value".into()
        }),
    };
    Backup::Unresolved { reason: format!("{reason}{}", files.hint(BACKUP)) }
}

/// A map read back from the module's resources, with each key's source from the configuration
/// when it is given: the rendering shows the value the module received, the configuration where it
/// was written — a literal in main.tf is a hardcoded credential (EB110) however the plan renders it.
/// A value the module changed on the way (the rendering differs) keeps the rendering's source.
fn with_configuration_sources(b: Backup, files: &Files) -> Backup {
    let Some(Backup::Keys(written)) = files.backup(BACKUP) else { return b };
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

/// Why the module's resources do not show a value: an attribute that cannot be read, else one
/// unknown until apply that may carry it.
fn carrier_reason(evidence: &[(String, Evidence)]) -> Option<String> {
    if let Some(at) = evidence.iter().find_map(|(r, ev)| ev.unreadable.first().map(|a| format!("{r}.{a}"))) {
        return Some(format!("the module renders it into {at}, which cannot be read"));
    }
    let at = evidence.iter().find_map(|(r, ev)| ev.unknown_carriers.first().map(|a| format!("{r}.{a}")))?;
    Some(format!("the module renders it into {at}, which is unknown until apply"))
}

pub(super) fn resolve_token(plan: &Plan, files: &Files, evidence: &[(String, Evidence)]) -> Result<Token, Error> {
    let call = files.call();
    let input = call_input(plan, &call.chain, TOKEN)?;
    let references = call
        .chain
        .last()
        .and_then(|c| c.expressions.get(TOKEN))
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
            state.or_else(|| files.token(TOKEN)).unwrap_or_else(|| {
                let reason =
                    carrier_reason(evidence).unwrap_or_else(|| "no resource of the module shows its value".into());
                TokenState::Unresolved { reason: format!("{reason}{}", files.hint(TOKEN)) }
            })
        }
    };
    Ok(Token { state, references, regenerated_by: None })
}
