//! The Terraform configuration itself (SPEC §2, source 5): the `.tf` files of the root module and
//! of the local modules under it, given with `--config DIR` or `options.config` (`{path: text}`,
//! paths relative to the root module). The plan JSON loses the literal keys of an `etcd_backup`
//! map that mixes literals and references; the files still have them.
//!
//! Evaluated: object constructors, `merge(...)` of them and of whole variables, literals, `var.X`
//! (followed up by the resolver) and literal `local.X` (from the same module's files). Anything
//! else is unknown — never guessed.

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use serde_json::Value as Json;

/// An expression's value as far as the files tell it.
#[derive(Clone, Debug, PartialEq)]
pub enum Eval {
    Literal(Json),
    /// From a root variable: its name (the value comes from the plan).
    Var(String),
    Unknown,
}

/// A scalar or map value found in the files, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub eval: Eval,
    pub file: String,
    pub line: usize,
}

/// What the files say about one input of a module call.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// An object whose keys are all known; values may be unknown.
    Map(BTreeMap<String, Located>),
    /// A single value (`var.X`, a literal, `null`).
    Value(Located),
    /// `merge(...)` of maps and whole variables (`merge(var.defaults, { s3-bucket = "x" })`), in
    /// order: each part a `Map` or a `Value` holding `var.X`; later keys win.
    Merged(Vec<Input>),
    /// Something the files cannot tell (a conditional, a for expression, a computed key).
    Opaque,
}

/// A `module "name" { ... }` block: what it passes to each input.
#[derive(Default, Debug)]
pub struct ModuleBlock {
    pub inputs: BTreeMap<String, Input>,
}

/// The modules as the `.tf` files describe them.
#[derive(Default, Debug)]
pub struct Config {
    /// Module blocks by (directory of the module they are written in, call name); the root
    /// module's directory is `""`.
    pub modules: BTreeMap<(String, String), ModuleBlock>,
    /// Where `terraform init` put each module, by module key (`platform.k8s`): the module manifest
    /// `.terraform/modules/modules.json`, when it is among the files.
    pub module_dirs: BTreeMap<String, String>,
    /// `file:line:column: what` for files that do not parse (no text of the file is quoted).
    pub errors: Vec<String>,
    pub given: bool,
}

struct Source<'s> {
    file: &'s str,
    text: &'s str,
}

impl Source<'_> {
    fn line_of(&self, span: Option<std::ops::Range<usize>>) -> usize {
        let at = span.map(|r| r.start).unwrap_or(0).min(self.text.len());
        self.text.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1
    }
}

fn ident_path(e: &Expression) -> Option<Vec<String>> {
    match e {
        Expression::Variable(v) => Some(vec![v.as_str().to_string()]),
        Expression::Traversal(t) => {
            let mut p = ident_path(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(a) => p.push(a.as_str().to_string()),
                    _ => return None,
                }
            }
            Some(p)
        }
        Expression::Parenthesis(p) => ident_path(p.inner()),
        _ => None,
    }
}

/// `local.X` → its expression, and the file (path, text) it is written in.
type Locals<'s> = BTreeMap<String, (Expression, &'s str, &'s str)>;

fn scalar(e: &Expression, src: &Source, locals: &Locals<'_>, depth: usize) -> Located {
    let here = |eval| Located { eval, file: src.file.to_string(), line: src.line_of(e.span()) };
    match e {
        Expression::String(s) => here(Eval::Literal(Json::String(s.value().to_string()))),
        Expression::Bool(b) => here(Eval::Literal(Json::String(b.value().to_string()))),
        Expression::Number(n) => here(Eval::Literal(Json::String(n.value().to_string()))),
        Expression::Null(_) => here(Eval::Literal(Json::Null)),
        Expression::Parenthesis(p) => scalar(p.inner(), src, locals, depth + 1),
        _ => match ident_path(e).as_deref() {
            Some([v, name]) if v == "var" => here(Eval::Var(name.clone())),
            Some([l, name]) if l == "local" && depth < 8 => match locals.get(name) {
                Some((expr, file, text)) => scalar(expr, &Source { file, text }, locals, depth + 1),
                None => here(Eval::Unknown),
            },
            _ => here(Eval::Unknown),
        },
    }
}

fn object_key(k: &ObjectKey) -> Option<String> {
    match k {
        ObjectKey::Ident(i) => Some(i.as_str().to_string()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().to_string()),
        _ => None,
    }
}

