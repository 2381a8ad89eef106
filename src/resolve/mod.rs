//! Finding the clusters of a plan and resolving their `etcd_backup` and `cluster_token` values,
//! each with its provenance (SPEC §2).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::address::{self, Step};
use crate::config::Configuration as Config;
use crate::error::Error;
use crate::evidence::{Evidence, Extractor, Found, Location, MapEvidence};
use crate::model::{Action, Backup, Cluster, Prior, Provenance, Resolved, Token, TokenState, Value};
use crate::plan::{Expression, Field, Kind, ModuleCall, ModuleConfig, Plan, ResourceChange, ResourceValues};

mod files;
use files::Files;

const BACKUP: &str = "etcd_backup";
const TOKEN: &str = "cluster_token";

/// A module call that deploys a cluster, with the chain of calls leading to it.
struct ClusterCall<'p, 'a> {
    path: Vec<String>,
    chain: Vec<&'p ModuleCall<'a>>,
}

fn mentions_cluster_inputs(call: &ModuleCall) -> bool {
    call.expressions.contains_key(BACKUP) || call.expressions.contains_key(TOKEN)
}

fn has_cluster_descendant(m: &ModuleConfig) -> bool {
    m.module_calls.values().any(|c| mentions_cluster_inputs(c) || has_cluster_descendant(&c.module))
}

/// Every module call, at any depth, that passes `etcd_backup` or `cluster_token` — the innermost
/// one where a wrapper module only forwards them (the wrapper is not a cluster of its own).
fn cluster_calls<'p, 'a>(
    m: &'p ModuleConfig<'a>,
    path: &mut Vec<String>,
    chain: &mut Vec<&'p ModuleCall<'a>>,
    out: &mut Vec<ClusterCall<'p, 'a>>,
) {
    for (name, call) in &m.module_calls {
        path.push(name.clone());
        chain.push(call);
        if mentions_cluster_inputs(call) && !has_cluster_descendant(&call.module) {
            out.push(ClusterCall { path: path.clone(), chain: chain.clone() });
        }
        cluster_calls(&call.module, path, chain, out);
        path.pop();
        chain.pop();
    }
}

/// Sorts instance keys as people expect: `[2]` before `[10]`, strings alphabetically.
fn instance_order(a: &[Step], b: &[Step]) -> std::cmp::Ordering {
    let key = |s: &[Step]| -> Vec<(String, Option<u64>, String)> {
        s.iter()
            .map(|st| {
                let k = st.key.clone().unwrap_or_default();
                (st.name.clone(), k.parse::<u64>().ok(), k)
            })
            .collect()
    };
    key(a).cmp(&key(b))
}

/// The resources of one cluster instance, in address order.
struct InstanceResources<'p, 'a> {
    changes: Vec<&'p crate::plan::ResourceChange<'a>>,
    planned: Vec<&'p crate::plan::ResourceValues<'a>>,
    prior: Vec<&'p crate::plan::ResourceValues<'a>>,
}

/// The plan's resources grouped by module address, so that finding an instance's resources is a
/// range lookup rather than a scan of every resource (plans hold tens of thousands).
struct ModuleIndex<'p, 'a> {
    changes: BTreeMap<&'p str, Vec<&'p crate::plan::ResourceChange<'a>>>,
    planned: BTreeMap<&'p str, Vec<&'p crate::plan::ResourceValues<'a>>>,
    prior: BTreeMap<&'p str, Vec<&'p crate::plan::ResourceValues<'a>>>,
}

impl<'p, 'a> ModuleIndex<'p, 'a> {
    fn new(plan: &'p Plan<'a>) -> Self {
        let mut ix = ModuleIndex { changes: BTreeMap::new(), planned: BTreeMap::new(), prior: BTreeMap::new() };
        for rc in &plan.resource_changes {
            ix.changes.entry(rc.module_address.as_deref().unwrap_or("")).or_default().push(rc);
        }
        for r in &plan.planned_values {
            ix.planned.entry(r.module_address.as_str()).or_default().push(r);
        }
        for r in &plan.prior_state {
            ix.prior.entry(r.module_address.as_str()).or_default().push(r);
        }
        ix
    }

