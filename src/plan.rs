//! Reading Terraform plan JSON (`terraform show -json`), format_version 0.1 – 1.x.
//!
//! This is the one place that knows the plan's JSON layout. The plan is read in one pass into
//! typed sections that borrow from the input: resource values stay `&RawValue` (scanned, not
//! turned into a DOM) and are only materialised for the resources of clusters, on demand.
//! Layout reference: https://developer.hashicorp.com/terraform/internals/json-format

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::Error;

/// One plan as given by the user: a display name and its text.
pub struct PlanInput<'a> {
    pub name: &'a str,
    pub text: &'a [u8],
}

/// Names the section whose shape is wrong; serde's own message could quote the input. Syntax and
/// end-of-input errors pass through unchanged, so a truncated plan still says so.
fn named<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
    name: &'static str,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d).map_err(|e| {
        let m = e.to_string();
        let shape =
            ["invalid type", "invalid value", "invalid length", "unknown variant", "missing field", "duplicate field"];
        if shape.iter().any(|p| m.starts_with(p)) {
            serde::de::Error::custom(format!("{SECTION_PREFIX}`{name}` has an unexpected shape (wrong type)"))
        } else {
            e
        }
    })
}

pub(crate) const SECTION_PREFIX: &str = "section ";

macro_rules! section_reader {
    ($fn:ident, $name:literal) => {
        fn $fn<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
            named(d, $name)
        }
    };
}
section_reader!(resource_changes_section, "resource_changes");
section_reader!(planned_values_section, "planned_values");
section_reader!(prior_state_section, "prior_state");
section_reader!(configuration_section, "configuration");
section_reader!(state_values_section, "values");

#[derive(Deserialize)]
struct TopLevel<'a> {
    #[serde(borrow)]
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    variables: Option<BTreeMap<String, VariableValue<'a>>>,
    #[serde(borrow, default, deserialize_with = "planned_values_section")]
    planned_values: Option<StateValues<'a>>,
    #[serde(borrow, default, deserialize_with = "resource_changes_section")]
    resource_changes: Option<Vec<ResourceChange<'a>>>,
    #[serde(borrow, default, deserialize_with = "prior_state_section")]
    prior_state: Option<PriorState<'a>>,
    #[serde(borrow, default, deserialize_with = "configuration_section")]
    configuration: Option<ConfigurationDoc<'a>>,
    /// `terraform show -json` of a state (not a plan): its resources as they are now.
    #[serde(borrow, default, deserialize_with = "state_values_section")]
    values: Option<StateValues<'a>>,
    /// Spacelift plan-policy input: `{"spacelift": …, "terraform": <plan>}`.
    #[serde(borrow)]
    terraform: Option<&'a RawValue>,
    #[serde(borrow)]
    spacelift: Option<&'a RawValue>,
}

/// The part of Spacelift's plan-policy input that names the stack (`spacelift.stack.id`).
#[derive(Deserialize)]
struct SpaceliftMeta {
    stack: Option<SpaceliftStack>,
}

#[derive(Deserialize)]
struct SpaceliftStack {
    id: Option<String>,
}

#[derive(Deserialize)]
struct VariableValue<'a> {
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

/// What the document is: a plan, or a state (`terraform show -json` without a plan file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Plan,
    State,
}

/// The parts of a plan the checks need, borrowed from the input text.
pub struct Plan<'a> {
    pub name: String,
    pub kind: Kind,
    /// The Spacelift stack this plan belongs to (`spacelift.stack.id` of a wrapped plan).
    pub stack: Option<String>,
    pub variables: BTreeMap<String, &'a RawValue>,
    pub configuration: ModuleConfig<'a>,
    pub resource_changes: Vec<ResourceChange<'a>>,
    pub planned_values: Vec<ResourceValues<'a>>,
    pub prior_state: Vec<ResourceValues<'a>>,
}

#[derive(Deserialize, Default)]
pub struct ModuleConfig<'a> {
    #[serde(borrow, default)]
    pub module_calls: BTreeMap<String, ModuleCall<'a>>,
    #[serde(default)]
    pub variables: BTreeMap<String, VariableConfig>,
    /// Output blocks: what a reference `module.NAME.OUTPUT` from the caller depends on.
    #[serde(borrow, default)]
    pub outputs: BTreeMap<String, OutputConfig<'a>>,
    /// Resource blocks (`[{address, expressions, …}]`): what a cluster resource's arguments refer
    /// to (its cloud credential). Raw: read only for a resource profile's cluster.
    #[serde(borrow, default)]
    pub resources: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub struct OutputConfig<'a> {
    #[serde(borrow)]
    pub expression: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub struct ModuleCall<'a> {
    /// `"./platform"`, `"../modules/k3s"`, or a registry/git address (raw: read only when needed).
    #[serde(borrow)]
    pub source: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub expressions: BTreeMap<String, &'a RawValue>,
    #[serde(borrow)]
    pub count_expression: Option<&'a RawValue>,
    #[serde(borrow)]
    pub for_each_expression: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub module: ModuleConfig<'a>,
}

