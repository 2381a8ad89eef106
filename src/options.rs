//! Evaluation options and the data document (OPA's `data`, under `etcd_backup`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Error;
use crate::location::{self, Location};
use crate::rules::{self, Context, InventoryEntry, Severities, Severity};
use crate::suggest::{check_keys, nearest, unknown_key};

/// When the gate fails (`--fail-on`): on denials (default), on warnings too, or never.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailOn {
    #[default]
    Deny,
    Warn,
    Never,
}

/// What the formats need besides the report.
#[derive(Clone, Debug, Default)]
pub struct Style {
    /// Colour in the text format (the CLI sets it on a TTY without NO_COLOR).
    pub color: bool,
    /// When the gate fails: formats that carry the verdict themselves (`atlantis`) need it.
    pub fail_on: FailOn,
    /// Where the rule documents (`docs/rules/<ID>.md`) are published: SARIF's `helpUri` is this
    /// URL joined with `<ID>.md` (`--rule-docs-url`).
    pub rule_docs_url: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub severities: Severities,
    pub context: Context,
    pub style: Style,
    /// The configuration of each plan, in the order of the plans (`--config DIR`, once per plan;
    /// `None` for a plan without one): path relative to the root module → text (`None`: a file
    /// that exists but was not read).
    pub configs: Vec<Option<BTreeMap<String, Option<String>>>>,
    /// The current stack (`--stack`): with a cluster's address, what identifies this very
    /// cluster in the inventory (EB203). A Spacelift-wrapped plan names its own.
    pub stack: Option<String>,
    /// Per plan, where its configuration directory lies in the repository (`--source-root`):
    /// SARIF and GitHub annotations name `.tf` files by repository path.
    pub source_roots: Vec<String>,
    /// `terraform.workspace` (`--workspace`, `TF_WORKSPACE`): one for every plan, or one per plan.
    /// Plan JSON does not record it; without it, a value that uses it is unknown.
    pub workspaces: Vec<String>,
    /// The module profiles clusters are read through: the data document's own, then the built-in
    /// ones.
    pub profiles: crate::profiles::Profiles,
}

impl Options {
    /// The workspace of the `i`-th plan: the one given for all, or its own.
    pub fn workspace(&self, i: usize) -> Option<&str> {
        match self.workspaces.as_slice() {
            [one] => Some(one),
            list => list.get(i).map(String::as_str),
        }
    }
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

/// The keys the data document may hold under `etcd_backup`, and those of its entries.
pub const DATA_KEYS: &[&str] = &["baseline", "inventory", "min_retention_window", "profiles", "rules"];
pub const INVENTORY_KEYS: &[&str] = &["bucket", "cluster", "endpoint", "folder", "stack"];
pub const BASELINE_KEYS: &[&str] = &["cluster", "plan", "token_sha256"];
/// The keys of the engine's options (what the JS shim passes).
pub const OPTION_KEYS: &[&str] =
    &["color", "config", "data", "fail_on", "rule_docs_url", "rules", "source_roots", "stack", "workspace"];
const DATA_ROOT: &str = "etcd_backup";

/// A string field of an entry: absent is `None`, anything but a string an error.
fn string_field<'v>(at: &str, m: &'v serde_json::Map<String, Value>, key: &str) -> Result<Option<&'v str>, Error> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::Data { why: format!("{at}.{key} must be a string") }),
    }
}

fn inventory(v: &Value) -> Result<Vec<InventoryEntry>, Error> {
    let Value::Array(items) = v else {
        return Err(Error::Data {
            why: "etcd_backup.inventory must be a list of {stack, cluster, endpoint, bucket, folder}".into(),
        });
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("etcd_backup.inventory[{i}]");
        let Value::Object(m) = item else {
            return Err(Error::Data {
                why: format!("{at} must be an object {{stack, cluster, endpoint, bucket, folder}}"),
            });
        };
        check_keys(&at, m, INVENTORY_KEYS)?;
        let required = |key: &str| -> Result<&str, Error> {
            string_field(&at, m, key)?
                .filter(|s| !s.is_empty())
                .ok_or_else(|| Error::Data { why: format!("{at} has no {key}") })
        };
        let (cluster, bucket) = (required("cluster")?, required("bucket")?);
        let endpoint = string_field(&at, m, "endpoint")?.unwrap_or("s3.amazonaws.com");
        out.push(InventoryEntry {
            stack: string_field(&at, m, "stack")?.filter(|s| !s.is_empty()).map(str::to_string),
            cluster: cluster.to_string(),
            location: Location {
                service: location::service(endpoint),
                bucket: bucket.to_string(),
                folder: location::normalise_folder(string_field(&at, m, "folder")?.unwrap_or("")),
            },
        });
    }
    Ok(out)
}

