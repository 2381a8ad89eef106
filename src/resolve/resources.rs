//! Clusters that are resources (`rancher2_cluster_v2`) rather than module calls: their settings are
//! the resource's own attributes as the plan shows them after the change (and before it, for the
//! prior state), completed by the cloud credential they name.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;

use super::decide::{from_text, gated, implied, merge, one_key, shaped};
use super::gather::instance_action;
use super::inputs::as_module_string;
use crate::address;
use crate::error::Error;
use crate::model::{Action, Backup, Cluster, Prior, Provenance, ReadBy, Resolved, Token, TokenState, Value};
use crate::plan::{ModuleConfig, Plan, ResourceChange};
use crate::profiles::{CredentialSpec, Form, InputSpec, Profile, Profiles};

/// One place in a resource's values, with the matching places of its unknown and sensitive
/// marks (`after_unknown`, `after_sensitive`: `true` marks a whole subtree).
#[derive(Clone, Copy)]
struct Node<'j> {
    value: Option<&'j Json>,
    unknown: Option<&'j Json>,
    sensitive: Option<&'j Json>,
}

impl<'j> Node<'j> {
    fn child(&self, step: &str) -> Vec<Node<'j>> {
        fn at<'x>(v: Option<&'x Json>, step: &str, i: Option<usize>) -> Option<&'x Json> {
            match (v?, i) {
                // A mark of `true` covers everything below it.
                (b @ Json::Bool(true), _) => Some(b),
                (Json::Array(a), Some(i)) => a.get(i),
                (Json::Object(m), _) => m.get(step),
                _ => None,
            }
        }
        let node = |key: &str, i: Option<usize>| Node {
            value: at(self.value, key, i),
            unknown: at(self.unknown, key, i),
            sensitive: at(self.sensitive, key, i),
        };
        match self.value {
            // A nested block is a list of objects: `*`, an index, or a key of each element
            // (`etcd.s3_config` reads as HCL writes it).
            Some(Json::Array(a)) => match step {
                "*" => (0..a.len()).map(|i| node("", Some(i))).collect(),
                s => match s.parse::<usize>() {
                    Ok(i) if i < a.len() => vec![node("", Some(i))],
                    Ok(_) => Vec::new(),
                    Err(_) => (0..a.len()).flat_map(|i| node("", Some(i)).child(s)).collect(),
                },
            },
            Some(Json::Object(m)) if step == "*" => m.keys().map(|k| node(k, None)).collect(),
            _ => vec![node(step, None)],
        }
    }

    fn select(self, path: &[String]) -> Vec<Node<'j>> {
        let Some((step, rest)) = path.split_first() else { return vec![self] };
        self.child(step).into_iter().flat_map(|n| n.select(rest)).collect()
    }

    fn is_unknown(&self) -> bool {
        self.unknown == Some(&Json::Bool(true))
    }

    fn is_sensitive(&self) -> bool {
        self.sensitive == Some(&Json::Bool(true))
    }

    /// The value as a setting: unknown until apply, or known; `None` when absent, null or empty
    /// (Rancher passes an argument on only when it is not "": rancher/rancher
    /// pkg/capr/planner/s3args.go `first` and its `!= ""` checks).
    fn resolved(&self, provenance: Provenance, key: &str) -> Option<Resolved> {
        let sensitive = self.is_sensitive() || crate::catalogue::is_secret_key(key);
        if self.is_unknown() {
            return Some(Resolved { value: Value::Unknown, provenance, sensitive });
        }
        let v = as_module_string(self.value?).filter(|v| !v.is_empty())?;
        Some(Resolved { value: Value::Known(v), provenance, sensitive })
    }
}

/// Parses a resource's raw values; `None` when absent.
fn parse(raw: Option<&serde_json::value::RawValue>, plan: &Plan, what: &str) -> Result<Option<Json>, Error> {
    raw.map(|r| {
        serde_json::from_str(r.get())
            .map_err(|e| Error::Unreadable { plan: plan.name.clone(), why: format!("{what}: {e}") })
    })
    .transpose()
}

