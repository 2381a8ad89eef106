//! The Terraform configuration itself (SPEC §2, source 5), given with `--config DIR` or
//! `options.config` (`{path: text}`, paths relative to the root module): read the way Terraform
//! reads a module directory and evaluated per module instance (`eval`).
//!
//! Read: `*.tf` (hcl-edit, which keeps positions) and `*.tf.json` (whose strings are templates:
//! `"${var.x}"` is an expression), each directory a module; `override.tf`, `*_override.tf` and
//! their `.tf.json` forms are merged after all other files of their directory, argument by
//! argument (Terraform's override rules), whatever their names sort to. Only what the checks need
//! is kept: `variable` blocks, `locals`, `module` calls.
//!
//! Without the `config` feature the types stay (a configuration is then never given) and the
//! reader and evaluator are left out of the build.
#![cfg_attr(not(feature = "config"), allow(dead_code, unused_imports))]

use std::collections::BTreeMap;

use hcl_edit::structure::{BlockLabel, Body, Structure};
use serde_json::Value as Json;

pub mod eval;
mod evaluator;
mod functions;

pub use evaluator::Texts;

pub use eval::Evaluated;

pub use crate::model::Pos;

/// An expression of the configuration with its position; an object constructor also keeps its
/// entries with their own positions (so each key of a map points at its own line).
#[derive(Clone, Debug)]
pub struct Expr {
    pub expr: hcl::Expression,
    pub pos: Pos,
    pub entries: Option<Vec<(String, Expr)>>,
    /// A function call's arguments with their positions (`merge({...}, {...})`).
    pub args: Vec<Expr>,
}

#[derive(Clone, Debug, Default)]
pub struct Variable {
    /// A literal (Terraform evaluates defaults without any context).
    pub default: Option<Expr>,
    pub sensitive: bool,
}

/// A `module "name" { ... }` block.
#[derive(Clone, Debug)]
pub struct Call {
    pub source: Option<String>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub args: BTreeMap<String, Expr>,
    pub pos: Pos,
}

/// One module directory as Terraform reads it.
#[derive(Clone, Debug, Default)]
pub struct Module {
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Expr>,
    pub calls: BTreeMap<String, Call>,
}

/// The configuration: modules by directory (`""` is the root module).
#[derive(Default, Debug)]
pub struct Configuration {
    pub modules: BTreeMap<String, Module>,
    /// Where `terraform init` put each module, by module key (`platform.k8s`): the module manifest
    /// `.terraform/modules/modules.json`, when it is among the files.
    pub module_dirs: BTreeMap<String, String>,
    /// `file:line:column: what` for files that do not parse (no text of the file is quoted).
    pub errors: Vec<String>,
    pub given: bool,
    /// Every file given, by normalised path, for `file()` and `templatefile()`.
    pub texts: Texts,
    /// `terraform.workspace` for this plan (`--workspace`, `TF_WORKSPACE`); unknown when absent.
    pub workspace: Option<String>,
}

pub const MANIFEST: &str = ".terraform/modules/modules.json";

pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn split_dir(path: &str) -> (String, String) {
    let n = normalize(path);
    match n.rfind('/') {
        Some(i) => (n[..i].to_string(), n[i + 1..].to_string()),
        None => (String::new(), n),
    }
}

/// Terraform's override files: `override.tf`, `*_override.tf`, and the same with `.tf.json`.
fn is_override(name: &str) -> bool {
    let stem = name.strip_suffix(".tf.json").or_else(|| name.strip_suffix(".tf")).unwrap_or(name);
    stem == "override" || stem.ends_with("_override")
}

#[derive(serde::Deserialize)]
struct Manifest {
    #[serde(rename = "Modules", default)]
    modules: Vec<ManifestEntry>,
}

#[derive(serde::Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Dir")]
    dir: String,
}

