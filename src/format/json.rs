use serde::Serialize;
use serde_json::json;

use crate::error::Error;
use crate::report::Report;

/// Pretty JSON with a final newline; a value that cannot be serialised is an error, never `{}`.
pub fn pretty<T: Serialize + ?Sized>(v: &T, what: &str) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(v).map_err(|_| Error::Output { what: what.to_string() })?;
    s.push('\n');
    Ok(s)
}

/// Compact JSON, as the JS API parses it (faster to write and to parse than `pretty`).
pub fn compact<T: Serialize + ?Sized>(v: &T, what: &str) -> Result<String, Error> {
    serde_json::to_string(v).map_err(|_| Error::Output { what: what.to_string() })
}

pub fn report(r: &Report) -> Result<String, Error> {
    pretty(r, "JSON report")
}

/// What an OPA policy's `deny`/`warn` rules would produce (conftest's shape).
pub fn opa(r: &Report) -> Result<String, Error> {
    pretty(&json!({ "deny": r.deny, "warn": r.warn }), "OPA result")
}