/// A resource's values before or after the change, with their marks.
struct Values {
    value: Option<Json>,
    unknown: Option<Json>,
    sensitive: Option<Json>,
    address: String,
    prior: bool,
}

impl Values {
    fn of(plan: &Plan, rc: &ResourceChange, before: bool) -> Result<Values, Error> {
        let c = &rc.change;
        let what = |part: &str| format!("{} {part}", rc.address);
        let (v, u, s) =
            if before { (c.before, None, c.before_sensitive) } else { (c.after, c.after_unknown, c.after_sensitive) };
        Ok(Values {
            value: parse(v, plan, &what("values"))?,
            unknown: parse(u, plan, &what("after_unknown"))?,
            sensitive: parse(s, plan, &what("sensitive marks"))?,
            address: rc.address.to_string(),
            prior: before,
        })
    }

    fn root(&self) -> Node<'_> {
        Node { value: self.value.as_ref(), unknown: self.unknown.as_ref(), sensitive: self.sensitive.as_ref() }
    }

    fn provenance(&self, attribute: String) -> Provenance {
        Provenance::Attribute { resource: self.address.clone(), attribute, prior: self.prior }
    }
}

/// The plan's resources of the credential types profiles name: few in any plan (a list keeps
/// the WASM free of another map's code).
struct Credentials<'p, 'a> {
    plan: &'p Plan<'a>,
    resources: Vec<&'p ResourceChange<'a>>,
}

/// The settings of one input at one selected place: an object's fields, a value, text, a map.
fn input_settings(node: Node, at: &str, spec: &InputSpec, values: &Values) -> Backup {
    let one = |key: &str, n: Node, attribute: String| -> Backup {
        match n.resolved(values.provenance(attribute), key) {
            Some(r) => one_key(key, r),
            None => Backup::NotSet { provenance: None },
        }
    };
    match &spec.form {
        Form::Object(fields) => {
            let mut keys = BTreeMap::new();
            for (field, key) in fields {
                for n in node.child(field) {
                    if let Some(r) = n.resolved(values.provenance(format!("{at}.{field}")), key) {
                        keys.insert(key.clone(), r);
                    }
                }
            }
            if keys.is_empty() {
                Backup::NotSet { provenance: None }
            } else {
                Backup::Keys(keys)
            }
        }
        Form::Value(key) => one(key, node, at.to_string()),
        Form::RestorePath => one("cluster-reset-restore-path", node, at.to_string()),
        Form::Yaml | Form::Flags => match node.value {
            _ if node.is_unknown() => Backup::Unresolved { reason: format!("{at} is unknown until apply") },
            Some(Json::String(t)) => from_text(t, values.provenance(at.to_string()), node.is_sensitive()),
            _ => Backup::NotSet { provenance: None },
        },
        Form::KeyMap | Form::FlagMap => match node.value {
            _ if node.is_unknown() => Backup::Unresolved { reason: format!("{at} is unknown until apply") },
            Some(Json::Object(m)) => {
                let mut keys = BTreeMap::new();
                for k in m.keys() {
                    for n in node.child(k) {
                        if let Some(r) = n.resolved(values.provenance(format!("{at}.{k}")), k) {
                            keys.insert(k.clone(), r);
                        }
                    }
                }
                shaped(
                    if keys.is_empty() { Backup::NotSet { provenance: None } } else { Backup::Keys(keys) },
                    &spec.form,
                )
            }
            _ => Backup::NotSet { provenance: None },
        },
    }
}

/// The arguments' expressions of the resource block `block` (`rancher2_cluster_v2.prod`) in the
/// module at `names` (the call path of the resource's module instance).
fn expressions(plan: &Plan, names: &[String], block: &str) -> Option<Json> {
    let mut m: &ModuleConfig = &plan.configuration;
    for n in names {
        m = &m.module_calls.get(n)?.module;
    }
    let resources: Json = serde_json::from_str(m.resources?.get()).ok()?;
    let r = resources.as_array()?.iter().find(|r| r.get("address").and_then(Json::as_str) == Some(block))?;
    r.get("expressions").cloned()
}

