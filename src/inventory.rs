//! The inventory data document (`inventory`): which stack's cluster owns which backup location,
//! so EB203 can compare a plan with every other stack of the fleet without JSON written by hand.
//! Read from plans or states (`terraform show -json` of either); an entry is identified by
//! `stack` and `cluster`, never by the address alone (`module.k8s` is in every stack).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::error::Error;
use crate::location::{self, Location};
use crate::model::{Action, Cluster};
use crate::options::Options;

/// An endpoint that `location::service` maps back to the same service: `aws` is any
/// `*.amazonaws.com` endpoint; other services are their `host[:port]` (never credentials).
fn endpoint_of(l: &Location) -> String {
    if l.service == "aws" {
        "s3.amazonaws.com".to_string()
    } else {
        l.service.clone()
    }
}

fn entry(stack: &str, cluster: &str, l: &Location) -> Value {
    json!({ "stack": stack, "cluster": cluster, "endpoint": endpoint_of(l), "bucket": l.bucket, "folder": l.folder })
}

/// `{"etcd_backup": {"inventory": [...]}}`: the locations of the clusters that will exist after
/// the plans (deleted ones own nothing), replacing every entry of the stacks seen here in `merge`
/// (the stack's plan or state is the whole truth about it) and keeping the others.
pub fn document(clusters: &[Cluster], stack: Option<&str>, merge: Option<Value>) -> Result<Value, Error> {
    // The stack named on the command line is replaced even when it has no cluster any more.
    let mut stacks: BTreeSet<String> = stack.map(str::to_string).into_iter().collect();
    let mut entries: BTreeMap<(String, String), Value> = BTreeMap::new();
    for c in clusters {
        let Some(stack) = c.stack.as_deref() else {
            return Err(Error::Usage {
                why: format!(
                    "{}: no stack name for {}: pass --stack NAME (an inventory entry is identified by stack and cluster)",
                    c.plan, c.address
                ),
            });
        };
        stacks.insert(stack.to_string());
        if c.action == Action::Delete {
            continue;
        }
        if let Some(l) = location::of(c) {
            entries.insert((stack.to_string(), c.address.clone()), entry(stack, &c.address, l));
        }
    }
    let mut doc = merge.unwrap_or_else(|| json!({}));
    // What is merged must itself be a valid data document.
    Options::check_data(&doc)?;
    if !doc.get("etcd_backup").is_some_and(Value::is_object) {
        doc["etcd_backup"] = json!({});
    }
    let mut kept: Vec<Value> = doc["etcd_backup"]
        .get("inventory")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|e| !e.get("stack").and_then(Value::as_str).is_some_and(|s| stacks.contains(s)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    kept.extend(entries.into_values());
    let field = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let key = |e: &Value| ["stack", "cluster", "endpoint", "bucket", "folder"].map(|k| field(e, k));
    crate::order::sort_by(&mut kept, |a, b| key(a).cmp(&key(b)));
    doc["etcd_backup"]["inventory"] = Value::Array(kept);
    Ok(doc)
}
