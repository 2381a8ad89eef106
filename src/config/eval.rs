//! Evaluating the configuration per module instance, the way Terraform does (SPEC §2, source 5):
//! from the root module down the chain of calls to a cluster, each instance with its `each.key`,
//! `each.value` or `count.index`, `var.X` from the plan's root variables (else the declared
//! default) or from the caller's arguments, `local.X` (locals from locals), templates,
//! conditionals, `for` expressions and the functions of `functions.rs` — with hcl-rs's evaluator.
//!
//! Anything that depends on a resource, a data source, another module's output or a function
//! not declared here is *unknown*: before evaluation such a reference is replaced by a marker
//! that survives string functions and templates, and a value holding it is unknown — never a
//! guess. Where a value came from (its provenance) is found by following bare `var.X` and
//! `local.X` references to the expression that wrote it.

use std::collections::{BTreeMap, BTreeSet};

use hcl::expr::TraversalOperator;
use hcl::{Expression as E, Map, Value};

use super::evaluator::{evaluate, Env, Names, Shared, UNKNOWN};
pub use super::evaluator::{is_unknown, unknown_in, Unknown};
use super::functions::json_to_value;
use super::{Configuration, Expr, Module, Pos};
use crate::address::Step;
use crate::error::Error;
use crate::plan::Plan;
use serde_json::Value as Json;

/// Locals may refer to locals: rounds of evaluation before the rest counts as unknown.
const MAX_LOCAL_ROUNDS: usize = 16;
/// How deep bare references are followed for provenance.
const MAX_ORIGIN_DEPTH: usize = 32;

/// Where a value of the configuration came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written at this position as a literal.
    At(Pos),
    /// Computed at this position from references (variables, locals, instance values): not a
    /// literal, and which reference gave it cannot be told.
    Computed(Pos),
    /// A root variable, whose value is the plan's.
    Root { name: String, sensitive: bool },
}

/// A value the configuration gives, with its origin and whether it is sensitive.
#[derive(Clone, Debug)]
pub struct Found {
    /// `None` when unknown until apply.
    pub value: Option<Value>,
    pub origin: Origin,
    pub sensitive: bool,
    /// Why it is unknown, when it is.
    pub unknown: Option<Unknown>,
}

/// What the configuration says about one instance of a cluster call.
#[derive(Debug)]
pub struct Evaluated {
    /// The `etcd_backup` map key by key (`None`: the argument is absent; `Some(None)`: not even
    /// the set of keys can be told), and where the argument is written.
    pub backup: Option<Option<BTreeMap<String, Found>>>,
    pub backup_null: bool,
    /// The argument evaluated whole: the text of a `yaml` or `flags` input, or the value a
    /// profile's `path` selects in.
    pub whole: Option<Found>,
    pub token: Option<Found>,
    /// The module block of the cluster call.
    pub block: Pos,
    /// The `etcd_backup` argument, when written.
    pub backup_at: Option<Pos>,
    /// The `cluster_token` argument, when written.
    pub token_at: Option<Pos>,
}

/// How a variable of a module instance got its value.
#[derive(Clone)]
enum VarSource<'c> {
    Root {
        name: String,
        sensitive: bool,
    },
    /// An argument of the caller's block, evaluated in the caller's scope (the level above).
    Arg(&'c Expr),
    Default(&'c Expr),
    Unset,
}

/// One module instance: its variables, locals and the instance values of the call it makes.
struct Scope<'c> {
    module: &'c Module,
    vars: Map<String, Value>,
    sources: BTreeMap<String, VarSource<'c>>,
    sensitive: BTreeSet<String>,
    locals: Map<String, Value>,
    /// `each`/`count` of the call evaluated at this level.
    each: Option<(Value, Value)>,
    count: Option<u64>,
    /// The module's directory (`path.module`), relative to the root module's.
    dir: String,
}

impl Scope<'_> {
    fn names(&self) -> Names<'_> {
        Names { vars: &self.vars, locals: &self.locals, each: self.each.as_ref(), count: self.count, dir: &self.dir }
    }
}