impl ModuleCall<'_> {
    /// The call's source as written (`"kube-hetzner/kube-hetzner/hcloud"`, a git URL, a path).
    pub fn source_text(&self) -> Option<String> {
        serde_json::from_str(self.source?.get()).ok()
    }

    /// The call's source when it is a local path (Terraform: it begins with `./` or `../`).
    pub fn local_source(&self) -> Option<String> {
        let s: String = serde_json::from_str(self.source?.get()).ok()?;
        (s.starts_with("./") || s.starts_with("../")).then_some(s)
    }
}

#[derive(Deserialize, Default)]
pub struct VariableConfig {
    #[serde(default)]
    pub sensitive: bool,
    pub default: Option<Value>,
}

#[derive(Deserialize)]
struct ConfigurationDoc<'a> {
    #[serde(borrow, default)]
    root_module: ModuleConfig<'a>,
}

/// An expression as Terraform's configuration representation records it.
#[derive(Deserialize, Default, Debug)]
pub struct Expression {
    pub constant_value: Option<Value>,
    #[serde(default)]
    pub references: Vec<String>,
}

impl Expression {
    pub fn parse(raw: &RawValue) -> Expression {
        Expression::read(raw).unwrap_or_default()
    }

    /// The expression, or `None` when the value is not one: only an object is an expression; a
    /// nested block is an array of them, not an input value (and serde would read an array as
    /// the struct's fields in order).
    pub fn read(raw: &RawValue) -> Option<Expression> {
        if !raw.get().trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(raw.get()).ok()
    }
}

#[derive(Deserialize)]
pub struct ResourceChange<'a> {
    #[serde(borrow)]
    pub address: Cow<'a, str>,
    /// The resource type (`rancher2_cluster_v2`).
    #[serde(borrow, rename = "type", default)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub module_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub mode: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub change: Change<'a>,
}

#[derive(Deserialize)]
pub struct Change<'a> {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(borrow)]
    pub before: Option<&'a RawValue>,
    #[serde(borrow)]
    pub after: Option<&'a RawValue>,
    #[serde(borrow)]
    pub after_unknown: Option<&'a RawValue>,
    #[serde(borrow)]
    pub before_sensitive: Option<&'a RawValue>,
    #[serde(borrow)]
    pub after_sensitive: Option<&'a RawValue>,
}

/// A resource of `planned_values` or `prior_state`, with the address of its module.
pub struct ResourceValues<'a> {
    pub address: String,
    pub module_address: String,
    /// `managed` or `data`.
    pub mode: Option<String>,
    pub values: Option<&'a RawValue>,
    pub sensitive_values: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct StateValues<'a> {
    #[serde(borrow)]
    root_module: Option<ModuleValues<'a>>,
}

#[derive(Deserialize)]
struct PriorState<'a> {
    #[serde(borrow)]
    values: Option<StateValues<'a>>,
}

#[derive(Deserialize)]
struct ModuleValues<'a> {
    #[serde(borrow)]
    address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    resources: Vec<ResourceValuesDoc<'a>>,
    #[serde(borrow, default)]
    child_modules: Vec<ModuleValues<'a>>,
}

#[derive(Deserialize)]
struct ResourceValuesDoc<'a> {
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(borrow)]
    mode: Option<Cow<'a, str>>,
    #[serde(borrow)]
    values: Option<&'a RawValue>,
    #[serde(borrow)]
    sensitive_values: Option<&'a RawValue>,
}

fn flatten<'a>(m: ModuleValues<'a>, out: &mut Vec<ResourceValues<'a>>) {
    let module_address = m.address.map(|a| a.into_owned()).unwrap_or_default();
    for r in m.resources {
        out.push(ResourceValues {
            address: r.address.into_owned(),
            module_address: module_address.clone(),
            mode: r.mode.map(Cow::into_owned),
            values: r.values,
            sensitive_values: r.sensitive_values,
        });
    }
    for c in m.child_modules {
        flatten(c, out);
    }
}

/// Only digits and dots are echoed back: the field could hold anything.
fn printable_version(v: &str) -> String {
    if !v.is_empty() && v.len() <= 16 && v.chars().all(|c| c.is_ascii_digit() || c == '.') {
        v.to_string()
    } else {
        "(not a version number)".to_string()
    }
}

