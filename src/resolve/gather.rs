//! Stage 3, gathering evidence: what an instance's resources show — the values rendered after
//! this plan, those held before it (prior state), what the plan does to it, and where its token
//! comes from.

use std::collections::{BTreeMap, BTreeSet};

use super::calls::{ClusterCall, InstanceResources, ModuleIndex};
use crate::address::{self, Step};
use crate::error::Error;
use crate::evidence::{Evidence, Extractor, Found, Location, MapEvidence};
use crate::model::{Action, Prior, Provenance, Resolved, TokenState, Value};
use crate::plan::{Expression, Field, ModuleCall, ModuleConfig, Plan, ResourceValues};

/// Walks one resource's values (with their unknown and sensitive marks) for evidence.
pub(super) fn extract(
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

pub(super) fn extract_state(plan: &Plan, r: &ResourceValues) -> Result<Evidence, Error> {
    extract(plan, &r.address, (r.values, "values"), None, (r.sensitive_values, "sensitive_values"))
}

pub(super) fn creates_or_replaces(actions: &[String]) -> bool {
    actions.iter().any(|a| a == "create")
}

/// One module instance while references are followed: its configuration, its address, and how it
/// was called (for `var.X`, which is the caller's expression).
struct RefScope<'s, 'a> {
    config: &'s ModuleConfig<'a>,
    address: String,
    call: Option<(&'s ModuleCall<'a>, &'s RefScope<'s, 'a>)>,
}

/// How deep references are followed through variables and module outputs.
const MAX_REFERENCE_DEPTH: usize = 32;

fn references_of(raw: Option<&serde_json::value::RawValue>) -> Vec<String> {
    raw.and_then(Expression::read).map(|e| e.references).unwrap_or_default()
}

/// The first resource, in `scope` or reached from it through `var.X` (the caller's expression)
/// and `module.NAME.OUTPUT` (the output's expression, in that module), at any depth, that this
/// plan creates or replaces.
fn regenerated_in(index: &ModuleIndex, scope: &RefScope, references: &[String], depth: usize) -> Option<String> {
    if depth > MAX_REFERENCE_DEPTH {
        return None;
    }
    let prefix = |a: &str| if a.is_empty() { String::new() } else { format!("{a}.") };
    for r in references {
        let parts: Vec<&str> = r.split('.').collect();
        match parts.as_slice() {
            ["var", name, ..] => {
                let Some((call, caller)) = scope.call else { continue };
                let refs = references_of(call.expressions.get(*name).copied());
                if let Some(found) = regenerated_in(index, caller, &refs, depth + 1) {
                    return Some(found);
                }
            }
            ["module", call_ref, output, ..] => {
                // `module.secrets.token` or `module.secrets[0].token` (then only that instance).
                let (name, key) = match call_ref.split_once('[') {
                    Some((n, k)) => (n, Some(format!("[{k}"))),
                    None => (*call_ref, None),
                };
                let Some(call) = scope.config.module_calls.get(name) else { continue };
                let Some(out) = call.module.outputs.get(*output) else { continue };
                let refs = references_of(out.expression);
                let base = format!("{}module.{name}", prefix(&scope.address));
                // Every instance of the call this plan changes resources in (or the one named):
                // only a change can create or replace the token's resource.
                let mut instances: Vec<String> = index
                    .changes
                    .range(base.as_str()..)
                    .take_while(|(m, _)| m.starts_with(base.as_str()))
                    .filter_map(|(m, _)| {
                        let rest = m.strip_prefix(base.as_str())?;
                        let inst = match rest.find(".module.") {
                            Some(i) => &rest[..i],
                            None => rest,
                        };
                        (inst.is_empty() || inst.starts_with('[')).then(|| format!("{base}{inst}"))
                    })
                    .collect();
                instances.sort();
                instances.dedup();
                if let Some(k) = &key {
                    instances.retain(|i| i.ends_with(k.as_str()));
                }
                for address in instances {
                    let inner = RefScope { config: &call.module, address, call: Some((call, scope)) };
                    if let Some(found) = regenerated_in(index, &inner, &refs, depth + 1) {
                        return Some(found);
                    }
                }
            }
            // `data.`, `local.` (not in plan JSON), instance values: not resources.
            [first, ..] if ["local", "data", "each", "count", "path", "terraform", "self"].contains(first) => {}
            [kind, name, ..] => {
                let base = format!("{}{kind}.{name}", prefix(&scope.address));
                for rc in index.changes.get(scope.address.as_str()).into_iter().flatten() {
                    let a = rc.address.as_ref();
                    let same = a == base || (a.starts_with(&base) && a[base.len()..].starts_with('['));
                    if same && creates_or_replaces(&rc.change.actions) {
                        return Some(a.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The resource this plan creates or replaces that the token comes from: one the `cluster_token`
/// expression depends on — in the calling module, through its variables and through other
/// modules' outputs at any depth — or, when no token is passed, the module's own generator (the
/// real module falls back to `random_id.this`).
pub(super) fn regenerating_resource(
    plan: &Plan,
    index: &ModuleIndex,
    call: &ClusterCall,
    steps: &[Step],
    res: &InstanceResources,
    action: Action,
    state: &TokenState,
) -> Option<String> {
    // From the root down the chain of calls to the module that makes the cluster call.
    let chain = &call.chain;
    let root = RefScope { config: &plan.configuration, address: String::new(), call: None };
    let token = call.profile.token.input.as_deref();
    let found = {
        fn down<'s, 'a>(
            index: &ModuleIndex,
            scope: &RefScope<'s, 'a>,
            chain: &'s [&'s ModuleCall<'a>],
            steps: &[Step],
            level: usize,
            token: Option<&str>,
        ) -> Option<String> {
            let last = chain.len() - 1;
            if level == last {
                let refs = token.map(|t| references_of(chain[last].expressions.get(t).copied())).unwrap_or_default();
                return regenerated_in(index, scope, &refs, 0);
            }
            let inner = RefScope {
                config: &chain[level].module,
                address: address::render(&steps[..=level]),
                call: Some((chain[level], scope)),
            };
            down(index, &inner, chain, steps, level + 1, token)
        }
        down(index, &root, chain, steps, 0, token)
    };
    if found.is_some() {
        return found;
    }
    if matches!(state, TokenState::NotSet) && matches!(action, Action::Create | Action::Replace) {
        // The profile's own generator (`random_password.k3s_token`) — by its name, so that a
        // stand-in of another type is found too — else any generator it creates.
        if let Some(name) = call.profile.token.resource.as_deref().and_then(|r| r.rsplit('.').next()) {
            let at = address::render(steps);
            let found = res.changes.iter().find(|rc| {
                let rel = rc.address.strip_prefix(at.as_str()).and_then(|r| r.strip_prefix('.')).unwrap_or("");
                let own_name = rel.split('.').nth(1).map(|n| n.split('[').next().unwrap_or(n));
                !rel.starts_with("module.") && own_name == Some(name) && creates_or_replaces(&rc.change.actions)
            });
            if let Some(rc) = found {
                return Some(rc.address.to_string());
            }
        }
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
pub(super) fn prior_values(plan: &Plan, res: &InstanceResources) -> Result<Prior, Error> {
    let mut evidence = Vec::new();
    for rc in &res.changes {
        if rc.change.actions.iter().all(|a| a == "create") || rc.change.before.is_none() {
            continue;
        }
        let ev = extract(
            plan,
            &rc.address,
            (rc.change.before, "before"),
            None,
            (rc.change.before_sensitive, "before_sensitive"),
        )?;
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

pub(super) fn instance_action(res: &InstanceResources) -> Action {
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
pub(super) fn rendered_evidence(plan: &Plan, res: &InstanceResources) -> Result<Vec<(String, Evidence)>, Error> {
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

pub(super) fn rendered_provenance(resource: &str, loc: &Location) -> Provenance {
    Provenance::Rendered {
        resource: resource.to_string(),
        attribute: loc.attribute.clone(),
        via: loc.via.clone(),
        prior: false,
    }
}

pub(super) fn resolved_keys(keys: &BTreeMap<String, Found>, prov: &Provenance) -> BTreeMap<String, Resolved> {
    crate::order::map(keys.iter().map(|(k, f)| {
        let value = f.value.clone().map(Value::Known).unwrap_or(Value::Unknown);
        let sensitive = f.sensitive || crate::catalogue::is_secret_key(k);
        (k.clone(), Resolved { value, provenance: prov.clone(), sensitive })
    }))
}