/// Calls `f` on `e` and every expression inside it, templates included.
fn visit(e: &E, f: &mut dyn FnMut(&E)) {
    f(e);
    match e {
        E::Array(a) => a.iter().for_each(|x| visit(x, f)),
        E::Object(o) => o.iter().for_each(|(k, v)| {
            if let hcl::ObjectKey::Expression(k) = k {
                visit(k, f);
            }
            visit(v, f)
        }),
        E::Parenthesis(p) => visit(p, f),
        E::FuncCall(c) => c.args.iter().for_each(|x| visit(x, f)),
        E::Conditional(c) => [&c.cond_expr, &c.true_expr, &c.false_expr].into_iter().for_each(|x| visit(x, f)),
        E::Operation(o) => match &**o {
            hcl::expr::Operation::Unary(u) => visit(&u.expr, f),
            hcl::expr::Operation::Binary(b) => {
                visit(&b.lhs_expr, f);
                visit(&b.rhs_expr, f);
            }
        },
        E::Traversal(t) => {
            visit(&t.expr, f);
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op {
                    visit(i, f);
                }
            }
        }
        E::ForExpr(x) => {
            visit(&x.collection_expr, f);
            if let Some(k) = &x.key_expr {
                visit(k, f);
            }
            visit(&x.value_expr, f);
            if let Some(c) = &x.cond_expr {
                visit(c, f);
            }
        }
        E::TemplateExpr(t) => {
            use hcl::template::{Directive, Element};
            fn walk(t: &hcl::Template, f: &mut dyn FnMut(&E)) {
                for el in t.elements() {
                    match el {
                        Element::Literal(_) => {}
                        Element::Interpolation(i) => visit(&i.expr, f),
                        Element::Directive(d) => match &**d {
                            Directive::If(i) => {
                                visit(&i.cond_expr, f);
                                walk(&i.true_template, f);
                                if let Some(e) = &i.false_template {
                                    walk(e, f);
                                }
                            }
                            Directive::For(d) => {
                                visit(&d.collection_expr, f);
                                walk(&d.template, f);
                            }
                        },
                    }
                }
            }
            if let Ok(tpl) = hcl::Template::from_expr(t) {
                walk(&tpl, f);
            }
        }
        _ => {}
    }
}

/// What a `map(string)` input receives for a value: Terraform's conversion to a string.
pub use super::evaluator::string_of as module_string;