/// Byte offsets to 1-based line and column.
struct Lines<'t> {
    file: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(file: &'t str, text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Lines { file, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        Pos { file: self.file.to_string(), line, column: offset - self.starts[line - 1] + 1 }
    }
}

/// What one file declares, before the directory's files are merged.
#[derive(Default)]
struct FileDecls {
    variables: Vec<(String, Option<Expr>, Option<bool>)>,
    locals: Vec<(String, Expr)>,
    calls: Vec<(String, Call)>,
}

fn edit_expr(e: &hcl_edit::expr::Expression, lines: &Lines) -> Expr {
    use hcl_edit::Span;
    let pos = lines.pos(e.span().map(|r| r.start).unwrap_or(0));
    let entries = match e {
        hcl_edit::expr::Expression::Object(o) => {
            let mut v = Vec::new();
            for (k, val) in o.iter() {
                let key = match k {
                    hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                    hcl_edit::expr::ObjectKey::Expression(hcl_edit::expr::Expression::String(s)) => {
                        s.value().to_string()
                    }
                    // A computed key: the object is evaluated whole.
                    _ => {
                        v.clear();
                        break;
                    }
                };
                v.push((key, edit_expr(val.expr(), lines)));
            }
            (v.len() == o.len()).then_some(v)
        }
        hcl_edit::expr::Expression::Parenthesis(p) => return edit_expr(p.inner(), lines),
        _ => None,
    };
    let args = match e {
        hcl_edit::expr::Expression::FuncCall(f) => f.args.iter().map(|a| edit_expr(a, lines)).collect(),
        _ => Vec::new(),
    };
    Expr { expr: hcl::Expression::from(e.clone()), pos, entries, args }
}

fn label(l: &BlockLabel) -> String {
    match l {
        BlockLabel::Ident(i) => i.as_str().to_string(),
        BlockLabel::String(s) => s.value().to_string(),
    }
}

fn read_tf(body: &Body, lines: &Lines) -> FileDecls {
    let mut d = FileDecls::default();
    for s in body.iter() {
        let Structure::Block(b) = s else { continue };
        match b.ident.as_str() {
            "variable" => {
                let Some(name) = b.labels.first().map(label) else { continue };
                let mut default = None;
                let mut sensitive = None;
                for a in b.body.attributes() {
                    match a.key.as_str() {
                        "default" => default = Some(edit_expr(&a.value, lines)),
                        "sensitive" => {
                            sensitive = Some(matches!(&a.value, hcl_edit::expr::Expression::Bool(v) if *v.value()))
                        }
                        _ => {}
                    }
                }
                d.variables.push((name, default, sensitive));
            }
            "locals" => {
                for a in b.body.attributes() {
                    d.locals.push((a.key.as_str().to_string(), edit_expr(&a.value, lines)));
                }
            }
            "module" => {
                let Some(name) = b.labels.first().map(label) else { continue };
                let (mut source, mut count, mut for_each, mut args) = (None, None, None, BTreeMap::new());
                for a in b.body.attributes() {
                    match a.key.as_str() {
                        "source" => {
                            if let hcl_edit::expr::Expression::String(s) = &a.value {
                                source = Some(s.value().to_string());
                            }
                        }
                        "count" => count = Some(edit_expr(&a.value, lines)),
                        "for_each" => for_each = Some(edit_expr(&a.value, lines)),
                        "version" | "providers" | "depends_on" => {}
                        k => {
                            args.insert(k.to_string(), edit_expr(&a.value, lines));
                        }
                    }
                }
                use hcl_edit::Span;
                let pos = lines.pos(b.span().map(|r| r.start).unwrap_or(0));
                d.calls.push((name, Call { source, count, for_each, args, pos }));
            }
            _ => {}
        }
    }
    d
}

/// Positions in a `.tf.json` file: the first `"key"` after the previous one, for each key of a
/// path — JSON parsers do not keep positions, and the keys of one block are unique.
struct JsonText<'t> {
    text: &'t str,
    lines: Lines<'t>,
}

