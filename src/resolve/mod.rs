//! Finding the clusters of a plan and resolving their `etcd_backup` and `cluster_token` values,
//! each with its provenance (SPEC §2). In stages, each importing only the ones before it:
//! (1) the plan is read (`crate::plan`); (2) `calls`: the cluster calls and their instances;
//! (3) `gather`: the evidence of each instance's resources; (4) `inputs` and `files`: what the
//! plan's configuration and the Terraform configuration (`--config`) say the inputs are;
//! (5) `decide`: each value from the best evidence. This file runs the stages per instance.

use std::collections::{BTreeMap, BTreeSet};

use crate::address::{self, Step};
use crate::config::Configuration as Config;
use crate::error::Error;
use crate::model::{Action, Backup, Cluster, ReadBy, Token, TokenState};
use crate::plan::{Kind, Plan};

mod calls;
mod decide;
mod files;
mod gather;
mod inputs;
mod resources;
mod unread;

use calls::{cluster_calls, instance_order, is_delete, ClusterCall, InstanceResources, ModuleIndex};
use decide::{resolve_settings, resolve_token};
use files::Files;
use gather::{instance_action, prior_values, regenerating_resource, rendered_evidence};

/// A configuration belongs to its plan: the root module's calls are the same. (Two stacks'
/// directories swapped would otherwise apply one stack's files to the other's plan.)
fn check_belongs(plan: &Plan, config: &Config) -> Result<(), Error> {
    let Some(root) = config.modules.get("") else { return Ok(()) };
    let in_plan: BTreeSet<&String> = crate::order::set(plan.configuration.module_calls.keys());
    let in_files: BTreeSet<&String> = crate::order::set(root.calls.keys());
    let mismatch = |why: String| Err(Error::ConfigMismatch { plan: plan.name.clone(), why });
    if let Some(m) = in_plan.difference(&in_files).next() {
        return mismatch(format!(
            "the plan calls module.{m}, but the configuration's root module has no module block {m:?}"
        ));
    }
    if let Some(m) = in_files.difference(&in_plan).next() {
        return mismatch(format!("the configuration's root module calls module.{m}, which the plan does not have"));
    }
    // Every literal both write is the same (another stack's directory has other names in it).
    #[cfg(feature = "config")]
    if let Some(why) = config.contradiction(plan, &plan.configuration.module_calls, &["etcd_backup"], &mut Vec::new()) {
        return mismatch(why);
    }
    // The plan records a value for every variable the root module declares.
    let vars_in_plan: BTreeSet<&String> = crate::order::set(plan.variables.keys());
    let vars_in_files: BTreeSet<&String> = crate::order::set(root.variables.keys());
    if let Some(v) = vars_in_plan.symmetric_difference(&vars_in_files).next() {
        return mismatch(format!(
            "variable {v:?} is declared in {} but not in {}",
            if vars_in_plan.contains(v) { "the plan" } else { "the configuration's root module" },
            if vars_in_plan.contains(v) { "the configuration's root module" } else { "the plan" }
        ));
    }
    Ok(())
}

/// The clusters of a plan: every instance of every module call a profile reads, the clusters a
/// deleted call left behind, and what carries etcd S3 settings but no profile reads (EB004).
pub fn clusters(plan: &Plan, config: &Config, profiles: &crate::profiles::Profiles) -> Result<Vec<Cluster>, Error> {
    if config.given && plan.kind == Kind::Plan {
        check_belongs(plan, config)?;
    }
    let mut calls = Vec::new();
    cluster_calls(&plan.configuration, profiles, &mut Vec::new(), &mut Vec::new(), &mut calls);
    let index = ModuleIndex::new(plan);
    // Every module instance the plan's resources are in, by the call path it instantiates
    // (`["region", "k8s"]`), with each of its ancestors: one pass over the modules, not one per call.
    let mut by_call: BTreeMap<Vec<String>, BTreeMap<String, Vec<Step>>> = BTreeMap::new();
    for a in index.module_addresses() {
        let steps = address::module_steps(a);
        for k in 1..=steps.len() {
            let names: Vec<String> = steps[..k].iter().map(|s| s.name.clone()).collect();
            by_call
                .entry(names)
                .or_default()
                .entry(address::render(&steps[..k]))
                .or_insert_with(|| steps[..k].to_vec());
        }
    }
    let mut out = Vec::new();
    for call in &calls {
        let mut instances = by_call.remove(&call.path).unwrap_or_default();
        let last = call.chain.last().expect("a cluster call has a chain");
        if instances.is_empty() && last.count_expression.is_none() && last.for_each_expression.is_none() {
            // A single instance with no resources in the plan at all: still a cluster to check.
            let steps: Vec<Step> = call.path.iter().map(|n| Step { name: n.clone(), key: None }).collect();
            instances.insert(address::render(&steps), steps);
        }
        let mut ordered: Vec<Vec<Step>> = instances.into_values().collect();
        crate::order::sort_by(&mut ordered, |a, b| instance_order(a, b));
        for steps in ordered {
            out.push(resolve_instance(plan, &index, config, call, &steps)?);
        }
    }
    out.extend(resources::resource_clusters(plan, profiles)?);
    let known: Vec<String> = out.iter().map(|c| c.address.clone()).collect();
    out.extend(discovered(plan, &index, &known)?);
    if plan.kind == Kind::Plan {
        // The call paths profiles read (a few per plan: instances share one), and the resources.
        let read: Vec<Vec<String>> = calls.iter().map(|c| c.path.clone()).collect();
        let read_resources = resources::read_addresses(plan, profiles);
        out.extend(unread::unread(plan, config, &index, profiles, &read, &read_resources)?);
    }
    Ok(out)
}