/// `var.X` or `local.X` exactly — also as the only interpolation of a template, `"${var.X}"`
/// (how `.tf.json` files write references).
fn bare_reference(e: &E) -> Option<(String, String)> {
    match e {
        E::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
            (E::Variable(v), [TraversalOperator::GetAttr(a)]) if matches!(v.as_str(), "var" | "local") => {
                Some((v.to_string(), a.to_string()))
            }
            _ => None,
        },
        E::Parenthesis(p) => bare_reference(p),
        E::TemplateExpr(t) => {
            let tpl = hcl::Template::from_expr(t).ok()?;
            match tpl.elements() {
                [hcl::template::Element::Interpolation(i)] => bare_reference(&i.expr),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The names of the variables an expression refers to (for sensitivity), through templates.
fn referenced(e: &E, out: &mut BTreeSet<(String, String)>) {
    visit(e, &mut |x| {
        if let E::Traversal(t) = x {
            if let (E::Variable(v), Some(TraversalOperator::GetAttr(a))) = (&t.expr, t.operators.first()) {
                out.insert((v.to_string(), a.to_string()));
            }
        }
    });
}

/// A literal written at `pos`, or a value computed there from references.
fn written(e: &E, pos: &Pos) -> Origin {
    let mut refs = BTreeSet::new();
    referenced(e, &mut refs);
    let mut any = !refs.is_empty();
    visit(e, &mut |x| any |= matches!(x, E::Variable(_) | E::ForExpr(_)));
    if any {
        Origin::Computed(pos.clone())
    } else {
        Origin::At(pos.clone())
    }
}

/// The chain of module instances from the root to the cluster call.
struct Chain<'c> {
    scopes: Vec<Scope<'c>>,
    shared: &'c Shared<'c>,
}

impl<'c> Chain<'c> {
    /// Whether an expression at `level` depends on a sensitive variable (through locals too).
    fn sensitive(&self, level: usize, e: &E, depth: usize) -> bool {
        if depth > MAX_ORIGIN_DEPTH {
            return true;
        }
        let mut refs = BTreeSet::new();
        referenced(e, &mut refs);
        let s = &self.scopes[level];
        refs.iter().any(|(kind, name)| match kind.as_str() {
            "var" => s.sensitive.contains(name),
            "local" => s.module.locals.get(name).is_some_and(|l| self.sensitive(level, &l.expr, depth + 1)),
            _ => false,
        })
    }

    /// Where the value of `e` (written at `pos`, evaluated at `level`) came from.
    fn origin(&self, level: usize, e: &E, pos: &Pos, depth: usize) -> Origin {
        if depth > MAX_ORIGIN_DEPTH {
            return Origin::At(pos.clone());
        }
        let s = &self.scopes[level];
        let reference = bare_reference(e);
        match reference.as_ref().map(|(k, n)| (k.as_str(), n.as_str())) {
            Some(("local", name)) => match s.module.locals.get(name) {
                Some(l) => self.origin(level, &l.expr, &l.pos, depth + 1),
                None => Origin::At(pos.clone()),
            },
            Some(("var", name)) => match s.sources.get(name) {
                Some(VarSource::Root { name, sensitive }) => Origin::Root { name: name.clone(), sensitive: *sensitive },
                Some(VarSource::Arg(a)) if level > 0 => self.origin(level - 1, &a.expr, &a.pos, depth + 1),
                Some(VarSource::Default(d)) => Origin::At(d.pos.clone()),
                _ => Origin::At(pos.clone()),
            },
            _ => written(e, pos),
        }
    }

    /// The origin of one key of a map-valued expression, and whether the expression that gives
    /// it is sensitive: the entry of an object constructor that sets it, followed through bare
    /// references and `merge(...)` (the last argument that has the key wins, as in Terraform).
    fn key_origin(&self, level: usize, e: &Expr, key: &str, depth: usize) -> Option<(Origin, bool)> {
        if depth > MAX_ORIGIN_DEPTH {
            return None;
        }
        if let Some(entries) = &e.entries {
            let (_, v) = entries.iter().rev().find(|(k, _)| k == key)?;
            return Some((self.origin(level, &v.expr, &v.pos, depth + 1), self.sensitive(level, &v.expr, 0)));
        }
        let s = &self.scopes[level];
        let reference = bare_reference(&e.expr);
        match reference.as_ref().map(|(k, n)| (k.as_str(), n.as_str())) {
            Some(("local", name)) => return self.key_origin(level, s.module.locals.get(name)?, key, depth + 1),
            Some(("var", name)) => {
                return match s.sources.get(name)? {
                    VarSource::Root { name: n, sensitive } => {
                        s.vars.get(name)?.as_object()?.get(key)?;
                        Some((Origin::Root { name: n.clone(), sensitive: *sensitive }, *sensitive))
                    }
                    VarSource::Arg(a) if level > 0 => self.key_origin(level - 1, a, key, depth + 1),
                    VarSource::Default(d) => Some((Origin::At(d.pos.clone()), s.sensitive.contains(name))),
                    _ => None,
                }
            }
            _ => {}
        }
        if matches!(&e.expr, E::FuncCall(f) if f.name.name.as_str() == "merge") {
            let names = s.names();
            let env = Env::new(&names, self.shared);
            for arg in e.args.iter().rev() {
                let has =
                    evaluate(&arg.expr, &env).as_ref().and_then(Value::as_object).is_some_and(|m| m.contains_key(key));
                if has {
                    return self.key_origin(level, arg, key, depth + 1);
                }
            }
        }
        Some((written(&e.expr, &e.pos), self.sensitive(level, &e.expr, 0)))
    }
}

/// `each.key`/`each.value` and `count.index` of one instance.
type InstanceValues = (Option<(Value, Value)>, Option<u64>);

/// The instance values (`each`, `count`) of the call `call` at one of its plan instances.
fn instance(
    call: &super::Call,
    scope: &Scope,
    shared: &Shared,
    key: Option<&str>,
    path: &str,
) -> Result<InstanceValues, Error> {
    let mismatch = |why: String| Error::ConfigMismatch { plan: shared.plan.clone(), why };
    let names = scope.names();
    let env = Env::new(&names, shared);
    if let Some(fe) = &call.for_each {
        let Some(k) = key else {
            return Err(mismatch(format!(
                "module.{path} has for_each in the configuration but a single instance in the plan"
            )));
        };
        return Ok(match evaluate(&fe.expr, &env) {
            Some(v) if !is_unknown(&v) => {
                let found = match &v {
                    Value::Object(m) => m.get(k).map(|x| (Value::from(k), x.clone())),
                    Value::Array(a) => {
                        a.iter().find(|x| module_string(x).as_deref() == Some(k)).map(|x| (x.clone(), x.clone()))
                    }
                    _ => None,
                };
                match found {
                    Some(each) => (Some(each), None),
                    None => {
                        return Err(mismatch(format!(
                            "module.{path}[{k:?}] is in the plan, but the configuration's for_each has no such key"
                        )))
                    }
                }
            }
            // Keys unknown at plan time: each.value is unknown (and why).
            v => {
                let why = v.as_ref().and_then(unknown_in).unwrap_or(Unknown::Apply);
                (Some((Value::from(k), marker(why))), None)
            }
        });
    }
    if let Some(ce) = &call.count {
        let Some(i) = key.and_then(|k| k.parse::<u64>().ok()) else {
            return Err(mismatch(format!("module.{path} has count in the configuration but no index in the plan")));
        };
        if let Some(Value::Number(n)) = evaluate(&ce.expr, &env) {
            if n.as_u64().is_some_and(|n| i >= n) {
                return Err(mismatch(format!(
                    "module.{path}[{i}] is in the plan, but the configuration's count is {n}"
                )));
            }
        }
        return Ok((None, Some(i)));
    }
    if key.is_some() {
        return Err(mismatch(format!(
            "module.{path} has instance keys in the plan, but neither for_each nor count in the configuration"
        )));
    }
    Ok((None, None))
}

/// An instance key as the address writes it (`"prod"`, `0`) to the key itself.
fn instance_key(raw: &str) -> String {
    serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string())
}

fn locals(module: &Module, scope: &mut Scope, shared: &Shared) {
    let mut pending: Vec<(&String, &Expr)> = module.locals.iter().collect();
    for _ in 0..MAX_LOCAL_ROUNDS {
        let before = pending.len();
        let mut done = Vec::new();
        {
            let names = scope.names();
            let env = Env::new(&names, shared);
            pending.retain(|(name, e)| match evaluate(&e.expr, &env) {
                Some(v) => {
                    done.push(((*name).clone(), v));
                    false
                }
                None => true,
            });
        }
        scope.locals.extend(done);
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for (name, _) in pending {
        scope.locals.insert(name.clone(), Value::from(UNKNOWN));
    }
}

fn marker(why: Unknown) -> Value {
    Value::from(match why {
        Unknown::Apply => UNKNOWN,
        Unknown::Workspace => super::evaluator::UNKNOWN_WORKSPACE,
    })
}

fn found(chain: &Chain, level: usize, e: &Expr, value: Option<Value>, origin: Origin) -> Found {
    let sensitive = chain.sensitive(level, &e.expr, 0) || matches!(origin, Origin::Root { sensitive: true, .. });
    let unknown = match &value {
        Some(v) => unknown_in(v),
        None => Some(Unknown::Apply),
    };
    let value = value.filter(|v| !is_unknown(v));
    Found { value, origin, sensitive, unknown }
}

/// Two literals as Terraform would compare them: numbers by value (`5` and `5.0`).
fn same_literal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_literal(a, b)),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_literal(v, w)))
        }
        _ => a == b,
    }
}

