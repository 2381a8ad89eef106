use serde_json::json;

use crate::report::Report;

pub fn report(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// What an OPA policy's `deny`/`warn` rules would produce (conftest's shape).
pub fn opa(r: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(&json!({ "deny": r.deny, "warn": r.warn })).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