fn input(e: &Expression, src: &Source, locals: &Locals<'_>, depth: usize) -> Input {
    if depth > 8 {
        return Input::Opaque;
    }
    match e {
        Expression::Object(o) => {
            let mut keys = BTreeMap::new();
            for (k, v) in o.iter() {
                let Some(name) = object_key(k) else { return Input::Opaque };
                keys.insert(name, scalar(v.expr(), src, locals, depth + 1));
            }
            Input::Map(keys)
        }
        Expression::Parenthesis(p) => input(p.inner(), src, locals, depth + 1),
        Expression::FuncCall(f) if f.name.namespace.is_empty() && f.name.name.as_str() == "merge" => {
            let mut parts: Vec<Input> = Vec::new();
            for arg in f.args.iter() {
                match input(arg, src, locals, depth + 1) {
                    Input::Map(m) => match parts.last_mut() {
                        Some(Input::Map(keys)) => keys.extend(m),
                        _ => parts.push(Input::Map(m)),
                    },
                    Input::Value(Located { eval: Eval::Literal(Json::Null), .. }) => {}
                    v @ Input::Value(Located { eval: Eval::Var(_), .. }) => parts.push(v),
                    Input::Merged(inner) => parts.extend(inner),
                    _ => return Input::Opaque,
                }
            }
            match parts.as_slice() {
                [] => Input::Map(BTreeMap::new()),
                [Input::Map(_)] => parts.pop().expect("one part"),
                _ => Input::Merged(parts),
            }
        }
        _ => match ident_path(e).as_deref() {
            Some([l, name]) if l == "local" => match locals.get(name) {
                Some((expr, file, text)) => input(expr, &Source { file, text }, locals, depth + 1),
                None => Input::Opaque,
            },
            _ => {
                let s = scalar(e, src, locals, depth + 1);
                if s.eval == Eval::Unknown {
                    Input::Opaque
                } else {
                    Input::Value(s)
                }
            }
        },
    }
}

/// `a/./b/../c` → `a/c`, with `/` separators; a path that climbs out of the root keeps its `..`.
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

/// The directory of a file path given in `files`, normalized (`""` for the root module).
fn dir_of(path: &str) -> String {
    let n = normalize(path);
    match n.rfind('/') {
        Some(i) => n[..i].to_string(),
        None => String::new(),
    }
}

/// The module manifest `terraform init` writes (Terraform `internal/modsdir`): where each module
/// of the configuration is, relative to the root module — also the ones from remote sources.
pub const MANIFEST: &str = ".terraform/modules/modules.json";

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