impl Configuration {
    /// The first literal argument of a module call, at any depth, that the plan (its
    /// `constant_value`) and the files both write, but differently: a configuration of another
    /// stack (`cluster_name = "east"` against the plan's `"west"`). Values are not shown: a literal
    /// may be a secret. `skip` are arguments compared elsewhere, key by key.
    pub fn contradiction(
        &self,
        plan: &Plan,
        calls: &BTreeMap<String, crate::plan::ModuleCall>,
        skip: &[&str],
        path: &mut Vec<String>,
    ) -> Option<String> {
        let shared = Shared::new(&self.texts, Vec::new(), None, &plan.name);
        self.contradiction_in(&shared, calls, skip, path)
    }

    fn contradiction_in(
        &self,
        shared: &Shared,
        calls: &BTreeMap<String, crate::plan::ModuleCall>,
        skip: &[&str],
        path: &mut Vec<String>,
    ) -> Option<String> {
        for (name, call) in calls {
            path.push(name.clone());
            let caller = self.module_dir(&path[..path.len() - 1]);
            let written = caller.as_ref().and_then(|d| self.modules.get(d)).and_then(|m| m.calls.get(name));
            if let Some(written) = written {
                let args = call
                    .expressions
                    .iter()
                    .filter(|(k, _)| !skip.contains(&k.as_str()))
                    .map(|(k, raw)| (k.as_str(), *raw, written.args.get(k)))
                    .chain(
                        [
                            ("count", call.count_expression, written.count.as_ref()),
                            ("for_each", call.for_each_expression, written.for_each.as_ref()),
                        ]
                        .into_iter()
                        .filter_map(|(k, raw, e)| Some((k, raw?, e))),
                    );
                for (arg, raw, expr) in args {
                    let (Some(in_plan), Some(expr)) =
                        (crate::plan::Expression::read(raw).and_then(|e| e.constant_value), expr)
                    else {
                        continue;
                    };
                    let Some(v) = evaluate(&expr.expr, &Env::literal(shared)).filter(|v| !is_unknown(v)) else {
                        continue;
                    };
                    if !same_literal(&in_plan, &super::functions::to_json(&v)) {
                        let address = path.iter().map(|p| format!("module.{p}")).collect::<Vec<_>>().join(".");
                        let at = &expr.pos;
                        return Some(format!(
                            "{address}: argument {arg} is one literal in the plan and another at {}:{}",
                            at.file, at.line
                        ));
                    }
                }
            }
            let deeper = self.contradiction_in(shared, &call.module.module_calls, skip, path);
            path.pop();
            if deeper.is_some() {
                return deeper;
            }
        }
        None
    }

