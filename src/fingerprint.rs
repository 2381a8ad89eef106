//! Token fingerprints for the baseline (SPEC §6): `sha256(location ‖ token)`, so a baseline can be
//! stored and shared without the token, and a fingerprint from one location says nothing about
//! another. `‖` is a NUL byte, which neither a location key nor a token holds.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::location::{self, Location};
use crate::model::{Action, Cluster};

pub fn of(location: &Location, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(location.key().as_bytes());
    h.update([0u8]);
    h.update(token.as_bytes());
    let digest = h.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The data document `fingerprint` prints: `{"etcd_backup": {"baseline": {location: {...}}}}`,
/// one entry per cluster whose location and token are known; `merge` is an earlier document whose
/// entries are kept unless a cluster here records the same location.
pub fn baseline(clusters: &[Cluster], merge: Option<Value>) -> Value {
    let mut entries: BTreeMap<String, Value> = BTreeMap::new();
    // A cluster being deleted no longer records the token of its location.
    for c in clusters.iter().filter(|c| c.action != Action::Delete) {
        let (Some(loc), Some(token)) = (location::of(c), c.token_value()) else { continue };
        entries.insert(loc.key(), json!({ "cluster": c.address, "plan": c.plan, "token_sha256": of(loc, token) }));
    }
    let mut doc = merge.filter(Value::is_object).unwrap_or_else(|| json!({}));
    if !doc.get("etcd_backup").is_some_and(Value::is_object) {
        doc["etcd_backup"] = json!({});
    }
    if !doc["etcd_backup"].get("baseline").is_some_and(Value::is_object) {
        doc["etcd_backup"]["baseline"] = json!({});
    }
    for (k, v) in entries {
        doc["etcd_backup"]["baseline"][k] = v;
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salted_by_location() {
        let a = Location { service: "aws".into(), bucket: "b".into(), folder: "x".into() };
        let b = Location { folder: "y".into(), ..a.clone() };
        assert_ne!(of(&a, "t"), of(&b, "t"));
        assert_eq!(of(&a, "t"), of(&a, "t"));
        assert!(!of(&a, "token-value").contains("token-value"));
        assert_eq!(of(&a, "t").len(), 7 + 64);
    }
}
