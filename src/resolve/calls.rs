//! Stage 2, finding the instances: every module call that deploys a cluster, at any depth, and
//! the plan's resources of each of its instances.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::address::Step;
use crate::plan::{ModuleCall, ModuleConfig, Plan, ResourceChange};
use crate::profiles::{Profile, Profiles};

/// A module call that deploys a cluster, with the chain of calls leading to it and the profile
/// that reads it.
pub(super) struct ClusterCall<'p, 'a> {
    pub(super) path: Vec<String>,
    pub(super) chain: Vec<&'p ModuleCall<'a>>,
    pub(super) profile: Arc<Profile>,
}

/// The profile that reads a module call: by its source first, then by the variables its module
/// declares (a local copy), then by the inputs it passes; user profiles before built-in ones.
pub(super) fn profile_for(call: &ModuleCall, profiles: &Profiles) -> Option<Arc<Profile>> {
    let source = call.source_text();
    let by_source = |p: &&Arc<Profile>| source.as_deref().is_some_and(|s| p.matcher.source_matches(s));
    let by_variables = |p: &&Arc<Profile>| {
        !p.matcher.variables.is_empty() && p.matcher.variables.iter().all(|v| call.module.variables.contains_key(v))
    };
    let by_inputs = |p: &&Arc<Profile>| p.matcher.inputs.iter().any(|i| call.expressions.contains_key(i));
    let all = &profiles.all;
    all.iter().find(by_source).or_else(|| all.iter().find(by_variables)).or_else(|| all.iter().find(by_inputs)).cloned()
}

pub(super) fn has_cluster_descendant(m: &ModuleConfig, profiles: &Profiles) -> bool {
    m.module_calls.values().any(|c| profile_for(c, profiles).is_some() || has_cluster_descendant(&c.module, profiles))
}

/// Every module call, at any depth, that a profile reads — the innermost one where a wrapper
/// module only forwards the inputs (the wrapper is not a cluster of its own).
pub(super) fn cluster_calls<'p, 'a>(
    m: &'p ModuleConfig<'a>,
    profiles: &Profiles,
    path: &mut Vec<String>,
    chain: &mut Vec<&'p ModuleCall<'a>>,
    out: &mut Vec<ClusterCall<'p, 'a>>,
) {
    for (name, call) in &m.module_calls {
        path.push(name.clone());
        chain.push(call);
        let mut descend = true;
        if let Some(profile) = profile_for(call, profiles) {
            // A call of a known module (by its source, or a local copy by its variables) is the
            // cluster, whatever it calls inside (rancher/terraform-aws-rke2 calls
            // rancher/terraform-local-rke2-config); a wrapper that only passes the inputs yields
            // to the cluster call inside it.
            let known_module = call.source_text().is_some_and(|s| profile.matcher.source_matches(&s))
                || (!profile.matcher.variables.is_empty()
                    && profile.matcher.variables.iter().all(|v| call.module.variables.contains_key(v)));
            if known_module || !has_cluster_descendant(&call.module, profiles) {
                out.push(ClusterCall { path: path.clone(), chain: chain.clone(), profile });
                descend = !known_module;
            }
        }
        if descend {
            cluster_calls(&call.module, profiles, path, chain, out);
        }
        path.pop();
        chain.pop();
    }
}

/// Sorts instance keys as people expect: `[2]` before `[10]`, strings alphabetically.
pub(super) fn instance_order(a: &[Step], b: &[Step]) -> std::cmp::Ordering {
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
pub(super) struct InstanceResources<'p, 'a> {
    pub(super) changes: Vec<&'p crate::plan::ResourceChange<'a>>,
    pub(super) planned: Vec<&'p crate::plan::ResourceValues<'a>>,
    pub(super) prior: Vec<&'p crate::plan::ResourceValues<'a>>,
}

/// The plan's resources grouped by module address, so that finding an instance's resources is a
/// range lookup rather than a scan of every resource (plans hold tens of thousands).
pub(super) struct ModuleIndex<'p, 'a> {
    pub(super) changes: BTreeMap<&'p str, Vec<&'p crate::plan::ResourceChange<'a>>>,
    pub(super) planned: BTreeMap<&'p str, Vec<&'p crate::plan::ResourceValues<'a>>>,
    pub(super) prior: BTreeMap<&'p str, Vec<&'p crate::plan::ResourceValues<'a>>>,
}

impl<'p, 'a> ModuleIndex<'p, 'a> {
    pub(super) fn new(plan: &'p Plan<'a>) -> Self {
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

    pub(super) fn module_addresses(&self) -> impl Iterator<Item = &'p str> + '_ {
        self.changes.keys().chain(self.planned.keys()).chain(self.prior.keys()).copied()
    }

    /// Everything in the module instance at `instance` and the modules nested in it.
    pub(super) fn within<T: Copy>(map: &BTreeMap<&'p str, Vec<T>>, instance: &str) -> Vec<T> {
        map.range(instance..)
            .take_while(|(k, _)| k.starts_with(instance))
            .filter(|(k, _)| within(k, instance))
            .flat_map(|(_, v)| v.iter().copied())
            .collect()
    }
}

pub(super) fn is_delete(rc: &ResourceChange) -> bool {
    rc.change.actions.iter().all(|a| a == "delete") && !rc.change.actions.is_empty()
}

pub(super) fn within(module_address: &str, instance: &str) -> bool {
    module_address == instance
        || (module_address.starts_with(instance) && module_address[instance.len()..].starts_with(".module."))
}
