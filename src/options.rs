//! Evaluation options and the data document (OPA's `data`, under `etcd_backup`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Error;
use crate::location::{self, Location};
use crate::rules::{self, Context, InventoryEntry, Severities, Severity};

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub severities: Severities,
    pub context: Context,
    /// Colour in the text format (the CLI sets it on a TTY without NO_COLOR).
    pub color: bool,
    /// The `.tf` files of the root module and its local modules (`--config DIR`): path relative
    /// to the root module → text.
    pub config: Option<BTreeMap<String, String>>,
}

/// Merges `b` into `a`: objects key by key, anything else replaced.
pub fn merge_json(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(am), Value::Object(bm)) => {
            for (k, v) in bm {
                match am.get_mut(&k) {
                    Some(slot) => merge_json(slot, v),
                    None => {
                        am.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn severity_map(v: &Value, what: &str) -> Result<BTreeMap<String, Severity>, Error> {
    let Value::Object(m) = v else {
        return Err(Error::Data { why: format!("{what} must be an object of rule ID to deny|warn|off") });
    };
    let mut out = BTreeMap::new();
    for (id, level) in m {
        let rule = rules::find(id).ok_or_else(|| Error::UnknownRule { id: id.clone() })?;
        let sev = level
            .as_str()
            .and_then(Severity::parse)
            .ok_or_else(|| Error::Data { why: format!("{what}.{}: severity must be deny, warn or off", rule.id) })?;
        out.insert(rule.id.to_string(), sev);
    }
    Ok(out)
}

fn inventory(v: &Value) -> Result<Vec<InventoryEntry>, Error> {
    let Value::Array(items) = v else {
        return Err(Error::Data {
            why: "etcd_backup.inventory must be a list of {cluster, endpoint, bucket, folder}".into(),
        });
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = |k: &str| item.get(k).and_then(Value::as_str);
        let bucket =
            field("bucket").ok_or_else(|| Error::Data { why: format!("etcd_backup.inventory[{i}] has no bucket") })?;
        let endpoint = field("endpoint").unwrap_or("s3.amazonaws.com");
        out.push(InventoryEntry {
            cluster: field("cluster").unwrap_or("(unnamed)").to_string(),
            location: Location {
                service: location::service(endpoint),
                bucket: bucket.to_string(),
                folder: location::normalise_folder(field("folder").unwrap_or("")),
            },
        });
    }
    Ok(out)
}

/// `{location key: {"token_sha256": "sha256:…"}}` as `fingerprint` writes it (a bare string also works).
fn baseline(v: &Value) -> Result<BTreeMap<String, String>, Error> {
    let Value::Object(m) = v else {
        return Err(Error::Data { why: "etcd_backup.baseline must be an object as written by `fingerprint`".into() });
    };
    let mut out = BTreeMap::new();
    for (k, e) in m {
        let fp = e
            .as_str()
            .or_else(|| e.get("token_sha256").and_then(Value::as_str))
            .ok_or_else(|| Error::Data { why: "every etcd_backup.baseline entry needs a token_sha256".into() })?;
        out.insert(k.clone(), fp.to_string());
    }
    Ok(out)
}

impl Options {
    /// Reads options as JSON: `{"data": <document or list of documents>, "rules": {"EB101": "warn"}, "color": bool}`.
    /// `rules` (the command line's `--rule`) wins over the data document's `etcd_backup.rules`.
    pub fn from_json(text: &str) -> Result<Options, Error> {
        if text.trim().is_empty() {
            return Ok(Options::default());
        }
        let v: Value =
            serde_json::from_str(text).map_err(|_| Error::Data { why: "options are not valid JSON".into() })?;
        let Value::Object(o) = v else {
            return Err(Error::Data { why: "options must be a JSON object".into() });
        };
        let mut data = Value::Object(Default::default());
        match o.get("data") {
            None | Some(Value::Null) => {}
            Some(Value::Array(docs)) => {
                for d in docs {
                    merge_json(&mut data, d.clone());
                }
            }
            Some(d @ Value::Object(_)) => merge_json(&mut data, d.clone()),
            Some(_) => return Err(Error::Data { why: "must be a JSON object".into() }),
        }
        let mut opts =
            Options { color: o.get("color").and_then(Value::as_bool).unwrap_or(false), ..Default::default() };
        if let Some(r) = data.get("etcd_backup").and_then(|e| e.get("rules")) {
            opts.severities.overrides.extend(severity_map(r, "etcd_backup.rules")?);
        }
        if let Some(w) = data.get("etcd_backup").and_then(|e| e.get("min_retention_window")) {
            let secs = w.as_str().and_then(crate::gotypes::parse_duration).filter(|s| *s >= 0.0).ok_or_else(|| {
                Error::Data { why: "etcd_backup.min_retention_window must be a Go duration such as \"24h\"".into() }
            })?;
            opts.context.min_window_s = secs;
        }
        if let Some(inv) = data.get("etcd_backup").and_then(|e| e.get("inventory")) {
            opts.context.inventory = inventory(inv)?;
        }
        if let Some(b) = data.get("etcd_backup").and_then(|e| e.get("baseline")) {
            opts.context.baseline = baseline(b)?;
        }
        match o.get("config") {
            None | Some(Value::Null) => {}
            Some(Value::Object(files)) => {
                let mut m = BTreeMap::new();
                for (path, text) in files {
                    let text = text
                        .as_str()
                        .ok_or_else(|| Error::Data { why: "config must map file paths to their text".into() })?;
                    m.insert(path.clone(), text.to_string());
                }
                opts.config = Some(m);
            }
            Some(_) => return Err(Error::Data { why: "config must map file paths to their text".into() }),
        }
        if let Some(r) = o.get("rules") {
            opts.severities.overrides.extend(severity_map(r, "rules")?);
        }
        Ok(opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_rules_win_over_data() {
        let o = Options::from_json(
            r#"{"data":[{"etcd_backup":{"rules":{"EB101":"warn","EB003":"off"}}}],"rules":{"eb101":"off"}}"#,
        )
        .unwrap();
        assert_eq!(o.severities.overrides.get("EB101"), Some(&Severity::Off));
        assert_eq!(o.severities.overrides.get("EB003"), Some(&Severity::Off));
    }

    #[test]
    fn bad_rules_are_errors() {
        assert!(matches!(Options::from_json(r#"{"rules":{"EB999":"deny"}}"#), Err(Error::UnknownRule { .. })));
        assert!(Options::from_json(r#"{"rules":{"EB101":"loud"}}"#).is_err());
        assert!(Options::from_json("[").is_err());
    }
}