/// Text that is not UTF-8 (JSON must be) is a JSON error at the first byte that is not, without
/// the bytes themselves.
fn not_utf8(plan: &str, text: &[u8], at: usize) -> Error {
    let before = &text[..at];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Error::Json {
        plan: plan.to_string(),
        line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
        column: 1 + at - line_start,
        what: "the text is not UTF-8".to_string(),
    }
}

/// A data (shape) error names the section when we know it; syntax errors give the position.
fn shape_error(plan: &str, e: &serde_json::Error, otherwise: &str) -> Error {
    if e.classify() != serde_json::error::Category::Data {
        return Error::json(plan, e);
    }
    let m = e.to_string();
    let why = match m.strip_prefix(SECTION_PREFIX) {
        // Our own words, without serde's " at line N column M" suffix.
        Some(rest) => rest.split(" at line ").next().unwrap_or(rest).to_string(),
        None => otherwise.to_string(),
    };
    Error::NotAPlan { plan: plan.to_string(), why }
}

impl<'a> Plan<'a> {
    pub fn parse(input: &PlanInput<'a>) -> Result<Plan<'a>, Error> {
        let name = input.name;
        // One UTF-8 check of the whole text up front lets serde_json read it as `str`, which skips
        // its per-string check and the second one when each `&RawValue` is borrowed (~10 % of
        // reading a plan). Reading only as `str` keeps one copy of the plan's deserialiser in the WASM.
        let text = std::str::from_utf8(input.text).map_err(|e| not_utf8(name, input.text, e.valid_up_to()))?;
        let top: TopLevel<'a> =
            serde_json::from_str(text).map_err(|e| shape_error(name, &e, "the document is not a JSON object"))?;
        // A Spacelift plan-policy input wraps the plan under `terraform`.
        if top.format_version.is_none() {
            if let Some(inner) = top.terraform {
                let inner_top: TopLevel<'a> = serde_json::from_str(inner.get()).map_err(|e| {
                    shape_error(name, &e, "the `terraform` member of this Spacelift input is not a plan object")
                })?;
                // The stack id is only used to recognise this very cluster in an inventory: a
                // wrapper that does not name it leaves the stack unnamed (never identity).
                let stack = top
                    .spacelift
                    .and_then(|raw| serde_json::from_str::<SpaceliftMeta>(raw.get()).ok())
                    .and_then(|m| m.stack?.id)
                    .filter(|id| !id.is_empty());
                let mut plan = Plan::from_top(name, inner_top, top.spacelift.is_some())?;
                plan.stack = stack;
                return Ok(plan);
            }
        }
        Plan::from_top(name, top, false)
    }

    fn from_top(name: &str, top: TopLevel<'a>, wrapped: bool) -> Result<Plan<'a>, Error> {
        let version = top.format_version.ok_or_else(|| Error::NotAPlan {
            plan: name.to_string(),
            why: if wrapped {
                "the Spacelift input's `terraform` member has no `format_version`".into()
            } else {
                "no `format_version` (produce it with `terraform show -json PLANFILE`)".into()
            },
        })?;
        let major = version.split('.').next().unwrap_or("");
        if major != "0" && major != "1" {
            return Err(Error::UnsupportedFormat { plan: name.to_string(), version: printable_version(&version) });
        }
        let configuration = top.configuration.map(|c| c.root_module).unwrap_or_default();
        let is_state = top.values.is_some() && top.resource_changes.is_none() && top.planned_values.is_none();
        let resource_changes = top.resource_changes.unwrap_or_default();
        let mut planned_values = Vec::new();
        if let Some(sv) = top.planned_values {
            if let Some(root) = sv.root_module {
                flatten(root, &mut planned_values);
            }
        }
        let mut prior_state = Vec::new();
        if let Some(ps) = top.prior_state {
            if let Some(root) = ps.values.and_then(|v| v.root_module) {
                flatten(root, &mut prior_state);
            }
        }
        // A state document holds what exists now: read it as the prior state of an empty plan.
        if let Some(root) = top.values.and_then(|v| v.root_module) {
            if is_state {
                flatten(root, &mut prior_state);
            }
        }
        let variables = crate::order::map(
            top.variables.unwrap_or_default().into_iter().filter_map(|(k, v)| v.value.map(|raw| (k, raw))),
        );
        Ok(Plan {
            name: name.to_string(),
            kind: if is_state { Kind::State } else { Kind::Plan },
            stack: None,
            variables,
            configuration,
            resource_changes,
            planned_values,
            prior_state,
        })
    }

    /// A root variable's value, if the plan records it; an error when it cannot be read.
    pub fn variable(&self, name: &str) -> Result<Option<Value>, Error> {
        let Some(raw) = self.variables.get(name) else { return Ok(None) };
        serde_json::from_str(raw.get()).map(Some).map_err(|_| Error::Unreadable {
            plan: self.name.clone(),
            why: format!("the value of the root variable `{name}` cannot be read"),
        })
    }

    /// Whether the root module declares this variable `sensitive`.
    pub fn variable_is_sensitive(&self, name: &str) -> bool {
        self.configuration.variables.get(name).map(|v| v.sensitive).unwrap_or(false)
    }
}