    /// The error for a module call whose module's files are not among the configuration's.
    fn not_installed(&self, plan: &Plan, chain: &Chain, path: &[String]) -> Error {
        let name = path.last().expect("a call");
        let address = path.iter().map(|p| format!("module.{p}")).collect::<Vec<_>>().join(".");
        let source = chain.scopes.last().and_then(|s| s.module.calls.get(name)).and_then(|c| c.source.clone());
        let shown = source.as_deref().map(|s| crate::redact::url_credentials(s).into_owned()).unwrap_or_default();
        let local = source.as_deref().is_some_and(|s| s.starts_with("./") || s.starts_with("../"));
        let why = if local {
            format!("{address} ({shown}) is not among the configuration's files: give the directory that holds it")
        } else if self.module_dirs.is_empty() {
            format!("{address} ({shown}) is not installed: run terraform init in the configuration directory")
        } else {
            format!("{address} ({shown}) is not installed: run terraform init again (.terraform/modules/modules.json does not list it)")
        };
        Error::ConfigFile { plan: plan.name.clone(), why }
    }

    /// Evaluates the cluster call at `path` for the plan instance `steps`. `Ok(None)` when the
    /// files do not hold every module on the way; an error when they contradict the plan.
    pub fn evaluate(
        &self,
        plan: &Plan,
        path: &[String],
        steps: &[Step],
        inputs: &[&str],
    ) -> Result<Option<Evaluated>, Error> {
        let module_dirs: Vec<String> = self.modules.keys().filter(|d| d.starts_with("..")).cloned().collect();
        let shared = Shared::new(&self.texts, module_dirs, self.workspace.clone(), &plan.name);
        let result = self.evaluate_in(plan, path, steps, inputs, &shared);
        // A file read from outside the directory is an input error, whatever else was found.
        match shared.error.into_inner() {
            Some(e) => Err(e),
            None => result,
        }
    }

