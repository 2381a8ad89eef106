//! YAML read with saphyr-parser (a maintained YAML 1.2 parser, event based and iterative: no
//! recursion on nesting) into a small tree, with limits against hostile input. Used for
//! cloud-config user data (`write_files`), k3s config.yaml and Terraform's `yamldecode`.
//!
//! Limits, each an error rather than a hang or an exhausted memory: nesting deeper than
//! `MAX_DEPTH`, more than `MAX_NODES` nodes once aliases are expanded (a "billion laughs"
//! document is a few lines of anchors), an alias to an anchor not yet complete (a cycle).

use saphyr_parser::{Event, Parser, ScalarStyle};

/// Deeper than any cloud-config or k3s config (both are two or three levels).
pub const MAX_DEPTH: usize = 64;
/// Nodes after alias expansion, per text; 1 MB of plain YAML is far fewer.
pub const MAX_NODES: usize = 1 << 20;

#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    /// A scalar's text and whether it was plain (unquoted, not a block): only a plain scalar can
    /// be `null`, `true` or a number.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Yaml>),
    /// Entries in document order; keys are scalars' text (a collection as a key is an error).
    Map(Vec<(String, Yaml)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlError {
    /// Not YAML; the line of the error (its text is never quoted: user data holds secrets).
    Syntax {
        line: usize,
    },
    TooDeep,
    TooLarge,
    /// An alias to an unknown anchor, or to one that contains it.
    BadAlias,
    /// A mapping key that is not a scalar.
    ComplexKey,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            YamlError::Syntax { line } => write!(f, "not valid YAML at line {line}"),
            YamlError::TooDeep => write!(f, "YAML nested deeper than {MAX_DEPTH} levels"),
            YamlError::TooLarge => write!(f, "YAML of more than {MAX_NODES} nodes once its aliases are expanded"),
            YamlError::BadAlias => write!(f, "YAML alias to an unknown or enclosing anchor"),
            YamlError::ComplexKey => write!(f, "YAML mapping key that is not a scalar"),
        }
    }
}

impl Yaml {
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A scalar's text (quoted or not).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The value under YAML 1.2's core schema (what Terraform's `yamldecode` uses): plain `null`,
    /// `~` and empty are null, `true`/`false` booleans, integers and floats numbers, the rest
    /// strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Yaml::Scalar { text, plain: false } => J::String(text.clone()),
            Yaml::Scalar { text, plain: true } => core_schema(text),
            Yaml::Seq(items) => J::Array(items.iter().map(Yaml::to_json).collect()),
            Yaml::Map(entries) => {
                let mut m = serde_json::Map::new();
                for (k, v) in entries {
                    m.insert(k.clone(), v.to_json());
                }
                J::Object(m)
            }
        }
    }
}

fn core_schema(t: &str) -> serde_json::Value {
    use serde_json::Value as J;
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return J::Null,
        "true" | "True" | "TRUE" => return J::Bool(true),
        "false" | "False" | "FALSE" => return J::Bool(false),
        _ => {}
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits(unsigned) {
        if let Ok(n) = t.parse::<i64>() {
            return J::from(n);
        }
    }
    let float_like = unsigned.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && unsigned.bytes().any(|b| b.is_ascii_digit());
    if float_like {
        if let Some(n) = t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return J::Number(n);
        }
    }
    J::String(t.to_string())
}

/// A collection being built.
enum Open {
    Seq(Vec<Yaml>, usize),
    /// Entries, the key waiting for its value, and the anchor.
    Map(Vec<(String, Yaml)>, Option<String>, usize),
}