impl JsonText<'_> {
    fn pos(&self, path: &[&str]) -> Pos {
        let mut at = 0;
        for key in path {
            let needle = format!("{:?}", key);
            if let Some(i) = self.text[at..].find(&needle) {
                at += i;
            }
        }
        self.lines.pos(at)
    }
}

/// A JSON value of a `.tf.json` file in expression mode: strings are templates.
fn json_expr(v: &Json, src: &JsonText, path: &mut Vec<String>) -> Expr {
    let pos = src.pos(&path.iter().map(String::as_str).collect::<Vec<_>>());
    let (expr, entries) = match v {
        Json::Null => (hcl::Expression::Null, None),
        Json::Bool(b) => (hcl::Expression::Bool(*b), None),
        Json::Number(n) => (hcl::Expression::from(hcl::Value::from(n.as_f64().unwrap_or(0.0))), None),
        Json::String(s) if s.contains("${") || s.contains("%{") => {
            (hcl::Expression::TemplateExpr(Box::new(hcl::TemplateExpr::QuotedString(escape_quoted(s)))), None)
        }
        Json::String(s) => (hcl::Expression::String(s.clone()), None),
        Json::Array(a) => {
            let items = a.iter().map(|x| json_expr(x, src, path).expr).collect();
            (hcl::Expression::Array(items), None)
        }
        Json::Object(m) => {
            let mut entries = Vec::new();
            let mut obj = hcl::Object::new();
            for (k, x) in m.iter().filter(|(k, _)| k.as_str() != "//") {
                path.push(k.clone());
                let e = json_expr(x, src, path);
                path.pop();
                obj.insert(hcl::ObjectKey::Expression(hcl::Expression::String(k.clone())), e.expr.clone());
                entries.push((k.clone(), e));
            }
            (hcl::Expression::Object(obj), Some(entries))
        }
    };
    Expr { expr, pos, entries, args: Vec::new() }
}

/// A JSON string's text as the body of an HCL quoted template: the evaluator parses the quoted
/// form, so quotes, backslashes and newlines are escaped again.
fn escape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// A block type's value in JSON syntax: an object, or an array of objects.
fn json_blocks(v: Option<&Json>) -> Vec<&serde_json::Map<String, Json>> {
    match v {
        Some(Json::Object(m)) => vec![m],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_object).collect(),
        _ => Vec::new(),
    }
}

fn read_tf_json(doc: &Json, src: &JsonText) -> FileDecls {
    let mut d = FileDecls::default();
    let top = doc.as_object();
    let get = |k: &str| top.and_then(|t| t.get(k));
    for vars in json_blocks(get("variable")) {
        for (name, body) in vars {
            let default = body.get("default").map(|v| {
                // A default is a literal, even in JSON syntax.
                let pos = src.pos(&["variable", name, "default"]);
                Expr { expr: json_literal(v), pos, entries: None, args: Vec::new() }
            });
            d.variables.push((name.clone(), default, body.get("sensitive").and_then(Json::as_bool)));
        }
    }
    for locals in json_blocks(get("locals")) {
        for (name, v) in locals.iter().filter(|(k, _)| k.as_str() != "//") {
            d.locals.push((name.clone(), json_expr(v, src, &mut vec!["locals".into(), name.clone()])));
        }
    }
    for calls in json_blocks(get("module")) {
        for (name, body) in calls {
            let Some(body) = body.as_object() else { continue };
            let (mut source, mut count, mut for_each, mut args) = (None, None, None, BTreeMap::new());
            for (k, v) in body {
                let mut path = vec!["module".to_string(), name.clone(), k.clone()];
                match k.as_str() {
                    "source" => source = v.as_str().map(str::to_string),
                    "count" => count = Some(json_expr(v, src, &mut path)),
                    "for_each" => for_each = Some(json_expr(v, src, &mut path)),
                    "version" | "providers" | "depends_on" | "//" => {}
                    _ => {
                        args.insert(k.clone(), json_expr(v, src, &mut path));
                    }
                }
            }
            d.calls.push((name.clone(), Call { source, count, for_each, args, pos: src.pos(&["module", name]) }));
        }
    }
    d
}