    fn evaluate_in(
        &self,
        plan: &Plan,
        path: &[String],
        steps: &[Step],
        inputs: &[&str],
        shared: &Shared,
    ) -> Result<Option<Evaluated>, Error> {
        let mut chain = Chain { scopes: Vec::new(), shared };
        for level in 0..path.len() {
            let found = self.module_dir(&path[..level]).and_then(|d| self.modules.get(&d).map(|m| (d, m)));
            let (dir, module) = match found {
                Some(f) => f,
                // The root module's files are the configuration itself.
                None if level == 0 => return Ok(None),
                // A module the configuration calls but whose files are not there: checking without
                // it would leave the cluster's keys unresolved (a pass with warnings) — say so.
                None => return Err(self.not_installed(plan, &chain, &path[..level])),
            };
            let mut scope = Scope {
                module,
                vars: Map::new(),
                sources: BTreeMap::new(),
                sensitive: BTreeSet::new(),
                locals: Map::new(),
                each: None,
                count: None,
                dir: dir.clone(),
            };
            if level == 0 {
                let names: BTreeSet<&String> = crate::order::set(module.variables.keys().chain(plan.variables.keys()));
                for name in names {
                    let decl = module.variables.get(name);
                    let sensitive = plan.variable_is_sensitive(name) || decl.is_some_and(|d| d.sensitive);
                    let value = match plan.variable(name)? {
                        Some(v) => json_to_value(&v),
                        None => decl
                            .and_then(|d| d.default.as_ref())
                            .and_then(|d| evaluate(&d.expr, &Env::literal(shared)))
                            .unwrap_or(Value::Null),
                    };
                    scope.vars.insert(name.clone(), value);
                    scope.sources.insert(name.clone(), VarSource::Root { name: name.clone(), sensitive });
                    if sensitive {
                        scope.sensitive.insert(name.clone());
                    }
                }
            } else {
                let caller = &chain.scopes[level - 1];
                let call = caller.module.calls.get(&path[level - 1]).expect("checked at the level above");
                let names = caller.names();
                let env = Env::new(&names, shared);
                for (name, decl) in &module.variables {
                    let (value, source, sensitive) = match call.args.get(name) {
                        Some(a) => (
                            evaluate(&a.expr, &env).unwrap_or_else(|| Value::from(UNKNOWN)),
                            VarSource::Arg(a),
                            chain.sensitive(level - 1, &a.expr, 0),
                        ),
                        None => match &decl.default {
                            Some(d) => (
                                evaluate(&d.expr, &Env::literal(shared)).unwrap_or(Value::Null),
                                VarSource::Default(d),
                                false,
                            ),
                            None => (Value::Null, VarSource::Unset, false),
                        },
                    };
                    scope.vars.insert(name.clone(), value);
                    scope.sources.insert(name.clone(), source);
                    if sensitive || decl.sensitive {
                        scope.sensitive.insert(name.clone());
                    }
                }
            }
            locals(module, &mut scope, shared);
            let here = path[..=level].join(".");
            let Some(call) = module.calls.get(&path[level]) else {
                return Err(Error::ConfigMismatch {
                    plan: plan.name.clone(),
                    why: format!(
                        "the plan calls module.{here}, but the configuration's {} has no module block {:?}",
                        if dir.is_empty() { "root module".to_string() } else { dir.clone() },
                        path[level]
                    ),
                });
            };
            let key = steps.get(level).and_then(|s| s.key.as_deref()).map(instance_key);
            let (each, count) = instance(call, &scope, shared, key.as_deref(), &here)?;
            scope.each = each;
            scope.count = count;
            chain.scopes.push(scope);
        }
        let level = path.len() - 1;
        let scope = &chain.scopes[level];
        let call = &scope.module.calls[&path[level]];
        let names = scope.names();
        let env = Env::new(&names, shared);
        let (backup_name, token_name) = (inputs[0], inputs[1]);
        let backup_at = call.args.get(backup_name).map(|e| e.pos.clone());
        let token_at = call.args.get(token_name).map(|e| e.pos.clone());
        let mut out = Evaluated {
            backup: None,
            backup_null: false,
            whole: None,
            token: None,
            block: call.pos.clone(),
            backup_at,
            token_at,
        };
        if let Some(e) = call.args.get(backup_name) {
            // The argument whole: the text of a yaml/flags input, the value a profile's `path` selects in.
            let whole = evaluate(&e.expr, &env);
            out.whole = Some(found(&chain, level, e, whole.clone(), chain.origin(level, &e.expr, &e.pos, 0)));
            out.backup = Some(match &e.entries {
                // An object constructor: each key on its own, so one unknown value spoils only itself.
                Some(entries) => {
                    let mut keys = BTreeMap::new();
                    for (k, v) in entries {
                        let value = evaluate(&v.expr, &env);
                        if value == Some(Value::Null) {
                            keys.remove(k);
                            continue;
                        }
                        let origin = chain.origin(level, &v.expr, &v.pos, 0);
                        keys.insert(k.clone(), found(&chain, level, v, value, origin));
                    }
                    Some(keys)
                }
                None => match whole {
                    Some(Value::Null) => {
                        out.backup_null = true;
                        Some(BTreeMap::new())
                    }
                    Some(Value::Object(m)) => {
                        let mut keys = BTreeMap::new();
                        for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                            let (origin, sensitive) = chain
                                .key_origin(level, e, k, 0)
                                .unwrap_or_else(|| (written(&e.expr, &e.pos), chain.sensitive(level, &e.expr, 0)));
                            let unknown = unknown_in(v);
                            let value = Some(v.clone()).filter(|v| !is_unknown(v));
                            keys.insert(k.clone(), Found { value, origin, sensitive, unknown });
                        }
                        Some(keys)
                    }
                    _ => None,
                },
            });
        }
        if let Some(e) = call.args.get(token_name) {
            let value = evaluate(&e.expr, &env);
            let origin = chain.origin(level, &e.expr, &e.pos, 0);
            out.token = Some(found(&chain, level, e, value, origin));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests_support {
    use super::*;

    /// Evaluates `src` in a scope with `var.m = {a = "1"}`, `count.index = 7`, the files
    /// `files/backup.yaml` and `big.bin` (not read), and the workspace given.
    pub fn eval_in(src: &str, workspace: Option<&str>) -> Option<Value> {
        let e: E = src.parse().unwrap();
        let scope = Scope {
            module: Box::leak(Box::default()),
            vars: Map::from_iter([(
                "m".to_string(),
                Value::Object(Map::from_iter([("a".to_string(), Value::from("1"))])),
            )]),
            sources: BTreeMap::new(),
            sensitive: BTreeSet::new(),
            locals: Map::new(),
            each: None,
            count: Some(7),
            dir: String::new(),
        };
        let texts: super::super::evaluator::Texts = BTreeMap::from([
            ("files/backup.yaml".to_string(), Some("s3-bucket: from-yaml\ns3-folder: \"${name}\"\n".to_string())),
            ("big.bin".to_string(), None),
        ]);
        let shared = Shared::new(&texts, Vec::new(), workspace.map(str::to_string), "plan.json");
        let names = scope.names();
        let v = evaluate(&e, &Env::new(&names, &shared));
        if shared.error.borrow().is_some() {
            return None;
        }
        v
    }

    pub fn eval_str(src: &str) -> Option<Value> {
        eval_in(src, None)
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::{eval_in, eval_str};
    use super::*;

    #[test]
    fn functions_and_unknowns() {
        assert_eq!(
            eval_str(r#"merge(var.m, { b = "2" })"#),
            Some(Value::Object(Map::from_iter([("a".into(), Value::from("1")), ("b".into(), Value::from("2"))])))
        );
        assert_eq!(eval_str(r#"try(var.m.missing, "fallback")"#), Some(Value::from("fallback")));
        assert_eq!(eval_str(r#"can(var.m.missing)"#), Some(Value::Bool(false)));
        assert_eq!(eval_str(r#"format("%s-%d", "a", 3)"#), Some(Value::from("a-3")));
        // A single interpolation keeps the value's type (HCL's template rule), as in .tf.json.
        assert_eq!(eval_str(r#""${var.m}""#), eval_str("var.m"));
        // Resources, data sources and undeclared functions are unknown, also inside strings.
        for unknown in [
            r#"aws_s3_bucket.b.id"#,
            r#"upper("x-${data.x.y.z}")"#,
            r#"lower(file("big.bin"))"#,
            r#"jsonencode({ a = module.m.out })"#,
            r#"path.cwd"#,
            // An unknown condition picks no branch; an unknown operand compares to nothing.
            r#"aws_x.y.z == "a" ? "b" : "c""#,
            r#"length(data.x.y)"#,
        ] {
            assert!(eval_str(unknown).is_some_and(|v| is_unknown(&v)), "{unknown}");
        }
    }

    #[test]
    fn terraform_workspace_is_unknown_unless_given_and_says_why() {
        let v = eval_str(r#"terraform.workspace == "default" ? "a" : "b""#).unwrap();
        assert_eq!(unknown_in(&v), Some(Unknown::Workspace), "never \"default\" by guess");
        let v = eval_str(r#""fleet-${upper(terraform.workspace)}""#).unwrap();
        assert_eq!(unknown_in(&v), Some(Unknown::Workspace));
        assert_eq!(eval_in(r#""fleet-${terraform.workspace}""#, Some("east")), Some(Value::from("fleet-east")));
    }

    #[test]
    fn files_of_the_configuration_directory_only() {
        assert_eq!(eval_str(r#"fileexists("${path.module}/files/backup.yaml")"#), Some(Value::Bool(true)));
        assert_eq!(eval_str(r#"fileexists("files/none.yaml")"#), Some(Value::Bool(false)));
        assert_eq!(eval_str(r#"fileexists("big.bin")"#), Some(Value::Bool(true)));
        assert_eq!(
            eval_str(r#"templatefile("${path.root}/files/backup.yaml", { name = "east" })"#),
            Some(Value::from("s3-bucket: from-yaml\ns3-folder: \"east\"\n"))
        );
        for outside in [r#"file("../secrets.txt")"#, r#"file("/etc/passwd")"#, r#"fileexists("files/../../x")"#] {
            assert_eq!(eval_str(outside), None, "{outside}: an input error");
        }
    }
}

#[cfg(test)]
mod arithmetic {
    use super::tests_support::eval_str;
    use super::*;

    #[test]
    fn arithmetic_and_logic_as_terraform_evaluates_them() {
        assert_eq!(eval_str("2 * 3 + 4"), Some(Value::from(10)));
        assert_eq!(eval_str(r#""fleet-${count.index % 5}""#), Some(Value::from("fleet-2")));
        assert_eq!(
            eval_str(r#"[for i in [0, 1, 2] : "f-${i * 10 + count.index}"]"#),
            eval_str(r#"["f-7", "f-17", "f-27"]"#)
        );
        assert_eq!(eval_str("10 / 4"), Some(Value::from(2.5)), "not integer division");
        assert_eq!(eval_str("-7 % 3"), Some(Value::from(-1)), "the dividend's sign");
        assert_eq!(eval_str(r#""5" + 1"#), Some(Value::from(6)));
        assert_eq!(eval_str("!(1 < 2) || (3 >= 3 && 2 != 1)"), Some(Value::Bool(true)));
        assert_eq!(eval_str(r#"count.index > 5 ? "big" : "small""#), Some(Value::from("big")));
        assert_eq!(
            eval_str(r#"{ for k, v in { b = 2, a = 1 } : "${k}${v * 2}" => v... }"#),
            eval_str(r#"{ a2 = [1], b4 = [2] }"#)
        );
    }

    #[test]
    fn arithmetic_never_overflows_or_divides_by_zero() {
        for trap in [
            "-(1 % 0)",
            "9223372036854775807 * 9223372036854775807",
            "1 % 0",
            "1 / 0",
            "-(-9223372036854775807 - 1)",
            "[for x in [1] : x % 0]",
            "\"${1 % 0}\"",
            "var.m[1 % 0]",
        ] {
            assert!(eval_str(trap).is_none_or_unknown(), "{trap}");
        }
    }

    trait NoneOrUnknown {
        fn is_none_or_unknown(&self) -> bool;
    }
    impl NoneOrUnknown for Option<Value> {
        fn is_none_or_unknown(&self) -> bool {
            self.as_ref().is_none_or(is_unknown)
        }
    }
}

#[cfg(test)]
mod functions_as_terraform_console_prints_them {
    use super::tests_support::eval_str;
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(eval_str(a), eval_str(b), "{a}");
        assert!(eval_str(b).is_some_and(|v| !is_unknown(&v)), "{b}");
    }

    #[test]
    fn the_functions_maps_are_built_with() {
        same(
            r#"merge(yamldecode(file("files/backup.yaml")), { s3 = "true" })"#,
            r#"{ s3-bucket = "from-yaml", s3-folder = "$${name}", s3 = "true" }"#,
        );
        same(r#"jsondecode("{\"a\": [1, true, null]}")"#, r#"{ a = [1, true, null] }"#);
        same(r#"base64decode(base64encode("fleet/east"))"#, r#""fleet/east""#);
        same(r#"[tonumber("5"), tobool("true"), abs(-3), max(1, 7, 3), min(4, 2)]"#, "[5, true, 3, 7, 2]");
        same(r#"flatten([["a"], [["b"]], []])"#, r#"["a", "b"]"#);
        same(r#"distinct(["b", "a", "b"])"#, r#"["b", "a"]"#);
        same("range(3)", "[0, 1, 2]");
        same("range(1, 7, 2)", "[1, 3, 5]");
        same(r#"zipmap(["a", "b"], [1, 2])"#, "{ a = 1, b = 2 }");
        same(r#"setproduct(["x", "y"], [1, 2])"#, r#"[["x", 1], ["x", 2], ["y", 1], ["y", 2]]"#);
        same(r#"regex("^fleet-([a-z]+)-(\\d+)$", "fleet-east-12")"#, r#"["east", "12"]"#);
        same(r#"regex("(?P<env>[a-z]+)/(?P<n>\\d)", "prod/1")"#, r#"{ env = "prod", n = "1" }"#);
        same(r#"regex("[0-9]+", "ab123cd")"#, r#""123""#);
        same(r#"regexall("[a-z]", "a1b2")"#, r#"["a", "b"]"#);
        same(r#"replace("fleet.east.1", "/\\.(\\w+)/", "-$1")"#, r#""fleet-east-1""#);
        same(r#"[startswith("prod-x", "prod"), endswith("prod-x", "-y")]"#, "[true, false]");
        same(
            r#"format("%s/%03d/%-4s|%5.2f|%x|%t|%q", "f", 7, "ab", 3.14159, 255, true, "q")"#,
            r#""f/007/ab  | 3.14|ff|true|\"q\"""#,
        );
        same(r#"tomap({ a = "1" })"#, r#"{ a = "1" }"#);
        same(
            r#"format("%e|%+d|%05.1f|%X|%o|%b", 1500.0, 5, 3.14159, 255, 8, 5)"#,
            r#""1.500000e+03|+5|003.1|FF|10|101""#,
        );
    }

    #[test]
    fn what_terraform_reports_as_an_error_is_never_a_value() {
        for error in [
            r#"regex("x", "abc")"#,
            r#"base64decode("not base64!")"#,
            r#"tonumber("five")"#,
            r#"format("%d", 2.5)"#,
            r#"format("%s %s", "one")"#,
            r#"zipmap(["a"], [1, 2])"#,
            r#"yamldecode("a: [")"#,
            r#"range(0, 100000000)"#,
            r#"file("files/none.yaml")"#,
        ] {
            assert!(eval_str(error).is_none_or(|v| is_unknown(&v)), "{error}");
        }
        // A regex regex-lite cannot read (Unicode classes) is not guessed.
        assert!(eval_str(r#"regex("\\pL+", "ab")"#).is_none_or(|v| is_unknown(&v)));
    }
}