impl Config {
    /// Parses the given files; `files` maps a path relative to the root module to its text. Only
    /// `.tf` files count; each directory is one module.
    pub fn parse(files: &BTreeMap<String, String>) -> Config {
        let mut cfg = Config { given: true, ..Default::default() };
        if let Some(text) = files.iter().find(|(p, _)| normalize(p) == MANIFEST).map(|(_, t)| t) {
            match serde_json::from_str::<Manifest>(text) {
                // An absolute Dir (TF_DATA_DIR elsewhere) is not among the files given by relative path.
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
        let mut bodies: Vec<(&str, &str, String, Body)> = Vec::new();
        for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".tf")) {
            match hcl_edit::parser::parse_body(text) {
                Ok(body) => bodies.push((path, text, dir_of(path), body)),
                Err(e) => {
                    let loc = e.location();
                    // Only the parser's own words: the offending line could hold a secret.
                    let what =
                        e.message().lines().next().unwrap_or("syntax error").chars().take(120).collect::<String>();
                    cfg.errors.push(format!("{path}:{}:{}: cannot parse: {what}", loc.line(), loc.column()));
                }
            }
        }
        // Locals first: module inputs may use them, in any file of the same module.
        let mut locals: BTreeMap<&str, Locals> = BTreeMap::new();
        for (path, text, dir, body) in &bodies {
            for s in body.iter() {
                if let Structure::Block(b) = s {
                    if b.ident.as_str() == "locals" {
                        for attr in b.body.attributes() {
                            locals
                                .entry(dir.as_str())
                                .or_default()
                                .insert(attr.key.as_str().to_string(), (attr.value.clone(), *path, *text));
                        }
                    }
                }
            }
        }
        let none = Locals::new();
        for (path, text, dir, body) in &bodies {
            let src = Source { file: path, text };
            let locals = locals.get(dir.as_str()).unwrap_or(&none);
            for s in body.iter() {
                let Structure::Block(b) = s else { continue };
                if b.ident.as_str() != "module" {
                    continue;
                }
                let Some(name) = b.labels.first().map(|l| match l {
                    hcl_edit::structure::BlockLabel::Ident(i) => i.as_str().to_string(),
                    hcl_edit::structure::BlockLabel::String(s) => s.value().to_string(),
                }) else {
                    continue;
                };
                let mut block = ModuleBlock::default();
                for attr in b.body.attributes() {
                    // Every input: a wrapper's `var.X` is whatever its caller passes as X.
                    block.inputs.insert(attr.key.as_str().to_string(), input(&attr.value, &src, locals, 0));
                }
                cfg.modules.insert((dir.clone(), name), block);
            }
        }
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k8s() -> (String, String) {
        (String::new(), "k8s".to_string())
    }

    fn parse(text: &str) -> Config {
        Config::parse(&BTreeMap::from([("main.tf".to_string(), text.to_string())]))
    }

    #[test]
    fn mixed_map_with_merge_locals_and_vars() {
        let c = parse(
            r#"
locals {
  region = "eu-west-1"
}

module "k8s" {
  source = "x"
  etcd_backup = merge({
    s3          = true
    s3-endpoint = "s3.amazonaws.com"
    "s3-folder" = "f"
  }, {
    s3-region     = local.region
    s3-secret-key = var.secret
    s3-bucket     = "${var.prefix}-etcd"
  })
  cluster_token = var.token
}
"#,
        );
        let Input::Map(m) = &c.modules[&k8s()].inputs["etcd_backup"] else { panic!("{c:?}") };
        assert_eq!(m["s3"].eval, Eval::Literal(Json::String("true".into())));
        assert_eq!(m["s3"].line, 9);
        assert_eq!(m["s3-region"].eval, Eval::Literal(Json::String("eu-west-1".into())));
        assert_eq!(m["s3-region"].line, 3);
        assert_eq!(m["s3-secret-key"].eval, Eval::Var("secret".into()));
        assert_eq!(m["s3-bucket"].eval, Eval::Unknown);
        assert_eq!(m.len(), 6);
        assert_eq!(
            c.modules[&k8s()].inputs["cluster_token"],
            Input::Value(Located { eval: Eval::Var("token".into()), file: "main.tf".into(), line: 17 })
        );
    }

    #[test]
    fn merge_with_a_whole_variable_keeps_its_parts_in_order() {
        let c = parse("module \"k8s\" {\n  etcd_backup = merge(var.defaults, { s3-bucket = \"b\" }, null)\n}\n");
        let Input::Merged(parts) = &c.modules[&k8s()].inputs["etcd_backup"] else { panic!("{c:?}") };
        assert!(matches!(&parts[0], Input::Value(Located { eval: Eval::Var(v), .. }) if v == "defaults"));
        let Input::Map(m) = &parts[1] else { panic!("{parts:?}") };
        assert_eq!(m["s3-bucket"].eval, Eval::Literal(Json::String("b".into())));
        assert_eq!(parts.len(), 2);
        let c = parse("module \"k8s\" {\n  etcd_backup = merge(var.a.b, {})\n}\n");
        assert_eq!(c.modules[&k8s()].inputs["etcd_backup"], Input::Opaque);
    }

    #[test]
    fn modules_are_keyed_by_directory_with_their_own_locals() {
        let files = BTreeMap::from([
            (
                "main.tf".to_string(),
                "locals {\n  f = \"root\"\n}\nmodule \"p\" {\n  source = \"./platform\"\n}\n".into(),
            ),
            (
                "./platform/main.tf".to_string(),
                "module \"k8s\" {\n  etcd_backup = { s3-folder = local.f }\n}\n".to_string(),
            ),
        ]);
        let c = Config::parse(&files);
        let Input::Map(m) = &c.modules[&("platform".to_string(), "k8s".to_string())].inputs["etcd_backup"] else {
            panic!("{c:?}")
        };
        assert_eq!(m["s3-folder"].eval, Eval::Unknown, "the root's locals are not the wrapper's");
        assert_eq!(m["s3-folder"].file, "./platform/main.tf");
        assert!(c.modules.contains_key(&(String::new(), "p".to_string())));
        assert_eq!(normalize("envs/prod/../../modules/./k3s"), "modules/k3s");
        assert_eq!(normalize("../x"), "../x");
    }

    #[test]
    fn the_module_manifest_places_modules_and_a_broken_one_is_reported() {
        let manifest = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"p","Source":"git::x","Dir":".terraform/modules/p"},
            {"Key":"q","Source":"git::y","Dir":"/elsewhere/.terraform/modules/q"}]}"#;
        let files = BTreeMap::from([(MANIFEST.to_string(), manifest.to_string())]);
        let c = Config::parse(&files);
        assert_eq!(c.module_dirs["p"], ".terraform/modules/p");
        assert_eq!(c.module_dirs[""], "");
        assert!(!c.module_dirs.contains_key("q"), "an absolute Dir is not among the files");
        let c = Config::parse(&BTreeMap::from([(MANIFEST.to_string(), "[1,".to_string())]));
        assert_eq!(c.errors, vec![format!("{MANIFEST}: not a Terraform module manifest")]);
    }

    #[test]
    fn conditionals_are_opaque_and_errors_are_reported_without_text() {
        let c = parse("module \"k8s\" {\n  etcd_backup = var.on ? { s3 = \"true\" } : null\n}\n");
        assert_eq!(c.modules[&k8s()].inputs["etcd_backup"], Input::Opaque);
        let bad = parse("module \"k8s\" {\n  etcd_backup = { s3-secret-key = \"SUPERSECRET\" \n");
        assert_eq!(bad.errors.len(), 1);
        assert!(bad.errors[0].starts_with("main.tf:"), "{}", bad.errors[0]);
        assert!(!bad.errors[0].contains("SUPERSECRET"));
    }
}