/// `sha256:` and 64 lower-case hex digits, as `fingerprint` writes it.
fn is_fingerprint(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// `{location key: {"token_sha256": "sha256:…"}}` as `fingerprint` writes it (a bare string also works).
fn baseline(v: &Value) -> Result<BTreeMap<String, String>, Error> {
    let Value::Object(m) = v else {
        return Err(Error::Data { why: "etcd_backup.baseline must be an object as written by `fingerprint`".into() });
    };
    let mut out = BTreeMap::new();
    for (i, (k, e)) in m.iter().enumerate() {
        // Entries are named by position: a location key is user text.
        let at = format!("etcd_backup.baseline entry {}", i + 1);
        let fp = match e {
            Value::String(s) => s.as_str(),
            Value::Object(fields) => {
                check_keys(&at, fields, BASELINE_KEYS)?;
                string_field(&at, fields, "cluster")?;
                string_field(&at, fields, "plan")?;
                string_field(&at, fields, "token_sha256")?
                    .ok_or_else(|| Error::Data { why: format!("{at} has no token_sha256") })?
            }
            _ => return Err(Error::Data { why: format!("{at} must be an object with a token_sha256") }),
        };
        if !is_fingerprint(fp) {
            return Err(Error::Data {
                why: format!(
                    "{at}: token_sha256 is not a fingerprint as `fingerprint` writes it (sha256: and 64 hex digits)"
                ),
            });
        }
        out.insert(k.clone(), fp.to_string());
    }
    Ok(out)
}

/// Checks the merged data document: anything under `etcd_backup` that this tool does not know
/// is an error (a typo such as `baselines` would otherwise turn a certain EB301 into an EB303
/// warning). Other top-level keys belong to other policies, except near-misses of `etcd_backup`.
fn data_section(data: &Value) -> Result<Option<&serde_json::Map<String, Value>>, Error> {
    let Value::Object(top) = data else {
        return Err(Error::Data { why: "must be a JSON object".into() });
    };
    if let Some(k) = top.keys().find(|k| k.as_str() != DATA_ROOT && nearest(k, &[DATA_ROOT]).is_some()) {
        return Err(Error::Data { why: unknown_key("the data document", k, &[DATA_ROOT]) });
    }
    match top.get(DATA_ROOT) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            check_keys(DATA_ROOT, m, DATA_KEYS)?;
            Ok(Some(m))
        }
        Some(_) => Err(Error::Data { why: "etcd_backup must be an object".into() }),
    }
}

impl Options {
    /// Takes the data document's `etcd_backup` section into these options, checking it whole
    /// (unknown keys, wrong types, malformed entries are errors).
    fn read_data(&mut self, data: &Value) -> Result<(), Error> {
        let section = data_section(data)?;
        let get = |k: &str| section.and_then(|m| m.get(k)).filter(|v| !v.is_null());
        if let Some(r) = get("rules") {
            self.severities.overrides.extend(severity_map(r, "etcd_backup.rules")?);
        }
        if let Some(w) = get("min_retention_window") {
            let secs = w.as_str().and_then(crate::gotypes::parse_duration).filter(|s| *s >= 0.0).ok_or_else(|| {
                Error::Data { why: "etcd_backup.min_retention_window must be a Go duration such as \"24h\"".into() }
            })?;
            self.context.min_window_s = secs;
        }
        if let Some(inv) = get("inventory") {
            self.context.inventory = inventory(inv)?;
        }
        if let Some(b) = get("baseline") {
            self.context.baseline = baseline(b)?;
        }
        if let Some(p) = get("profiles") {
            self.profiles = crate::profiles::Profiles::with_user(crate::profiles::parse_user(p)?);
        }
        Ok(())
    }

    /// Options from a data document alone (OPA's `data`, as the OPA-ABI policy receives it).
    pub fn from_data(data: &Value) -> Result<Options, Error> {
        let mut opts = Options::default();
        opts.read_data(data)?;
        Ok(opts)
    }

