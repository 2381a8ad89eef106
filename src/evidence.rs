//! Evidence of the effective `etcd_backup` map and cluster token in what a module rendered into
//! its resources (SPEC §2, source 3): the map itself in an attribute, JSON files written by
//! cloud-init, k3s config text — also base64/gzip encoded or inside MIME multipart user data.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::decode;

/// How deep encodings may nest (base64 inside MIME inside gzip …) before we stop looking.
pub const MAX_DEPTH: usize = 8;

/// A value found in a resource: `None` when Terraform reports it unknown.
#[derive(Clone, Debug)]
pub struct Found {
    pub value: Option<String>,
    pub sensitive: bool,
}

#[derive(Clone, Debug)]
pub enum MapEvidence {
    Keys(BTreeMap<String, Found>),
    Null,
    Unknown,
}

/// Where in a resource a piece of evidence was found.
#[derive(Clone, Debug, Default)]
pub struct Location {
    pub attribute: String,
    pub via: Vec<String>,
}

#[derive(Default, Debug)]
pub struct Evidence {
    pub backup: Option<(MapEvidence, Location)>,
    pub token: Option<(Found, Location)>,
    /// Attributes unknown until apply that may carry the map or token (user data and the like).
    pub unknown_carriers: Vec<String>,
    /// Text that may carry them but cannot be read (YAML past the reader's limits), with why:
    /// what it holds cannot be told, which is never "no evidence".
    pub unreadable: Vec<String>,
}

impl Evidence {
    fn set_backup(&mut self, m: MapEvidence, loc: Location) {
        // A known map beats an unknown one; the first known one wins (resources are visited in
        // address order, so the choice is deterministic).
        let better = matches!(
            (&self.backup, &m),
            (None, _) | (Some((MapEvidence::Unknown, _)), MapEvidence::Keys(_) | MapEvidence::Null)
        );
        if better {
            self.backup = Some((m, loc));
        }
    }

    fn set_token(&mut self, t: Found, loc: Location) {
        let better = match &self.token {
            None => true,
            Some((old, _)) => old.value.is_none() && t.value.is_some(),
        };
        if better {
            self.token = Some((t, loc));
        }
    }
}

const TOKEN_KEYS: &[&str] = &["cluster_token", "k3s_token", "token"];

