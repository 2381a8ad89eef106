//! Stage 4a, what the plan's own `configuration` says a module call's input receives: a literal,
//! a root variable followed down the calls, or a `.tf.json` expression.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::error::Error;
use crate::model::{Backup, Provenance, Resolved, Value};
use crate::plan::{Expression, ModuleCall, Plan};

/// The value a module call's input receives, when the configuration alone tells it:
/// a literal, or a bare `var.X` followed up through the calling modules to the root variables.
pub(super) enum Input {
    Literal(Json),
    Variable {
        name: String,
        value: Json,
        sensitive: bool,
    },
    /// `var.X` of a wrapper module that is not passed (its default applies).
    Default(Json),
    /// A map written in JSON syntax (`.tf.json`): literal keys beside `"${...}"` expressions,
    /// each resolved on its own.
    Keys(BTreeMap<String, Resolved>),
    /// An expression the plan does not record the value of.
    Opaque,
    Absent,
}

/// Whether a `constant_value` holds a JSON-syntax template (`"${...}"` or `"%{...}"`; `$${` and
/// `%%{` are escapes for the literal text).
pub(super) fn has_template(v: &Json) -> bool {
    match v {
        Json::String(s) => {
            let b = s.as_bytes();
            (1..b.len()).any(|i| b[i] == b'{' && matches!(b[i - 1], b'$' | b'%') && (i < 2 || b[i - 2] != b[i - 1]))
        }
        Json::Object(m) => m.values().any(has_template),
        Json::Array(a) => a.iter().any(has_template),
        _ => false,
    }
}

/// `X` when a JSON-syntax string is exactly `"${var.X}"`.
pub(super) fn template_variable(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${")?.strip_suffix('}')?.trim();
    let var = inner.strip_prefix("var.")?;
    (!var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')).then_some(var)
}

/// A JSON-syntax value: what `"${var.X}"` is at this level of the chain, else unknown (the plan
/// does not record what other templates evaluate to).
pub(super) fn template_value(plan: &Plan, parents: &[&ModuleCall], s: &str) -> Result<Resolved, Error> {
    let unknown = Resolved { value: Value::Unknown, provenance: Provenance::Configuration, sensitive: false };
    let Some(var) = template_variable(s) else { return Ok(unknown) };
    let input = if parents.is_empty() {
        match plan.variable(var)? {
            Some(value) => Input::Variable { sensitive: plan.variable_is_sensitive(var), name: var.to_string(), value },
            None => Input::Opaque,
        }
    } else {
        call_input(plan, parents, var)?
    };
    Ok(match input {
        Input::Variable { name, value, sensitive } => match as_module_string(&value) {
            Some(v) => Resolved {
                value: Value::Known(v),
                provenance: Provenance::Variable { name, declared_sensitive: sensitive },
                sensitive,
            },
            None => Resolved {
                value: Value::Unknown,
                provenance: Provenance::Variable { name, declared_sensitive: sensitive },
                sensitive,
            },
        },
        Input::Literal(v) | Input::Default(v) => match as_module_string(&v) {
            Some(v) => Resolved { value: Value::Known(v), provenance: Provenance::Configuration, sensitive: false },
            None => unknown,
        },
        _ => unknown,
    })
}

pub(super) fn call_input(plan: &Plan, chain: &[&ModuleCall], name: &str) -> Result<Input, Error> {
    let Some((call, parents)) = chain.split_last() else {
        return Ok(Input::Absent);
    };
    let Some(raw) = call.expressions.get(name) else {
        return Ok(Input::Absent);
    };
    let expr = Expression::read(raw).ok_or_else(|| Error::Unreadable {
        plan: plan.name.clone(),
        why: format!("the configuration's expression for the module input `{name}` has the wrong type"),
    })?;
    if let Some(c) = expr.constant_value {
        // A `.tf.json` module puts its `"${...}"` expressions into constant_value, with their
        // references beside: those strings are expressions, not literals (never a false EB110 or
        // a token compared as the text "${var.t}").
        if expr.references.is_empty() || !has_template(&c) {
            return Ok(Input::Literal(c));
        }
        return match &c {
            Json::String(s) => match template_variable(s) {
                Some(var) if parents.is_empty() => Ok(match plan.variable(var)? {
                    Some(value) => {
                        Input::Variable { sensitive: plan.variable_is_sensitive(var), name: var.to_string(), value }
                    }
                    None => Input::Opaque,
                }),
                Some(var) => call_input(plan, parents, var),
                None => Ok(Input::Opaque),
            },
            Json::Object(m) => {
                let mut keys = BTreeMap::new();
                for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                    let mut r = match v {
                        Json::String(s) if has_template(v) => template_value(plan, parents, s)?,
                        _ => Resolved {
                            value: as_module_string(v).map(Value::Known).unwrap_or(Value::Unknown),
                            provenance: Provenance::Configuration,
                            sensitive: false,
                        },
                    };
                    r.sensitive |= crate::catalogue::is_secret_key(k);
                    keys.insert(k.clone(), r);
                }
                Ok(Input::Keys(keys))
            }
            _ => Ok(Input::Opaque),
        };
    }
    let Some(var) = bare_variable(&expr) else {
        return Ok(Input::Opaque);
    };
    if parents.is_empty() {
        return Ok(match plan.variable(&var)? {
            Some(value) => Input::Variable { sensitive: plan.variable_is_sensitive(&var), name: var, value },
            None => Input::Opaque,
        });
    }
    Ok(match call_input(plan, parents, &var)? {
        Input::Absent => {
            let parent = parents.last().expect("non-empty");
            match parent.module.variables.get(&var).and_then(|v| v.default.clone()) {
                Some(d) => Input::Default(d),
                None => Input::Opaque,
            }
        }
        other => other,
    })
}

/// `X` when the expression is exactly `var.X` (not an attribute or element of it).
pub(super) fn bare_variable(expr: &Expression) -> Option<String> {
    match expr.references.as_slice() {
        [only] if expr.constant_value.is_none() => {
            only.strip_prefix("var.").filter(|v| !v.contains(['.', '['])).map(str::to_string)
        }
        _ => None,
    }
}

/// Converts a literal to the string a `map(string)` input receives (`true` → `"true"`).
pub(super) fn as_module_string(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn map_from_json(v: &Json, provenance: &Provenance, sensitive: bool) -> Backup {
    match v {
        Json::Object(m) if !m.is_empty() => {
            Backup::Keys(crate::order::map(m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| {
                let value = as_module_string(v).map(Value::Known).unwrap_or(Value::Unknown);
                let sensitive = sensitive || crate::catalogue::is_secret_key(k);
                (k.clone(), Resolved { value, provenance: provenance.clone(), sensitive })
            })))
        }
        _ => Backup::NotSet { provenance: Some(provenance.clone()) },
    }
}