    /// Checks a data document as `--data` would read it.
    pub fn check_data(data: &Value) -> Result<(), Error> {
        Options::default().read_data(data)
    }

    /// Reads options as JSON: `{"data": <document or list of documents>, "rules": {"EB101": "warn"}, "color": bool}`.
    /// `rules` (the command line's `--rule`) wins over the data document's `etcd_backup.rules`.
    pub fn from_json(text: &str) -> Result<Options, Error> {
        if text.trim().is_empty() {
            return Ok(Options::default());
        }
        let v: Value = serde_json::from_str(text).map_err(|_| Error::Options { why: "not valid JSON".into() })?;
        let Value::Object(o) = v else {
            return Err(Error::Options { why: "must be a JSON object".into() });
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
            Some(_) => return Err(Error::Data { why: "must be a JSON object (or a list of them)".into() }),
        }
        if let Some(k) = o.keys().find(|k| !OPTION_KEYS.contains(&k.as_str())) {
            return Err(Error::Options { why: unknown_key("the options object", k, OPTION_KEYS) });
        }
        let color = match o.get("color") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(Error::Options { why: "color must be true or false".into() }),
        };
        let stack = match o.get("stack") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(_) => return Err(Error::Options { why: "stack must be a non-empty string".into() }),
        };
        let fail_on = match o.get("fail_on").and_then(|v| if v.is_null() { None } else { Some(v.as_str()) }) {
            None | Some(Some("deny")) => FailOn::Deny,
            Some(Some("warn")) => FailOn::Warn,
            Some(Some("never")) => FailOn::Never,
            Some(_) => return Err(Error::Options { why: "fail_on must be \"deny\", \"warn\" or \"never\"".into() }),
        };
        let rule_docs_url = match o.get("rule_docs_url") {
            None | Some(Value::Null) => None,
            Some(Value::String(u)) if crate::endpoint::valid_http_url(u) => Some(u.trim_end_matches('/').to_string()),
            Some(_) => {
                return Err(Error::Options {
                    why: "rule_docs_url (--rule-docs-url) must be an absolute http(s) URL".into(),
                })
            }
        };
        let style = Style { color, fail_on, rule_docs_url };
        let mut opts = Options { style, stack, ..Default::default() };
        opts.read_data(&data)?;
        // One configuration (`{path: text}`) or one per plan (a list; null for a plan without).
        // A file's text may be null: it exists but was not read (too large, not text), so what
        // `file()` would read from it is unknown.
        let files = |v: &Value| -> Result<Option<BTreeMap<String, Option<String>>>, Error> {
            match v {
                Value::Null => Ok(None),
                Value::Object(files) => {
                    let mut out = BTreeMap::new();
                    for (path, text) in files {
                        let text = match text {
                            Value::Null => None,
                            Value::String(t) => Some(t.clone()),
                            _ => {
                                return Err(Error::Options {
                                    why: "config must map file paths to their text (or null)".into(),
                                })
                            }
                        };
                        out.insert(path.clone(), text);
                    }
                    Ok(Some(out))
                }
                _ => Err(Error::Options {
                    why: "config must map file paths to their text (or be a list of those, one per plan)".into(),
                }),
            }
        };
        opts.configs = match o.get("config") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list.iter().map(files).collect::<Result<_, _>>()?,
            Some(one) => vec![files(one)?],
        };
        // Fail closed: a build without the configuration reader must not check a plan as if no
        // configuration had been given (the npm package routes such calls to the build with it).
        if !cfg!(feature = "config") && opts.configs.iter().any(Option::is_some) {
            return Err(Error::Options {
                why: "this engine is built without the configuration reader (feature `config`): config cannot be read"
                    .into(),
            });
        }
        opts.source_roots = match o.get("source_roots") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => {
                a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>().ok_or_else(|| {
                    Error::Options { why: "source_roots must be a list of paths, one per plan".into() }
                })?
            }
            Some(_) => return Err(Error::Options { why: "source_roots must be a list of paths, one per plan".into() }),
        };
        let workspace_error =
            || Error::Options { why: "workspace must be a workspace name, or a list of them (one per plan)".into() };
        let name = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        opts.workspaces = match o.get("workspace") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.iter().map(name).collect::<Option<Vec<_>>>().ok_or_else(workspace_error)?,
            Some(v) => vec![name(v).ok_or_else(workspace_error)?],
        };
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