fn child<'v>(marks: &'v Value, key: &str) -> &'v Value {
    match marks {
        Value::Bool(true) => marks,
        Value::Object(m) => m.get(key).unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

fn child_idx(marks: &Value, i: usize) -> &Value {
    match marks {
        Value::Bool(true) => marks,
        Value::Array(a) => a.get(i).unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

fn marked(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

/// Whether an object looks like a backup map under another name: `s3` and another k3s key.
fn looks_like_backup_map(m: &serde_json::Map<String, Value>) -> bool {
    m.contains_key("s3") && m.keys().filter(|k| crate::catalogue::key(k).is_some()).count() >= 2
}

/// Whether an unknown attribute's name suggests it carries bootstrap data.
fn carrier_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["user_data", "userdata", "cloud_init", "cloudinit", "rendered", "config", "etcd", "token", "script", "custom_data"]
        .iter()
        .any(|w| n.contains(w))
}

pub struct Extractor<'e> {
    pub out: &'e mut Evidence,
}

impl Extractor<'_> {
    /// Walks a resource's values with Terraform's unknown and sensitive marks beside them.
    pub fn value(&mut self, v: &Value, unknown: &Value, sensitive: &Value, path: &str) {
        self.walk(v, unknown, sensitive, path, &mut Vec::new(), 0);
    }

    fn walk(&mut self, v: &Value, unknown: &Value, sens: &Value, path: &str, via: &mut Vec<String>, depth: usize) {
        if depth > 64 {
            return;
        }
        match v {
            Value::Object(m) => {
                if via.is_empty() && looks_like_backup_map(m) && !path.is_empty() {
                    let ev = map_evidence(v, unknown, sens);
                    self.out.set_backup(ev, Location { attribute: path.to_string(), via: via.clone() });
                }
                for (k, cv) in m {
                    let p = join(path, k);
                    let (cu, cs) = (child(unknown, k), child(sens, k));
                    self.key(k, cv, cu, cs, &p, via, depth);
                }
                // Unknown values are absent from `after`; only after_unknown names them.
                if let Value::Object(um) = unknown {
                    for (k, u) in um {
                        if marked(u) && !m.contains_key(k) {
                            self.unknown_at(k, &join(path, k), via);
                        }
                    }
                }
            }
            Value::Array(a) => {
                for (i, cv) in a.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    self.walk(cv, child_idx(unknown, i), child_idx(sens, i), &p, via, depth + 1);
                }
            }
            Value::String(s) => self.text(s, path, via, depth),
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)] // the walk's state: value, marks, path, encodings, depth
    fn key(&mut self, k: &str, cv: &Value, cu: &Value, cs: &Value, p: &str, via: &mut Vec<String>, depth: usize) {
        let loc = || Location { attribute: p.to_string(), via: via.clone() };
        if k == "etcd_backup" {
            let ev = if marked(cu) {
                MapEvidence::Unknown
            } else {
                match cv {
                    Value::Null => MapEvidence::Null,
                    Value::Object(_) => map_evidence(cv, cu, cs),
                    Value::String(s) if s.trim_start().starts_with('{') => match serde_json::from_str::<Value>(s) {
                        Ok(inner @ Value::Object(_)) => map_evidence(&inner, &Value::Null, cs),
                        _ => return,
                    },
                    _ => return,
                }
            };
            self.out.set_backup(ev, loc());
            return;
        }
        if TOKEN_KEYS.contains(&k) {
            if marked(cu) {
                self.out.set_token(Found { value: None, sensitive: true }, loc());
                return;
            }
            if let Value::String(s) = cv {
                if !s.is_empty() {
                    self.out.set_token(Found { value: Some(s.clone()), sensitive: true }, loc());
                }
                return;
            }
        }
        self.walk(cv, cu, cs, p, via, depth + 1);
    }

    fn unknown_at(&mut self, k: &str, p: &str, via: &[String]) {
        let loc = Location { attribute: p.to_string(), via: via.to_vec() };
        if k == "etcd_backup" {
            self.out.set_backup(MapEvidence::Unknown, loc);
        } else if TOKEN_KEYS.contains(&k) {
            self.out.set_token(Found { value: None, sensitive: true }, loc);
        } else if carrier_name(k) && !self.out.unknown_carriers.iter().any(|c| c == p) {
            self.out.unknown_carriers.push(p.to_string());
        }
    }

    /// Looks inside a string: base64, gzip, MIME, cloud-config, JSON, k3s config text.
    fn text(&mut self, s: &str, path: &str, via: &mut Vec<String>, depth: usize) {
        if depth > MAX_DEPTH || s.len() < 6 {
            return;
        }
        if let Some(bytes) = decode::base64(s) {
            via.push("base64".into());
            self.bytes(&bytes, path, via, depth + 1);
            via.pop();
            return;
        }
        let t = s.trim_start();
        if let Some(parts) = decode::mime_parts(s) {
            for (i, part) in parts.iter().enumerate() {
                via.push(format!("mime part {}", part.filename.clone().unwrap_or_else(|| (i + 1).to_string())));
                let is_b64 = part.transfer_encoding.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("base64"));
                match is_b64.then(|| decode::base64(&part.body)).flatten() {
                    Some(b) => self.bytes(&b, path, via, depth + 1),
                    None => self.text(&part.body, path, via, depth + 1),
                }
                via.pop();
            }
        } else if t.starts_with("#cloud-config") {
            via.push("cloud-config".into());
            match decode::cloud_config_write_files(t) {
                Ok(files) => {
                    for f in files {
                        if let Some(content) = decode::write_file_content(&f) {
                            via.push(f.path.clone());
                            self.file(&f.path, &content, path, via, depth + 1);
                            via.pop();
                        }
                    }
                }
                // Past the YAML reader's limits, or not YAML: what it holds cannot be told, so its
                // values stay unresolved (EB002), never "no evidence".
                Err(e) => {
                    let at = format!("{path} ({}: {e})", via.join(" > "));
                    if !self.out.unreadable.contains(&at) {
                        self.out.unreadable.push(at);
                    }
                }
            }
            via.pop();
        } else if t.starts_with('{') {
            if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(t) {
                via.push("json".into());
                self.json_doc(&v, path, via, depth + 1);
                via.pop();
            }
        } else {
            self.k3s_text(s, path, via);
        }
    }

    fn bytes(&mut self, b: &[u8], path: &str, via: &mut Vec<String>, depth: usize) {
        if decode::is_gzip(b) {
            if let Some(plain) = decode::gunzip(b) {
                via.push("gzip".into());
                if let Ok(s) = std::str::from_utf8(&plain) {
                    self.text(s, path, via, depth + 1);
                }
                via.pop();
            }
        } else if let Ok(s) = std::str::from_utf8(b) {
            self.text(s, path, via, depth + 1);
        }
    }

    fn file(&mut self, file_path: &str, content: &str, path: &str, via: &mut Vec<String>, depth: usize) {
        let loc = || Location { attribute: path.to_string(), via: via.clone() };
        let name = file_path.rsplit('/').next().unwrap_or(file_path);
        if name == "etcd_backup.json" {
            // The module writes jsonencode(var.etcd_backup): `null` when unset.
            match serde_json::from_str::<Value>(content.trim()) {
                Ok(Value::Null) => self.out.set_backup(MapEvidence::Null, loc()),
                Ok(v @ Value::Object(_)) => self.out.set_backup(map_evidence(&v, &Value::Null, &Value::Null), loc()),
                _ => {}
            }
        } else {
            self.text(content, path, via, depth + 1);
        }
    }

    /// A JSON document found in text: the module's k8s.json (`cluster_token`) or a map.
    fn json_doc(&mut self, v: &Value, path: &str, via: &mut Vec<String>, depth: usize) {
        if let Value::Object(m) = v {
            if looks_like_backup_map(m) {
                self.out.set_backup(
                    map_evidence(v, &Value::Null, &Value::Null),
                    Location { attribute: path.into(), via: via.clone() },
                );
                return;
            }
        }
        self.walk(v, &Value::Null, &Value::Null, path, via, depth + 1);
    }

    fn k3s_text(&mut self, s: &str, path: &str, via: &[String]) {
        let k = decode::k3s_text(s);
        let loc = || Location { attribute: path.to_string(), via: via.to_vec() };
        if !k.etcd.is_empty() {
            let keys =
                crate::order::map(k.etcd.into_iter().map(|(key, v)| (key, Found { value: Some(v), sensitive: false })));
            self.out.set_backup(MapEvidence::Keys(keys), loc());
        }
        if let Some(t) = k.token {
            self.out.set_token(Found { value: Some(t), sensitive: true }, loc());
        }
    }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

