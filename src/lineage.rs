//! "A location keeps its token" (SPEC §3): the snapshots at a location were written by the
//! cluster that last wrote there — its own prior state, or a cluster that the plans evaluated
//! delete or rename away (module call renamed, `for_each` key changed). This links every cluster
//! that will exist after the plans to the deleted clusters whose prior location is its location,
//! so the token rules compare with their tokens.

use std::collections::BTreeMap;

use crate::location::{self, Location};
use crate::model::{Action, Cluster, Predecessor};

/// Where a deleted cluster wrote before this plan.
pub fn prior_location(c: &Cluster) -> Option<Location> {
    c.prior.keys.as_ref().and_then(location::from_keys)
}

/// Sets `predecessors` on every cluster that is not being deleted. O(n log n) in the clusters.
pub fn link(clusters: &mut [Cluster]) {
    let mut written: BTreeMap<Location, Vec<Predecessor>> = BTreeMap::new();
    for c in clusters.iter().filter(|c| c.action == Action::Delete) {
        if let Some(l) = prior_location(c) {
            written.entry(l).or_default().push(Predecessor {
                address: c.address.clone(),
                plan: c.plan.clone(),
                token: c.prior.token.clone(),
            });
        }
    }
    for c in clusters.iter_mut() {
        c.predecessors = match (c.action, location::of(c)) {
            (Action::Delete, _) | (_, None) => Vec::new(),
            (_, Some(l)) => written.get(l).cloned().unwrap_or_default(),
        };
    }
}