/// The settings the cluster's credential holds: the credential resource its attribute refers to
/// in the configuration (`rancher2_cloud_credential.s3.id`), read from the plan; else — a
/// credential kept in Rancher and named by a literal — its keys, unknown to the plan, with why.
fn credential_settings(
    credentials: &Credentials,
    cluster: &ResourceChange,
    spec: &CredentialSpec,
    name: Node,
    at: &str,
    values: &Values,
    notes: &mut Vec<String>,
) -> Result<Backup, Error> {
    let plan = credentials.plan;
    let named = name.is_unknown() || name.value.and_then(as_module_string).is_some_and(|s| !s.is_empty());
    if !named {
        return Ok(Backup::NotSet { provenance: None });
    }
    let module = cluster.module_address.as_deref().unwrap_or("");
    let names: Vec<String> = address::module_steps(module).into_iter().map(|s| s.name).collect();
    let own = cluster.address.strip_prefix(module).unwrap_or(&cluster.address).trim_start_matches('.');
    let block = own.split('[').next().unwrap_or(own);
    // The attribute's expression, at the same place in the block's arguments.
    let steps: Vec<String> = at.split('.').map(str::to_string).collect();
    let references: Vec<String> = expressions(plan, &names, block)
        .map(|e| {
            let root = Node { value: Some(&e), unknown: None, sensitive: None };
            root.select(&steps)
                .iter()
                .filter_map(|n| n.value?.get("references")?.as_array().cloned())
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let prefix = if module.is_empty() { String::new() } else { format!("{module}.") };
    let found = references
        .iter()
        .filter(|r| r.starts_with(&format!("{}.", spec.resource)))
        .find_map(|r| credentials.resources.iter().find(|c| c.address == format!("{prefix}{r}")).copied());
    if let Some(rc) = found {
        let cred = Values::of(plan, rc, values.prior)?;
        let mut keys = BTreeMap::new();
        for node in cred.root().select(&spec.path) {
            for (field, key) in &spec.fields {
                for n in node.child(field) {
                    let attribute = format!("{}.{field}", spec.path.join("."));
                    if let Some(r) = n.resolved(cred.provenance(attribute), key) {
                        keys.insert(key.clone(), r);
                    }
                }
            }
        }
        return Ok(if keys.is_empty() { Backup::NotSet { provenance: None } } else { Backup::Keys(keys) });
    }
    // Named, but not by a resource of this plan: its secrets exist only where it is kept.
    let mut keys = BTreeMap::new();
    for key in spec.fields.values().filter(|k| crate::catalogue::is_secret_key(k)) {
        let provenance = values.provenance(at.to_string());
        keys.insert(key.clone(), Resolved { value: Value::Unknown, provenance, sensitive: true });
    }
    notes.push(format!(
        "the credentials come from the {} that {at} names, which this plan does not hold",
        spec.resource
    ));
    Ok(Backup::Keys(keys))
}

/// The settings of a cluster resource at one side of its change.
fn settings(
    credentials: &Credentials,
    rc: &ResourceChange,
    profile: &Profile,
    values: &Values,
    notes: &mut Vec<String>,
) -> Result<Backup, Error> {
    if values.value.is_none() {
        return Ok(Backup::NotSet { provenance: None });
    }
    let mut merged: Option<Backup> = None;
    for spec in &profile.inputs {
        let mut path = vec![spec.name.clone()];
        path.extend(spec.path.iter().flatten().cloned());
        let at = path.join(".");
        for node in values.root().select(&path) {
            let mut b = input_settings(node, &at, spec, values);
            if let Some(c) = &spec.credential {
                let name = node.child(&c.attribute).into_iter().next().unwrap_or(Node {
                    value: None,
                    unknown: None,
                    sensitive: None,
                });
                let cred =
                    credential_settings(credentials, rc, c, name, &format!("{at}.{}", c.attribute), values, notes)?;
                // The cluster's own values win; the credential's fill what they leave empty.
                b = match b {
                    Backup::NotSet { .. } => cred,
                    own => merge(cred, own, spec),
                };
            }
            let b = implied(b, spec, profile);
            merged = Some(match merged {
                None => b,
                Some(prev) => merge(prev, b, spec),
            });
        }
    }
    Ok(gated(merged.unwrap_or(Backup::NotSet { provenance: None }), profile))
}

/// Every resource a resource profile reads, as a cluster: its change's after values (before, for
/// the prior state), in the plan's order.
pub(super) fn resource_clusters(plan: &Plan, profiles: &Profiles) -> Result<Vec<Cluster>, Error> {
    let resource_profiles: Vec<&Arc<Profile>> = profiles.all.iter().filter(|p| p.is_resource()).collect();
    if resource_profiles.is_empty() {
        return Ok(Vec::new());
    }
    let profile_of = |rc: &ResourceChange| -> Option<Arc<Profile>> {
        let kind = rc.kind.as_deref()?;
        resource_profiles.iter().find(|p| p.matcher.resources.iter().any(|r| r == kind)).map(|p| Arc::clone(p))
    };
    let credential_types: Vec<&str> = resource_profiles
        .iter()
        .flat_map(|p| p.inputs.iter().filter_map(|i| i.credential.as_ref().map(|c| c.resource.as_str())))
        .collect();
    let credentials = Credentials {
        plan,
        resources: plan
            .resource_changes
            .iter()
            .filter(|rc| rc.kind.as_deref().is_some_and(|k| credential_types.contains(&k)))
            .collect(),
    };
    let mut out = Vec::new();
    for rc in plan.resource_changes.iter().filter(|rc| rc.mode.as_deref() != Some("data")) {
        let Some(profile) = profile_of(rc) else { continue };
        let res = super::calls::InstanceResources { changes: vec![rc], planned: Vec::new(), prior: Vec::new() };
        let action = instance_action(&res);
        let mut notes = Vec::new();
        let before = Values::of(plan, rc, true)?;
        let prior_keys = match settings(&credentials, rc, &profile, &before, &mut Vec::new())? {
            Backup::Keys(k) => Some(k),
            _ => None,
        };
        let backup = if action == Action::Delete {
            Backup::Unresolved { reason: "this plan deletes the cluster".into() }
        } else {
            settings(&credentials, rc, &profile, &Values::of(plan, rc, false)?, &mut notes)?
        };
        out.push(Cluster {
            read_by: ReadBy::Profile(profile),
            plan: plan.name.clone(),
            stack: plan.stack.clone(),
            address: rc.address.to_string(),
            action,
            backup,
            // The provider's cluster keeps its token in the management server, not in Terraform:
            // nothing in a plan sets or shows it. A new cluster object gets a new one.
            token: Token {
                state: TokenState::NotSet,
                references: Vec::new(),
                regenerated_by: matches!(action, Action::Create | Action::Replace).then(|| rc.address.to_string()),
            },
            prior: Prior { keys: prior_keys, token: None },
            predecessors: Vec::new(),
            block: None,
            token_at: None,
            notes,
            location: Default::default(),
        });
    }
    Ok(out)
}

/// The addresses of the resources `resource_clusters` reads, which EB004 then leaves alone.
pub(super) fn read_addresses(plan: &Plan, profiles: &Profiles) -> Vec<String> {
    let types: Vec<&str> = profiles.all.iter().flat_map(|p| p.matcher.resources.iter().map(String::as_str)).collect();
    if types.is_empty() {
        return Vec::new();
    }
    plan.resource_changes
        .iter()
        .filter(|rc| rc.kind.as_deref().is_some_and(|k| types.contains(&k)))
        .map(|rc| rc.address.to_string())
        .collect()
}