fn json_literal(v: &Json) -> hcl::Expression {
    match v {
        Json::Null => hcl::Expression::Null,
        Json::Bool(b) => hcl::Expression::Bool(*b),
        Json::Number(n) => hcl::Expression::from(hcl::Value::from(n.as_f64().unwrap_or(0.0))),
        Json::String(s) => hcl::Expression::String(s.clone()),
        Json::Array(a) => hcl::Expression::Array(a.iter().map(json_literal).collect()),
        Json::Object(m) => hcl::Expression::Object(
            m.iter()
                .map(|(k, v)| (hcl::ObjectKey::Expression(hcl::Expression::String(k.clone())), json_literal(v)))
                .collect(),
        ),
    }
}

impl Module {
    /// Adds one file's declarations: a primary file adds, an override file merges into what is
    /// there argument by argument.
    fn add(&mut self, d: FileDecls, overriding: bool) {
        for (name, default, sensitive) in d.variables {
            let v = self.variables.entry(name).or_default();
            if default.is_some() || !overriding {
                v.default = default.or(v.default.take());
            }
            if let Some(s) = sensitive {
                v.sensitive = s;
            }
        }
        for (name, e) in d.locals {
            self.locals.insert(name, e);
        }
        for (name, new) in d.calls {
            match self.calls.get_mut(&name) {
                Some(c) if overriding => {
                    c.source = new.source.or(c.source.take());
                    c.count = new.count.or(c.count.take());
                    c.for_each = new.for_each.or(c.for_each.take());
                    c.args.extend(new.args);
                }
                _ => {
                    self.calls.insert(name, new);
                }
            }
        }
    }
}

impl Configuration {
    /// Reads the files given (`None`: a file that exists but was not read, e.g. too large).
    pub fn parse(given: &BTreeMap<String, Option<String>>) -> Configuration {
        let mut cfg = Configuration { given: true, ..Default::default() };
        cfg.texts = given.iter().map(|(p, t)| (normalize(p), t.clone())).collect();
        let files: BTreeMap<&String, &String> = given.iter().filter_map(|(p, t)| Some((p, t.as_ref()?))).collect();
        let files = &files;
        if let Some(text) = files.iter().find(|(p, _)| normalize(p) == MANIFEST).map(|(_, t)| *t) {
            match serde_json::from_str::<Manifest>(text) {
                Ok(m) => {
                    cfg.module_dirs = m
                        .modules
                        .into_iter()
                        .filter(|e| !e.dir.starts_with(['/', '\\']) && !e.dir.contains(':'))
                        .map(|e| (e.key, normalize(&e.dir)))
                        .collect()
                }
                Err(_) => cfg.errors.push(format!("{MANIFEST}: not a Terraform module manifest")),
            }
        }
        // Primary files in name order, then the override files, per directory.
        let mut ordered: Vec<(bool, String, &String, &String)> = files
            .iter()
            .filter(|(p, _)| p.ends_with(".tf") || p.ends_with(".tf.json"))
            .filter(|(p, _)| normalize(p) != MANIFEST)
            .map(|(p, t)| (is_override(&split_dir(p).1), split_dir(p).0, *p, *t))
            .collect();
        ordered.sort_by(|a, b| (a.1.as_str(), a.0, a.2).cmp(&(b.1.as_str(), b.0, b.2)));
        for (overriding, dir, path, text) in ordered {
            let lines = Lines::new(path, text);
            let decls = if path.ends_with(".tf.json") {
                match serde_json::from_str::<Json>(text) {
                    Ok(doc) => read_tf_json(&doc, &JsonText { text, lines }),
                    Err(e) => {
                        cfg.errors.push(format!("{path}:{}:{}: cannot parse: not valid JSON", e.line(), e.column()));
                        continue;
                    }
                }
            } else {
                match hcl_edit::parser::parse_body(text) {
                    Ok(body) => read_tf(&body, &lines),
                    Err(e) => {
                        let loc = e.location();
                        let what =
                            e.message().lines().next().unwrap_or("syntax error").chars().take(120).collect::<String>();
                        cfg.errors.push(format!("{path}:{}:{}: cannot parse: {what}", loc.line(), loc.column()));
                        continue;
                    }
                }
            };
            cfg.modules.entry(dir).or_default().add(decls, overriding);
        }
        cfg
    }