/// Which of a resource's recorded values is read: its values proper (an object, or null when
/// there are none) or Terraform's unknown/sensitive marks beside them (an object, `true`, `false`
/// or null).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Values(&'static str),
    Marks(&'static str),
}

impl Plan<'_> {
    /// Parses a resource's borrowed value on demand. A value that cannot be read (nested deeper
    /// than the reader allows, or of the wrong type) is an error naming the resource and the
    /// field, never "no evidence": a gate must not pass what it could not read.
    pub fn materialise(&self, raw: Option<&RawValue>, resource: &str, field: Field) -> Result<Value, Error> {
        let Some(raw) = raw else { return Ok(Value::Null) };
        let name = match field {
            Field::Values(n) | Field::Marks(n) => n,
        };
        let v: Value = serde_json::from_str(raw.get()).map_err(|e| Error::Unreadable {
            plan: self.name.clone(),
            why: if e.to_string().starts_with("recursion limit exceeded") {
                format!("{resource}: `{name}` is nested deeper than the reader allows ({MAX_NESTING} levels)")
            } else {
                format!("{resource}: `{name}` cannot be read")
            },
        })?;
        let fits = match field {
            Field::Values(_) => matches!(v, Value::Object(_) | Value::Null),
            Field::Marks(_) => matches!(v, Value::Object(_) | Value::Bool(_) | Value::Null),
        };
        if !fits {
            return Err(Error::Unreadable {
                plan: self.name.clone(),
                why: format!("{resource}: `{name}` has the wrong type (expected an object)"),
            });
        }
        Ok(v)
    }
}

/// serde_json's recursion limit: values nested deeper cannot be read.
pub const MAX_NESTING: usize = 128;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Plan<'_>, Error> {
        Plan::parse(&PlanInput { name: "p.json", text: text.as_bytes() })
    }

    #[test]
    fn rejects_unknown_major_version() {
        let e = parse(r#"{"format_version":"2.0"}"#).err().unwrap();
        assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
        assert!(e.to_string().contains("\"2.0\""));
    }

    #[test]
    fn accepts_old_and_new_minor_versions_and_ignores_unknown_keys() {
        for v in ["0.1", "0.2", "1.0", "1.2", "1.9"] {
            let t = format!(r#"{{"format_version":"{v}","brand_new_key":{{"x":[1,2]}}}}"#);
            assert!(parse(&t).is_ok(), "{v}");
        }
    }

    #[test]
    fn unwraps_spacelift_input() {
        let p =
            parse(r#"{"spacelift":{"run":{}},"terraform":{"format_version":"1.2","variables":{"a":{"value":"x"}}}}"#)
                .unwrap();
        assert_eq!(p.variable("a").unwrap(), Some(Value::String("x".into())));
    }

    #[test]
    fn truncated_and_non_object_inputs_are_errors() {
        assert!(matches!(parse(r#"{"format_version":"1.2","resource_changes":["#), Err(Error::Json { .. })));
        assert!(matches!(parse("[1,2]"), Err(Error::NotAPlan { .. })));
        let e = parse(r#"{"format_version":"1.2","resource_changes":{"a":1}}"#).err().unwrap();
        assert!(matches!(e, Error::NotAPlan { .. }));
        assert!(e.to_string().contains("`resource_changes` has an unexpected shape"), "{e}");
        let e = parse(
            r#"{"format_version":"1.2","configuration":{"root_module":{"module_calls":{"k":{"expressions":{"x":["#,
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = parse(r#"{"format_version":"1.2","prior_state":{"values":{"root_module":{"resources":[{"address":"s3cr3t-in-a-value"}, 5]}}}}"#).err().unwrap();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error_with_its_position() {
        let text = b"{\"format_version\":\"1.2\",\n\"variables\":{\"t\":{\"value\":\"s3cr3t\xff\"}}}";
        let e = Plan::parse(&PlanInput { name: "p.json", text }).err().unwrap();
        assert!(matches!(e, Error::Json { .. }), "{e}");
        assert!(e.to_string().ends_with("at line 2 column 34: the text is not UTF-8"), "{e}");
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
    }

    #[test]
    fn version_text_is_not_echoed_when_it_is_not_a_version() {
        let e = parse(r#"{"format_version":"s3cr3t-token"}"#).err().unwrap();
        assert!(!e.to_string().contains("s3cr3t"));
    }
}