/// Clusters that the configuration no longer calls but whose resources show a backup map or a
/// token: a module call this plan deletes (renamed or removed), or — in a state document, which
/// has no configuration — every cluster of the state. A deleted cluster gets no configuration
/// rules, but where it wrote and with which token is evidence for the cluster that takes over its
/// location (SPEC §3).
fn discovered(plan: &Plan, index: &ModuleIndex, known: &[String]) -> Result<Vec<Cluster>, Error> {
    let mut out = Vec::new();
    // Covered when the module or one of its ancestors is a known cluster instance.
    let known: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
    let covered = |m: &str| {
        let steps = address::module_steps(m);
        (1..=steps.len()).any(|k| known.contains(address::render(&steps[..k]).as_str()))
    };
    let candidates: BTreeSet<&str> = match plan.kind {
        Kind::State => crate::order::set(index.prior.keys().copied()),
        Kind::Plan => crate::order::set(
            index
                .changes
                .iter()
                .filter(|(_, rcs)| rcs.iter().filter(|rc| rc.mode.as_deref() != Some("data")).all(|rc| is_delete(rc)))
                .map(|(m, _)| *m),
        ),
    };
    for module in candidates.into_iter().filter(|m| !m.is_empty() && !covered(m)) {
        let mut res = InstanceResources {
            changes: index.changes.get(module).cloned().unwrap_or_default(),
            planned: Vec::new(),
            prior: index.prior.get(module).cloned().unwrap_or_default(),
        };
        crate::order::sort_by(&mut res.changes, |a, b| a.address.cmp(&b.address));
        crate::order::sort_by(&mut res.prior, |a, b| a.address.cmp(&b.address));
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
            read_by: ReadBy::Evidence,
            plan: plan.name.clone(),
            stack: plan.stack.clone(),
            address: module.to_string(),
            action,
            backup,
            token: Token { state: token, references: Vec::new(), regenerated_by: None },
            prior,
            predecessors: Vec::new(),
            block: None,
            token_at: None,
            notes: Vec::new(),
            location: Default::default(),
        });
    }
    Ok(out)
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
    crate::order::sort_by(&mut res.changes, |a, b| a.address.cmp(&b.address));
    crate::order::sort_by(&mut res.planned, |a, b| a.address.cmp(&b.address));
    crate::order::sort_by(&mut res.prior, |a, b| a.address.cmp(&b.address));

    let action = instance_action(&res);
    let evidence = rendered_evidence(plan, &res)?;
    let files = Files::new(plan, config, call, steps, action == Action::Delete)?;
    let backup = resolve_settings(plan, &files, &evidence, &call.profile)?;
    let mut token = resolve_token(plan, &files, &evidence, &call.profile)?;
    token.regenerated_by = regenerating_resource(plan, index, call, steps, &res, action, &token.state);
    let prior = prior_values(plan, &res)?;
    Ok(Cluster {
        read_by: ReadBy::Profile(call.profile.clone()),
        plan: plan.name.clone(),
        stack: plan.stack.clone(),
        address,
        action,
        backup,
        token,
        prior,
        predecessors: Vec::new(),
        block: files.block(),
        token_at: files.token_at(),
        notes: files.notes(),
        location: Default::default(),
    })
}