    /// The directory of the module that the call at `path` (module keys, `["platform", "k8s"]`)
    /// instantiates: where `terraform init` put it, else its local source from its caller's
    /// directory.
    pub fn module_dir(&self, path: &[String]) -> Option<String> {
        if path.is_empty() {
            return Some(String::new());
        }
        if let Some(d) = self.module_dirs.get(&path.join(".")) {
            return Some(d.clone());
        }
        let caller = self.module_dir(&path[..path.len() - 1])?;
        let call = self.modules.get(&caller)?.calls.get(path.last()?)?;
        let source = call.source.as_deref().filter(|s| s.starts_with("./") || s.starts_with("../"))?;
        Some(normalize(&format!("{caller}/{source}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(files: &[(&str, &str)]) -> Configuration {
        Configuration::parse(&files.iter().map(|(p, t)| (p.to_string(), Some(t.to_string()))).collect())
    }

    #[test]
    fn overrides_merge_argument_by_argument_after_the_other_files() {
        // `a_override.tf` sorts before `main.tf`, but is applied after it.
        let c = parse(&[
            ("a_override.tf", "module \"k8s\" {\n  cluster_token = var.other\n}\n"),
            (
                "main.tf",
                "module \"k8s\" {\n  source = \"./m\"\n  cluster_token = var.t\n  etcd_backup = { s3 = \"true\" }\n}\n",
            ),
            ("override.tf.json", r#"{"variable": {"t": {"sensitive": true}}}"#),
            ("vars.tf", "variable \"t\" {\n  default = \"x\"\n}\n"),
        ]);
        let k8s = &c.modules[""].calls["k8s"];
        assert_eq!(k8s.source.as_deref(), Some("./m"));
        assert_eq!(k8s.args["cluster_token"].pos, Pos { file: "a_override.tf".into(), line: 2, column: 19 });
        assert_eq!(k8s.args["etcd_backup"].pos.file, "main.tf");
        assert!(c.modules[""].variables["t"].sensitive && c.modules[""].variables["t"].default.is_some());
    }

    #[test]
    fn tf_json_strings_are_templates_with_positions() {
        let c = parse(&[(
            "main.tf.json",
            "{\n  \"module\": {\n    \"k8s\": {\n      \"source\": \"./m\",\n      \"etcd_backup\": {\n        \"s3-bucket\": \"${var.b}\",\n        \"s3\": \"true\"\n      }\n    }\n  }\n}\n",
        )]);
        let e = &c.modules[""].calls["k8s"].args["etcd_backup"];
        let entries = e.entries.as_ref().unwrap();
        assert!(matches!(entries[0].1.expr, hcl::Expression::TemplateExpr(_)));
        assert_eq!(entries[0].1.pos.line, 6);
        assert_eq!(entries[1].1.expr, hcl::Expression::String("true".into()));
    }

    #[test]
    fn unparsable_files_are_errors_without_their_text() {
        let c =
            parse(&[("main.tf", "module \"k8s\" {\n  etcd_backup = { s3-secret-key = \"SECRET\n"), ("x.tf.json", "{")]);
        assert_eq!(c.errors.len(), 2);
        assert!(c.errors.iter().all(|e| !e.contains("SECRET")), "{:?}", c.errors);
    }
}