/// The keys of a map value: known values as strings (the module receives `map(string)`),
/// keys that are only in the unknown marks as unknown; sensitivity from Terraform's marks.
fn map_evidence(v: &Value, unknown: &Value, sens: &Value) -> MapEvidence {
    let Value::Object(m) = v else {
        return MapEvidence::Unknown;
    };
    let mut keys = BTreeMap::new();
    for (k, val) in m {
        let s = marked(child(sens, k));
        let value = match val {
            Value::String(x) => Some(x.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => continue,
            _ => None,
        };
        let value = if marked(child(unknown, k)) { None } else { value };
        keys.insert(k.clone(), Found { value, sensitive: s });
    }
    if let Value::Object(um) = unknown {
        for (k, u) in um {
            if marked(u) {
                keys.entry(k.clone()).or_insert(Found { value: None, sensitive: marked(child(sens, k)) });
            }
        }
    }
    MapEvidence::Keys(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use std::io::Write;

    fn gzip_b64(s: &str) -> String {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(s.as_bytes()).unwrap();
        base64::engine::general_purpose::STANDARD.encode(e.finish().unwrap())
    }

    fn extract(v: Value, unknown: Value, sens: Value) -> Evidence {
        let mut ev = Evidence::default();
        Extractor { out: &mut ev }.value(&v, &unknown, &sens, "");
        ev
    }

    #[test]
    fn k3s_flags_in_gzip_base64_user_data() {
        let script = "#!/bin/sh\ncurl -sfL https://get.k3s.io | K3S_TOKEN=tok sh -s - server --etcd-s3 --etcd-s3-bucket=b --etcd-s3-folder f\n";
        let ev = extract(serde_json::json!({ "user_data": gzip_b64(script) }), Value::Null, Value::Null);
        let (MapEvidence::Keys(keys), loc) = ev.backup.unwrap() else { panic!("no map") };
        assert_eq!(keys["s3-bucket"].value.as_deref(), Some("b"));
        assert_eq!(keys["s3"].value.as_deref(), Some("true"));
        assert_eq!(loc.attribute, "user_data");
        assert_eq!(loc.via, ["base64", "gzip"]);
        assert_eq!(ev.token.unwrap().0.value.as_deref(), Some("tok"));
    }

    #[test]
    fn config_yaml_inside_mime_part_with_base64_transfer_encoding() {
        let yaml = base64::engine::general_purpose::STANDARD.encode("etcd-s3-bucket: b2\ntoken: t2\n");
        let mime = format!("Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n{yaml}\n--XX--\n");
        let ev = extract(serde_json::json!({ "rendered": mime }), Value::Null, Value::Null);
        let (MapEvidence::Keys(keys), _) = ev.backup.unwrap() else { panic!("no map") };
        assert_eq!(keys["s3-bucket"].value.as_deref(), Some("b2"));
    }

    #[test]
    fn a_cloud_config_past_the_yaml_limits_is_unreadable_not_empty() {
        let deep = format!("#cloud-config\nx: {}{}\n", "[".repeat(100), "]".repeat(100));
        let ev = extract(serde_json::json!({ "user_data": deep }), Value::Null, Value::Null);
        assert!(ev.backup.is_none());
        assert_eq!(ev.unreadable, ["user_data (cloud-config: YAML nested deeper than 64 levels)"]);
    }

    #[test]
    fn unknown_attributes_are_reported_as_carriers_and_maps_keep_marks() {
        let ev = extract(
            serde_json::json!({ "name": "x", "etcd_backup": { "s3": "true", "s3-secret-key": "S" } }),
            serde_json::json!({ "user_data": true, "etcd_backup": { "s3-bucket": true } }),
            serde_json::json!({ "etcd_backup": { "s3-secret-key": true } }),
        );
        assert_eq!(ev.unknown_carriers, ["user_data"]);
        let (MapEvidence::Keys(keys), _) = ev.backup.unwrap() else { panic!("no map") };
        assert!(keys["s3-bucket"].value.is_none());
        assert!(keys["s3-secret-key"].sensitive);
        assert!(!keys["s3"].sensitive);
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;
    use base64::Engine;

    /// The map inside `layers` base64 encodings, in a `user_data` attribute.
    fn found_at(layers: usize) -> bool {
        let mut text = r#"{"etcd_backup": {"s3": "true", "s3-bucket": "b", "s3-folder": "f"}}"#.to_string();
        for _ in 0..layers {
            text = base64::engine::general_purpose::STANDARD.encode(text);
        }
        let mut ev = Evidence::default();
        Extractor { out: &mut ev }.value(&serde_json::json!({ "user_data": text }), &Value::Null, &Value::Null, "");
        matches!(ev.backup, Some((MapEvidence::Keys(_), _)))
    }

    #[test]
    fn encodings_are_followed_up_to_the_limit_and_not_past_it() {
        // A base64 layer takes two steps of the depth (the decoding, and the bytes read as text).
        let last = (0..=MAX_DEPTH + 4).take_while(|k| found_at(*k)).last();
        assert_eq!(last, Some((MAX_DEPTH - 1) / 2), "followed up to the limit");
        assert!(!found_at((MAX_DEPTH - 1) / 2 + 1), "and not past it");
    }
}