/// Every document of a YAML stream.
pub fn parse(text: &str) -> Result<Vec<Yaml>, YamlError> {
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // Anchors by id: complete nodes only (an alias inside its own anchor is a cycle).
    let mut anchors: Vec<Option<Yaml>> = Vec::new();
    let mut nodes = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError::Syntax { line: e.marker().line() })?;
        let _ = span;
        let node = match event {
            Event::SequenceStart(anchor, _) => {
                stack.push(Open::Seq(Vec::new(), anchor));
                if stack.len() > MAX_DEPTH {
                    return Err(YamlError::TooDeep);
                }
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Open::Map(Vec::new(), None, anchor));
                if stack.len() > MAX_DEPTH {
                    return Err(YamlError::TooDeep);
                }
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match stack.pop() {
                    Some(Open::Seq(items, a)) => (Yaml::Seq(items), a),
                    Some(Open::Map(entries, _, a)) => (Yaml::Map(entries), a),
                    None => return Err(YamlError::Syntax { line: 0 }),
                };
                remember(&mut anchors, anchor, &node);
                node
            }
            Event::Scalar(text, style, anchor, _) => {
                let node = Yaml::Scalar { text: text.into_owned(), plain: style == ScalarStyle::Plain };
                remember(&mut anchors, anchor, &node);
                node
            }
            Event::Alias(id) => {
                let node = anchors.get(id).and_then(Option::as_ref).ok_or(YamlError::BadAlias)?.clone();
                nodes = nodes.saturating_add(size(&node));
                node
            }
            _ => continue,
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(YamlError::TooLarge);
        }
        match stack.last_mut() {
            None => docs.push(node),
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(entries, key, _)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => match node {
                    Yaml::Scalar { text, .. } => *key = Some(text),
                    _ => return Err(YamlError::ComplexKey),
                },
            },
        }
    }
    Ok(docs)
}

fn remember(anchors: &mut Vec<Option<Yaml>>, anchor: usize, node: &Yaml) {
    if anchor == 0 {
        return;
    }
    if anchors.len() <= anchor {
        anchors.resize(anchor + 1, None);
    }
    anchors[anchor] = Some(node.clone());
}

/// Nodes in a tree, counted without recursion.
fn size(node: &Yaml) -> usize {
    let mut n = 0;
    let mut todo = vec![node];
    while let Some(x) = todo.pop() {
        n += 1;
        match x {
            Yaml::Seq(items) => todo.extend(items),
            Yaml::Map(entries) => todo.extend(entries.iter().map(|(_, v)| v)),
            Yaml::Scalar { .. } => {}
        }
        if n > MAX_NODES {
            break;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Yaml {
        parse(text).unwrap().remove(0)
    }

    #[test]
    fn scalars_of_every_style() {
        let y = one("a: plain\nb: 'it''s'\nc: \"x\\ty\"\nd: |\n  l1\n  l2\ne: >-\n  f1\n  f2\nf: \"folded\n  over\\\n  lines\"\n");
        assert_eq!(y.get("a").unwrap().as_str(), Some("plain"));
        assert_eq!(y.get("b").unwrap().as_str(), Some("it's"));
        assert_eq!(y.get("c").unwrap().as_str(), Some("x\ty"));
        assert_eq!(y.get("d").unwrap().as_str(), Some("l1\nl2\n"));
        assert_eq!(y.get("e").unwrap().as_str(), Some("f1 f2"));
        assert_eq!(y.get("f").unwrap().as_str(), Some("folded overlines"));
    }

    #[test]
    fn core_schema_types_for_yamldecode() {
        let y = one("n: ~\nt: true\ni: -12\nf: 1.5\ns: '5'\nv: 1.0.0\n");
        assert_eq!(y.to_json(), serde_json::json!({"n": null, "t": true, "i": -12, "f": 1.5, "s": "5", "v": "1.0.0"}));
    }

    #[test]
    fn hostile_documents_are_errors() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&deep), Err(YamlError::TooDeep));
        // Billion laughs: each level doubles ten times.
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            laughs.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert_eq!(parse(&laughs), Err(YamlError::TooLarge));
        assert!(parse("a: *nothing\n").is_err(), "an alias to no anchor");
        assert_eq!(parse("? [a]\n: b\n"), Err(YamlError::ComplexKey));
        assert!(matches!(parse("a: \"unterminated\n"), Err(YamlError::Syntax { .. })));
    }
}