    fn module_addresses(&self) -> impl Iterator<Item = &'p str> + '_ {
        self.changes.keys().chain(self.planned.keys()).chain(self.prior.keys()).copied()
    }

    /// Everything in the module instance at `instance` and the modules nested in it.
    fn within<T: Copy>(map: &BTreeMap<&'p str, Vec<T>>, instance: &str) -> Vec<T> {
        map.range(instance..)
            .take_while(|(k, _)| k.starts_with(instance))
            .filter(|(k, _)| within(k, instance))
            .flat_map(|(_, v)| v.iter().copied())
            .collect()
    }
}

/// A configuration belongs to its plan: the root module's calls are the same. (Two stacks'
/// directories swapped would otherwise apply one stack's files to the other's plan.)
fn check_belongs(plan: &Plan, config: &Config) -> Result<(), Error> {
    let Some(root) = config.modules.get("") else { return Ok(()) };
    let in_plan: BTreeSet<&String> = plan.configuration.module_calls.keys().collect();
    let in_files: BTreeSet<&String> = root.calls.keys().collect();
    let mismatch = |why: String| Err(Error::ConfigMismatch { plan: plan.name.clone(), why });
    if let Some(m) = in_plan.difference(&in_files).next() {
        return mismatch(format!("the plan calls module.{m}, but the configuration's root module has no module block {m:?}"));
    }
    if let Some(m) = in_files.difference(&in_plan).next() {
        return mismatch(format!("the configuration's root module calls module.{m}, which the plan does not have"));
    }
    // The plan records a value for every variable the root module declares.
    let vars_in_plan: BTreeSet<&String> = plan.variables.keys().collect();
    let vars_in_files: BTreeSet<&String> = root.variables.keys().collect();
    if let Some(v) = vars_in_plan.symmetric_difference(&vars_in_files).next() {
        return mismatch(format!(
            "variable {v:?} is declared in {} but not in {}",
            if vars_in_plan.contains(v) { "the plan" } else { "the configuration's root module" },
            if vars_in_plan.contains(v) { "the configuration's root module" } else { "the plan" }
        ));
    }
    Ok(())
}

pub fn clusters(plan: &Plan, config: &Config) -> Result<Vec<Cluster>, Error> {
    if config.given && plan.kind == Kind::Plan {
        check_belongs(plan, config)?;
    }
    let mut calls = Vec::new();
    cluster_calls(&plan.configuration, &mut Vec::new(), &mut Vec::new(), &mut calls);
    let index = ModuleIndex::new(plan);
    let mut out = Vec::new();
    for call in &calls {
        let mut instances: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        for a in index.module_addresses() {
            if let Some(steps) = address::instance_of(a, &call.path) {
                instances.entry(address::render(&steps)).or_insert(steps);
            }
        }
        let last = call.chain.last().expect("a cluster call has a chain");
        if instances.is_empty() && last.count_expression.is_none() && last.for_each_expression.is_none() {
            // A single instance with no resources in the plan at all: still a cluster to check.
            let steps: Vec<Step> = call.path.iter().map(|n| Step { name: n.clone(), key: None }).collect();
            instances.insert(address::render(&steps), steps);
        }
        let mut ordered: Vec<Vec<Step>> = instances.into_values().collect();
        ordered.sort_by(|a, b| instance_order(a, b));
        for steps in ordered {
            out.push(resolve_instance(plan, &index, config, call, &steps)?);
        }
    }
    let known: Vec<String> = out.iter().map(|c| c.address.clone()).collect();
    out.extend(discovered(plan, &index, &known)?);
    Ok(out)
}

/// Clusters that the configuration no longer calls but whose resources show a backup map or a
/// token: a module call this plan deletes (renamed or removed), or — in a state document, which
/// has no configuration — every cluster of the state. A deleted cluster gets no configuration
/// rules, but where it wrote and with which token is evidence for the cluster that takes over its
/// location (SPEC §3).
fn discovered(plan: &Plan, index: &ModuleIndex, known: &[String]) -> Result<Vec<Cluster>, Error> {
    let mut out = Vec::new();
    let covered = |m: &str| known.iter().any(|k| within(m, k));
    let candidates: BTreeSet<&str> = match plan.kind {
        Kind::State => index.prior.keys().copied().collect(),
        Kind::Plan => index
            .changes
            .iter()
            .filter(|(_, rcs)| rcs.iter().filter(|rc| rc.mode.as_deref() != Some("data")).all(|rc| is_delete(rc)))
            .map(|(m, _)| *m)
            .collect(),
    };
    for module in candidates.into_iter().filter(|m| !m.is_empty() && !covered(m)) {
        let mut res = InstanceResources {
            changes: index.changes.get(module).cloned().unwrap_or_default(),
            planned: Vec::new(),
            prior: index.prior.get(module).cloned().unwrap_or_default(),
        };
        res.changes.sort_by(|a, b| a.address.cmp(&b.address));
        res.prior.sort_by(|a, b| a.address.cmp(&b.address));
        let prior = prior_values(plan, &res)?;
        if prior.keys.is_none() && prior.token.is_none() {
            continue;
        }
        let (action, backup, token) = match plan.kind {
            Kind::Plan => (
                Action::Delete,
                Backup::Unresolved { reason: "the configuration no longer calls this module".into() },
                TokenState::Unresolved { reason: "the configuration no longer calls this module".into() },
            ),
            // What a state holds is the cluster's configuration now.
            Kind::State => (
                Action::NoOp,
                prior.keys.clone().map(Backup::Keys).unwrap_or(Backup::Unresolved {
                    reason: "no resource of the module in the state shows the map".into(),
                }),
                prior.token.clone().map(TokenState::Resolved).unwrap_or(TokenState::Unresolved {
                    reason: "no resource of the module in the state shows the token".into(),
                }),
            ),
        };
        out.push(Cluster {
            plan: plan.name.clone(),
            stack: plan.stack.clone(),
            address: module.to_string(),
            action,
            backup,
            token: Token { state: token, references: Vec::new(), regenerated_by: None },
            prior,
            predecessors: Vec::new(),
            block: None,
        });
    }
    Ok(out)
}

fn is_delete(rc: &ResourceChange) -> bool {
    rc.change.actions.iter().all(|a| a == "delete") && !rc.change.actions.is_empty()
}

fn within(module_address: &str, instance: &str) -> bool {
    module_address == instance
        || (module_address.starts_with(instance) && module_address[instance.len()..].starts_with(".module."))
}

fn resolve_instance(
    plan: &Plan,
    index: &ModuleIndex,
    config: &Config,
    call: &ClusterCall,
    steps: &[Step],
) -> Result<Cluster, Error> {
    let address = address::render(steps);
    let mut res = InstanceResources {
        changes: ModuleIndex::within(&index.changes, &address),
        planned: ModuleIndex::within(&index.planned, &address),
        prior: ModuleIndex::within(&index.prior, &address),
    };
    res.changes.sort_by(|a, b| a.address.cmp(&b.address));
    res.planned.sort_by(|a, b| a.address.cmp(&b.address));
    res.prior.sort_by(|a, b| a.address.cmp(&b.address));

    let action = instance_action(&res);
    let evidence = rendered_evidence(plan, &res)?;
    let files = Files::new(plan, config, call, steps, action == Action::Delete)?;
    let backup = resolve_backup(plan, &files, &evidence)?;
    let mut token = resolve_token(plan, &files, &evidence)?;
    token.regenerated_by = regenerating_resource(plan, steps, &token.references, &res, action, &token.state);
    let prior = prior_values(plan, &res)?;
    Ok(Cluster {
        plan: plan.name.clone(),
        stack: plan.stack.clone(),
        address,
        action,
        backup,
        token,
        prior,
        predecessors: Vec::new(),
        block: files.block(),
    })
}

/// Walks one resource's values (with their unknown and sensitive marks) for evidence.
fn extract(
    plan: &Plan,
    resource: &str,
    values: (Option<&serde_json::value::RawValue>, &'static str),
    unknown: Option<&serde_json::value::RawValue>,
    sensitive: (Option<&serde_json::value::RawValue>, &'static str),
) -> Result<Evidence, Error> {
    let mut ev = Evidence::default();
    let v = plan.materialise(values.0, resource, Field::Values(values.1))?;
    let u = plan.materialise(unknown, resource, Field::Marks("after_unknown"))?;
    let s = plan.materialise(sensitive.0, resource, Field::Marks(sensitive.1))?;
    Extractor { out: &mut ev }.value(&v, &u, &s, "");
    Ok(ev)
}

fn extract_state(plan: &Plan, r: &ResourceValues) -> Result<Evidence, Error> {
    extract(plan, &r.address, (r.values, "values"), None, (r.sensitive_values, "sensitive_values"))
}

fn creates_or_replaces(actions: &[String]) -> bool {
    actions.iter().any(|a| a == "create")
}

/// The resource this plan creates or replaces that the token comes from: a resource the
/// `cluster_token` expression references in the calling module, or — when no token is passed —
/// the module's own generator (the real module falls back to `random_id.this`).
fn regenerating_resource(
    plan: &Plan,
    steps: &[Step],
    references: &[String],
    res: &InstanceResources,
    action: Action,
    state: &TokenState,
) -> Option<String> {
    let caller = address::render(&steps[..steps.len().saturating_sub(1)]);
    for r in references {
        let parts: Vec<&str> = r.split('.').collect();
        // `type.name[.attr]`; `data.`, `var.`, `local.`, `module.` and the like are not resources.
        if parts.len() < 2
            || ["var", "local", "module", "data", "each", "count", "path", "terraform", "self"].contains(&parts[0])
        {
            continue;
        }
        let base = format!(
            "{}{}.{}",
            if caller.is_empty() { String::new() } else { format!("{caller}.") },
            parts[0],
            parts[1]
        );
        for rc in &plan.resource_changes {
            let a = rc.address.as_ref();
            let same = a == base || (a.starts_with(&base) && a[base.len()..].starts_with('['));
            if same && creates_or_replaces(&rc.change.actions) {
                return Some(a.to_string());
            }
        }
    }
    if matches!(state, TokenState::NotSet) && matches!(action, Action::Create | Action::Replace) {
        return res
            .changes
            .iter()
            .find(|rc| {
                let t = rc.address.rsplit('.').nth(1).unwrap_or("");
                creates_or_replaces(&rc.change.actions) && (t.starts_with("random_") || rc.address.contains("token"))
            })
            .map(|rc| rc.address.to_string())
            .or_else(|| Some(format!("{} (the module's own token)", address::render(steps))));
    }
    None
}

/// The map and token the module rendered before this plan: `before` of changed resources, and
/// `prior_state` for the rest.
fn prior_values(plan: &Plan, res: &InstanceResources) -> Result<Prior, Error> {
    let mut evidence = Vec::new();
    for rc in &res.changes {
        if rc.change.actions.iter().all(|a| a == "create") || rc.change.before.is_none() {
            continue;
        }
        let ev =
            extract(plan, &rc.address, (rc.change.before, "before"), None, (rc.change.before_sensitive, "before_sensitive"))?;
        evidence.push((rc.address.to_string(), ev));
    }
    for r in &res.prior {
        if evidence.iter().any(|(a, _)| a == &r.address) {
            continue;
        }
        evidence.push((r.address.clone(), extract_state(plan, r)?));
    }
    let mut prior = Prior::default();
    for (resource, ev) in &evidence {
        let prov = |loc: &Location| Provenance::Rendered {
            resource: resource.clone(),
            attribute: loc.attribute.clone(),
            via: loc.via.clone(),
            prior: true,
        };
        if prior.keys.is_none() {
            if let Some((MapEvidence::Keys(keys), loc)) = &ev.backup {
                prior.keys = Some(resolved_keys(keys, &prov(loc)));
            }
        }
        if prior.token.is_none() {
            if let Some((Found { value: Some(v), .. }, loc)) = &ev.token {
                prior.token = Some(Resolved { value: Value::Known(v.clone()), provenance: prov(loc), sensitive: true });
            }
        }
    }
    Ok(prior)
}

fn instance_action(res: &InstanceResources) -> Action {
    let managed: Vec<_> = res.changes.iter().filter(|rc| rc.mode.as_deref() != Some("data")).collect();
    if managed.is_empty() {
        return Action::NoOp;
    }
    let mut acts = BTreeSet::new();
    for rc in &managed {
        let a: Vec<&str> = rc.change.actions.iter().map(String::as_str).collect();
        acts.insert(match a.as_slice() {
            ["create"] => Action::Create,
            ["delete"] => Action::Delete,
            ["update"] => Action::Update,
            ["read"] => Action::Read,
            ["no-op"] | [] => Action::NoOp,
            [_, _] => Action::Replace,
            _ => Action::Update,
        });
    }
    let all = |x: Action| acts.iter().all(|a| *a == x);
    if all(Action::Create) {
        Action::Create
    } else if all(Action::Delete) {
        Action::Delete
    } else if all(Action::NoOp) || acts.iter().all(|a| matches!(a, Action::NoOp | Action::Read)) {
        Action::NoOp
    } else if acts.contains(&Action::Replace) || (acts.contains(&Action::Create) && acts.contains(&Action::Delete)) {
        Action::Replace
    } else {
        Action::Update
    }
}

/// Everything the module rendered into its resources after this plan (`resource_changes[].after`,
/// or `planned_values` for plans without changes), plus data sources read into `prior_state`.
fn rendered_evidence(plan: &Plan, res: &InstanceResources) -> Result<Vec<(String, Evidence)>, Error> {
    let mut out = Vec::new();
    if !res.changes.is_empty() {
        for rc in &res.changes {
            if rc.change.actions.iter().all(|a| a == "delete") {
                continue;
            }
            let ev = extract(
                plan,
                &rc.address,
                (rc.change.after, "after"),
                rc.change.after_unknown,
                (rc.change.after_sensitive, "after_sensitive"),
            )?;
            out.push((rc.address.to_string(), ev));
        }
    } else {
        for r in &res.planned {
            out.push((r.address.clone(), extract_state(plan, r)?));
        }
    }
    // Data sources read during planning (e.g. a cloudinit_config) are only in prior_state. Only
    // data sources: a managed resource's prior values are what it held before, not what it gets.
    for r in &res.prior {
        if r.mode.as_deref() == Some("data") && !out.iter().any(|(a, _)| a == &r.address) {
            out.push((r.address.clone(), extract_state(plan, r)?));
        }
    }
    Ok(out)
}

fn rendered_provenance(resource: &str, loc: &Location) -> Provenance {
    Provenance::Rendered {
        resource: resource.to_string(),
        attribute: loc.attribute.clone(),
        via: loc.via.clone(),
        prior: false,
    }
}

/// The value a module call's input receives, when the configuration alone tells it:
/// a literal, or a bare `var.X` followed up through the calling modules to the root variables.
enum Input {
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
fn has_template(v: &Json) -> bool {
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
fn template_variable(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${")?.strip_suffix('}')?.trim();
    let var = inner.strip_prefix("var.")?;
    (!var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')).then_some(var)
}

/// A JSON-syntax value: what `"${var.X}"` is at this level of the chain, else unknown (the plan
/// does not record what other templates evaluate to).
fn template_value(plan: &Plan, parents: &[&ModuleCall], s: &str) -> Result<Resolved, Error> {
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
            Some(v) => Resolved { value: Value::Known(v), provenance: Provenance::Variable { name, declared_sensitive: sensitive }, sensitive },
            None => Resolved { value: Value::Unknown, provenance: Provenance::Variable { name, declared_sensitive: sensitive }, sensitive },
        },
        Input::Literal(v) | Input::Default(v) => match as_module_string(&v) {
            Some(v) => Resolved { value: Value::Known(v), provenance: Provenance::Configuration, sensitive: false },
            None => unknown,
        },
        _ => unknown,
    })
}

fn call_input(plan: &Plan, chain: &[&ModuleCall], name: &str) -> Result<Input, Error> {
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
                    Some(value) => Input::Variable { sensitive: plan.variable_is_sensitive(var), name: var.to_string(), value },
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
fn bare_variable(expr: &Expression) -> Option<String> {
    match expr.references.as_slice() {
        [only] if expr.constant_value.is_none() => {
            only.strip_prefix("var.").filter(|v| !v.contains(['.', '['])).map(str::to_string)
        }
        _ => None,
    }
}

/// Converts a literal to the string a `map(string)` input receives (`true` → `"true"`).
fn as_module_string(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn map_from_json(v: &Json, provenance: &Provenance, sensitive: bool) -> Backup {
    match v {
        Json::Object(m) if !m.is_empty() => Backup::Keys(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let value = as_module_string(v).map(Value::Known).unwrap_or(Value::Unknown);
                    let sensitive = sensitive || crate::catalogue::is_secret_key(k);
                    (k.clone(), Resolved { value, provenance: provenance.clone(), sensitive })
                })
                .collect(),
        ),
        _ => Backup::NotSet { provenance: Some(provenance.clone()) },
    }
}

fn resolve_backup(plan: &Plan, files: &Files, evidence: &[(String, Evidence)]) -> Result<Backup, Error> {
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
    if let (Input::Literal(Json::Object(literal)), Some(Backup::Keys(evaluated))) = (&input, files.backup(BACKUP)) {
        for (k, r) in &evaluated {
            let plan_value = literal.get(k).and_then(as_module_string);
            if let (Some(a), Some(b)) = (plan_value.as_deref(), r.known()) {
                if a != b {
                    return Err(Error::ConfigMismatch {
                        plan: plan.name.clone(),
                        why: format!(
                            "{}: {BACKUP} key {k} is {} in the plan but {} in the configuration ({})",
                            files.call().path.join("."),
                            if r.sensitive { "(sensitive)".to_string() } else { format!("{:?}", crate::redact::url_credentials(a)) },
                            if r.sensitive { "(sensitive)".to_string() } else { format!("{:?}", crate::redact::url_credentials(b)) },
                            r.provenance.describe()
                        ),
                    });
                }
            }
        }
    }
    Ok(backup_from(input, files, evidence))
}

fn backup_from(input: Input, files: &Files, evidence: &[(String, Evidence)]) -> Backup {
    match input {
        // The plan alone evaluates only `"${var.x}"`; the configuration, when given, all of it.
        Input::Keys(_) if files.backup(BACKUP).is_some() => {
            return with_rendered_keys(files.backup(BACKUP).expect("checked"), evidence)
        }
        Input::Keys(keys) if keys.is_empty() => return Backup::NotSet { provenance: Some(Provenance::Configuration) },
        Input::Keys(keys) => return with_rendered_keys(Backup::Keys(keys), evidence),
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
                MapEvidence::Keys(keys) => return Backup::Keys(resolved_keys(keys, &prov)),
                MapEvidence::Null => return Backup::NotSet { provenance: Some(prov) },
                MapEvidence::Unknown => {
                    unknown_at.get_or_insert_with(|| prov.describe());
                }
            }
        }
    }
    if unknown_at.is_none() {
        unknown_at = evidence.iter().find_map(|(r, ev)| ev.unknown_carriers.first().map(|a| format!("{r}.{a}")));
    }
    if let Some(b) = files.backup(BACKUP) {
        return b;
    }
    let reason = match unknown_at {
        Some(at) => format!("the module renders it into {at}, which is unknown until apply"),
        None => "the plan records only references for it and no resource of the module shows its value".into(),
    };
    Backup::Unresolved { reason: format!("{reason}{}", files.hint(BACKUP)) }
}

/// A map taken from a variable, completed with what the module's resources show it received:
/// keys a wrapper added on the way (`merge(var.x, {…})` in a module the files do not cover) or set
/// to another value. The rendered value wins; keys the module does not render stay as they are.
fn with_rendered_keys(b: Backup, evidence: &[(String, Evidence)]) -> Backup {
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

fn resolved_keys(keys: &BTreeMap<String, Found>, prov: &Provenance) -> BTreeMap<String, Resolved> {
    keys.iter()
        .map(|(k, f)| {
            let value = f.value.clone().map(Value::Known).unwrap_or(Value::Unknown);
            let sensitive = f.sensitive || crate::catalogue::is_secret_key(k);
            (k.clone(), Resolved { value, provenance: prov.clone(), sensitive })
        })
        .collect()
}

fn resolve_token(plan: &Plan, files: &Files, evidence: &[(String, Evidence)]) -> Result<Token, Error> {
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
                    match evidence.iter().find_map(|(r, ev)| ev.unknown_carriers.first().map(|a| format!("{r}.{a}"))) {
                        Some(at) => format!("the module renders it into {at}, which is unknown until apply"),
                        None => "no resource of the module shows its value".into(),
                    };
                TokenState::Unresolved {
                    reason: format!("{reason}{}", files.hint(TOKEN)),
                }
            })
        }
    };
    Ok(Token { state, references, regenerated_by: None })
}
