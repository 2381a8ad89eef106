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

use hcl::eval::{Context, Evaluate};
use hcl::expr::{FuncCall, TraversalOperator};
use hcl::{Expression as E, Map, Value};
use serde_json::Value as Json;

use super::{functions, Configuration, Expr, Module, Pos};
use crate::address::Step;
use crate::error::Error;
use crate::plan::Plan;

/// Stands for a value unknown until apply. No letters: `lower`/`upper` keep it intact.
const UNKNOWN: &str = "\u{1}\u{2}\u{1}";
/// The marker after `jsonencode`.
const UNKNOWN_JSON: &str = "\\u0001\\u0002\\u0001";
/// Locals may refer to locals: rounds of evaluation before the rest counts as unknown.
const MAX_LOCAL_ROUNDS: usize = 16;
/// How deep bare references are followed for provenance.
const MAX_ORIGIN_DEPTH: usize = 32;

pub fn is_unknown(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(UNKNOWN) || s.contains(UNKNOWN_JSON),
        Value::Array(a) => a.iter().any(is_unknown),
        Value::Object(m) => m.values().any(is_unknown),
        _ => false,
    }
}

/// Where a value of the configuration came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written at this position (a literal, or an expression computed there).
    At(Pos),
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
}

/// What the configuration says about one instance of a cluster call.
#[derive(Debug)]
pub struct Evaluated {
    /// The `etcd_backup` map key by key (`None`: the argument is absent; `Some(None)`: not even
    /// the set of keys can be told), and where the argument is written.
    pub backup: Option<Option<BTreeMap<String, Found>>>,
    pub backup_null: bool,
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
}

impl Scope<'_> {
    fn context(&self) -> Context<'static> {
        let mut ctx = Context::new();
        functions::declare(&mut ctx);
        ctx.declare_var("var", Value::Object(self.vars.clone()));
        ctx.declare_var("local", Value::Object(self.locals.clone()));
        if let Some((k, v)) = &self.each {
            let mut each = Map::new();
            each.insert("key".to_string(), k.clone());
            each.insert("value".to_string(), v.clone());
            ctx.declare_var("each", Value::Object(each));
        }
        if let Some(i) = self.count {
            let mut count = Map::new();
            count.insert("index".to_string(), Value::from(i));
            ctx.declare_var("count", Value::Object(count));
        }
        let mut terraform = Map::new();
        terraform.insert("workspace".to_string(), Value::from("default"));
        ctx.declare_var("terraform", Value::Object(terraform));
        ctx
    }
}

/// The root of a reference: `var` of `var.x`, `aws_s3_bucket` of `aws_s3_bucket.b.id`.
fn root_of(e: &E) -> Option<&str> {
    match e {
        E::Variable(v) => Some(v.as_str()),
        E::Traversal(t) => root_of(&t.expr),
        _ => None,
    }
}

const SCOPES: &[&str] = &["var", "local", "each", "count", "terraform"];

/// Replaces what cannot be known at plan time — references to resources, data sources, module
/// outputs, `path.*`, undeclared functions, templates using any of these — by the unknown
/// marker. `bound` are the names a `for` expression introduces.
fn prepare(e: &E, bound: &mut Vec<String>) -> E {
    let unknown = || E::String(UNKNOWN.to_string());
    match e {
        E::ForExpr(_) | E::TemplateExpr(_) | E::Traversal(_) if has_arithmetic(e) => unknown(),
        E::Object(o) if o.keys().any(|k| matches!(k, hcl::ObjectKey::Expression(k) if has_arithmetic(k))) => unknown(),
        E::Variable(v) => {
            if SCOPES.contains(&v.as_str()) || bound.iter().any(|b| b == v.as_str()) {
                e.clone()
            } else {
                unknown()
            }
        }
        E::Traversal(t) => match root_of(&t.expr) {
            Some(r) if SCOPES.contains(&r) || bound.iter().any(|b| b == r) => {
                let mut t = (**t).clone();
                t.expr = prepare(&t.expr, bound);
                for op in &mut t.operators {
                    if let TraversalOperator::Index(i) = op {
                        *i = prepare(i, bound);
                    }
                }
                E::Traversal(Box::new(t))
            }
            Some(_) => unknown(),
            None => {
                let mut t = (**t).clone();
                t.expr = prepare(&t.expr, bound);
                E::Traversal(Box::new(t))
            }
        },
        E::Array(a) => E::Array(a.iter().map(|x| prepare(x, bound)).collect()),
        E::Object(o) => E::Object(
            o.iter()
                .map(|(k, v)| {
                    let k = match k {
                        hcl::ObjectKey::Expression(ke) => hcl::ObjectKey::Expression(prepare(ke, bound)),
                        other => other.clone(),
                    };
                    (k, prepare(v, bound))
                })
                .collect(),
        ),
        E::Parenthesis(p) => E::Parenthesis(Box::new(prepare(p, bound))),
        E::FuncCall(f) => {
            if !f.name.namespace.is_empty() || !functions::NAMES.contains(&f.name.name.as_str()) {
                return unknown();
            }
            let mut f = (**f).clone();
            f.args = f.args.iter().map(|a| prepare(a, bound)).collect();
            // Only functions that carry an unknown argument through to their result may see one;
            // any other (`lookup`, `coalesce`, `length`, `replace`'s pattern, …) could turn it into
            // a known-looking value, so its result is unknown.
            if !functions::CARRY_UNKNOWN.contains(&f.name.name.as_str()) && f.args.iter().any(contains_unknown) {
                return unknown();
            }
            E::FuncCall(Box::new(f))
        }
        E::Conditional(c) => {
            let mut c = (**c).clone();
            c.cond_expr = prepare(&c.cond_expr, bound);
            c.true_expr = prepare(&c.true_expr, bound);
            c.false_expr = prepare(&c.false_expr, bound);
            E::Conditional(Box::new(c))
        }
        E::Operation(o) => {
            let mut o = (**o).clone();
            match &mut o {
                hcl::expr::Operation::Unary(u) => u.expr = prepare(&u.expr, bound),
                hcl::expr::Operation::Binary(b) => {
                    b.lhs_expr = prepare(&b.lhs_expr, bound);
                    b.rhs_expr = prepare(&b.rhs_expr, bound);
                }
            }
            // `unknown == "a"` is unknown, not false.
            if contains_unknown(&E::Operation(Box::new(o.clone()))) {
                return unknown();
            }
            E::Operation(Box::new(o))
        }
        // Arithmetic is checked before it runs (see `lazy`), which a `for` body or a template
        // does not allow: hcl-rs's integer arithmetic can overflow or divide by zero (a trap in
        // WASM), so such an expression is unknown rather than evaluated.
        E::ForExpr(f) => {
            let mut f = (**f).clone();
            f.collection_expr = prepare(&f.collection_expr, bound);
            let added = f.key_var.iter().map(|k| k.to_string()).chain([f.value_var.to_string()]).collect::<Vec<_>>();
            let n = added.len();
            bound.extend(added);
            f.key_expr = f.key_expr.as_ref().map(|k| prepare(k, bound));
            f.value_expr = prepare(&f.value_expr, bound);
            f.cond_expr = f.cond_expr.as_ref().map(|c| prepare(c, bound));
            bound.truncate(bound.len() - n);
            E::ForExpr(Box::new(f))
        }
        E::TemplateExpr(t) => match hcl::Template::from_expr(t) {
            Ok(tpl) if template_known(&tpl, bound) => e.clone(),
            _ => unknown(),
        },
        _ => e.clone(),
    }
}

/// Whether an expression (or a template's interpolations) does arithmetic.
fn has_arithmetic(e: &E) -> bool {
    use hcl::expr::{BinaryOperator as B, Operation, UnaryOperator as U};
    let mut found = false;
    visit(e, &mut |x| {
        found |= match x {
            E::Operation(o) => match &**o {
                Operation::Unary(u) => matches!(u.operator, U::Neg),
                Operation::Binary(b) => matches!(b.operator, B::Plus | B::Minus | B::Mul | B::Div | B::Mod),
            },
            _ => false,
        }
    });
    found
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

/// Integers this small cannot overflow an `i64` when added, subtracted or multiplied.
const SAFE_INT: f64 = 2_147_483_648.0;

fn small_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|x| x.abs() < SAFE_INT),
        _ => None,
    }
}

/// Whether every expression in a template can be evaluated (no unknown reference in it).
fn template_known(t: &hcl::Template, bound: &mut Vec<String>) -> bool {
    use hcl::template::{Directive, Element};
    let known = |e: &E, bound: &mut Vec<String>| !contains_unknown(&prepare(e, bound));
    t.elements().iter().all(|el| match el {
        Element::Literal(_) => true,
        Element::Interpolation(i) => known(&i.expr, bound),
        Element::Directive(d) => match &**d {
            Directive::If(i) => {
                known(&i.cond_expr, bound)
                    && template_known(&i.true_template, bound)
                    && match &i.false_template {
                        Some(f) => template_known(f, bound),
                        None => true,
                    }
            }
            Directive::For(f) => {
                let ok = known(&f.collection_expr, bound);
                bound.extend(f.key_var.iter().map(|k| k.to_string()).chain([f.value_var.to_string()]));
                let inner = template_known(&f.template, bound);
                bound.truncate(bound.len() - 1 - usize::from(f.key_var.is_some()));
                ok && inner
            }
        },
    })
}

fn contains_unknown(e: &E) -> bool {
    let mut found = false;
    visit(e, &mut |x| found |= matches!(x, E::String(s) if s == UNKNOWN));
    found
}

/// `try` and `can` are lazy in Terraform: their arguments are evaluated one by one here, and the
/// call replaced by the result, before the evaluator sees the expression.
fn lazy(e: &E, ctx: &Context) -> E {
    match e {
        E::FuncCall(f) if f.name.namespace.is_empty() && matches!(f.name.name.as_str(), "try" | "can") => {
            let can = f.name.name.as_str() == "can";
            for arg in &f.args {
                if let Some(v) = evaluate(arg, ctx) {
                    if !is_unknown(&v) {
                        return if can { E::Bool(true) } else { E::from(v) };
                    }
                    return E::String(UNKNOWN.to_string());
                }
            }
            if can {
                E::Bool(false)
            } else {
                E::FuncCall(Box::new(FuncCall::new("__all_arguments_failed")))
            }
        }
        E::FuncCall(f) => {
            let mut f = (**f).clone();
            f.args = f.args.iter().map(|a| lazy(a, ctx)).collect();
            E::FuncCall(Box::new(f))
        }
        E::Array(a) => E::Array(a.iter().map(|x| lazy(x, ctx)).collect()),
        E::Object(o) => E::Object(o.iter().map(|(k, v)| (k.clone(), lazy(v, ctx))).collect()),
        E::Parenthesis(p) => E::Parenthesis(Box::new(lazy(p, ctx))),
        E::Conditional(c) => {
            let mut c = (**c).clone();
            c.cond_expr = lazy(&c.cond_expr, ctx);
            c.true_expr = lazy(&c.true_expr, ctx);
            c.false_expr = lazy(&c.false_expr, ctx);
            E::Conditional(Box::new(c))
        }
        // Arithmetic runs only on small numbers and never divides by zero: hcl-rs's integers
        // would overflow or trap. Operands are evaluated here, once, and put in as values.
        E::Operation(o) => {
            use hcl::expr::{BinaryOperator as B, Operation, UnaryOperator as U};
            let unknown = E::String(UNKNOWN.to_string());
            let value = |x: &E| evaluate_prepared(&lazy(x, ctx), ctx);
            match &**o {
                Operation::Unary(u) if matches!(u.operator, U::Neg) => {
                    match value(&u.expr).as_ref().and_then(small_number) {
                        Some(n) => E::from(Value::from(-n)),
                        None => unknown,
                    }
                }
                Operation::Binary(b) if matches!(b.operator, B::Plus | B::Minus | B::Mul | B::Div | B::Mod) => {
                    let (l, r) = (value(&b.lhs_expr), value(&b.rhs_expr));
                    match (l.as_ref().and_then(small_number), r.as_ref().and_then(small_number)) {
                        (Some(_), Some(rv)) if rv == 0.0 && matches!(b.operator, B::Div | B::Mod) => unknown,
                        (Some(_), Some(_)) => {
                            let mut b = b.clone();
                            b.lhs_expr = E::from(l.expect("a number"));
                            b.rhs_expr = E::from(r.expect("a number"));
                            E::Operation(Box::new(Operation::Binary(b)))
                        }
                        _ => unknown,
                    }
                }
                Operation::Unary(u) => {
                    let mut u = u.clone();
                    u.expr = lazy(&u.expr, ctx);
                    E::Operation(Box::new(Operation::Unary(u)))
                }
                Operation::Binary(b) => {
                    let mut b = b.clone();
                    b.lhs_expr = lazy(&b.lhs_expr, ctx);
                    b.rhs_expr = lazy(&b.rhs_expr, ctx);
                    E::Operation(Box::new(Operation::Binary(b)))
                }
            }
        }
        _ => e.clone(),
    }
}

/// The value of an expression, `None` when it cannot be evaluated (a Terraform error, or an
/// unknown condition): unknown.
fn evaluate(e: &E, ctx: &Context) -> Option<Value> {
    let prepared = prepare(e, &mut Vec::new());
    evaluate_prepared(&lazy(&prepared, ctx), ctx)
}

fn evaluate_prepared(e: &E, ctx: &Context) -> Option<Value> {
    e.evaluate(ctx).ok()
}

fn json_to_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .unwrap_or_else(|| Value::from(n.as_f64().unwrap_or(0.0))),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::Array(a.iter().map(json_to_value).collect()),
        Json::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), json_to_value(v))).collect()),
    }
}

/// What a `map(string)` input receives for a value: strings as they are, numbers and booleans
/// converted, `None` for anything else.
pub fn module_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

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

/// The chain of module instances from the root to the cluster call.
struct Chain<'c> {
    scopes: Vec<Scope<'c>>,
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
            _ => Origin::At(pos.clone()),
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
            let ctx = s.context();
            for arg in e.args.iter().rev() {
                let has =
                    evaluate(&arg.expr, &ctx).as_ref().and_then(Value::as_object).is_some_and(|m| m.contains_key(key));
                if has {
                    return self.key_origin(level, arg, key, depth + 1);
                }
            }
        }
        Some((Origin::At(e.pos.clone()), self.sensitive(level, &e.expr, 0)))
    }
}

/// `each.key`/`each.value` and `count.index` of one instance.
type InstanceValues = (Option<(Value, Value)>, Option<u64>);

/// The instance values (`each`, `count`) of the call `call` at one of its plan instances.
fn instance(
    call: &super::Call,
    scope: &Scope,
    key: Option<&str>,
    plan: &str,
    path: &str,
) -> Result<InstanceValues, Error> {
    let mismatch = |why: String| Error::ConfigMismatch { plan: plan.to_string(), why };
    let ctx = scope.context();
    if let Some(fe) = &call.for_each {
        let Some(k) = key else {
            return Err(mismatch(format!(
                "module.{path} has for_each in the configuration but a single instance in the plan"
            )));
        };
        return Ok(match evaluate(&fe.expr, &ctx) {
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
            // Keys unknown at plan time: each.value is unknown.
            _ => (Some((Value::from(k), Value::from(UNKNOWN))), None),
        });
    }
    if let Some(ce) = &call.count {
        let Some(i) = key.and_then(|k| k.parse::<u64>().ok()) else {
            return Err(mismatch(format!("module.{path} has count in the configuration but no index in the plan")));
        };
        if let Some(Value::Number(n)) = evaluate(&ce.expr, &ctx) {
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

fn locals(module: &Module, scope: &mut Scope) {
    let mut pending: Vec<(&String, &Expr)> = module.locals.iter().collect();
    for _ in 0..MAX_LOCAL_ROUNDS {
        let ctx = scope.context();
        let before = pending.len();
        pending.retain(|(name, e)| match evaluate(&e.expr, &ctx) {
            Some(v) => {
                scope.locals.insert((*name).clone(), v);
                false
            }
            None => true,
        });
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for (name, _) in pending {
        scope.locals.insert(name.clone(), Value::from(UNKNOWN));
    }
}

fn found(chain: &Chain, level: usize, e: &Expr, value: Option<Value>, origin: Origin) -> Found {
    let sensitive = chain.sensitive(level, &e.expr, 0) || matches!(origin, Origin::Root { sensitive: true, .. });
    let value = value.filter(|v| !is_unknown(v));
    Found { value, origin, sensitive }
}

impl Configuration {
    /// Evaluates the cluster call at `path` for the plan instance `steps`. `Ok(None)` when the
    /// files do not hold every module on the way; an error when they contradict the plan.
    pub fn evaluate(
        &self,
        plan: &Plan,
        path: &[String],
        steps: &[Step],
        inputs: &[&str],
    ) -> Result<Option<Evaluated>, Error> {
        let mut chain = Chain { scopes: Vec::new() };
        for level in 0..path.len() {
            let Some(dir) = self.module_dir(&path[..level]) else { return Ok(None) };
            let Some(module) = self.modules.get(&dir) else { return Ok(None) };
            let mut scope = Scope {
                module,
                vars: Map::new(),
                sources: BTreeMap::new(),
                sensitive: BTreeSet::new(),
                locals: Map::new(),
                each: None,
                count: None,
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
                            .and_then(|d| evaluate(&d.expr, &Context::new()))
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
                let ctx = caller.context();
                for (name, decl) in &module.variables {
                    let (value, source, sensitive) = match call.args.get(name) {
                        Some(a) => (
                            evaluate(&a.expr, &ctx).unwrap_or_else(|| Value::from(UNKNOWN)),
                            VarSource::Arg(a),
                            chain.sensitive(level - 1, &a.expr, 0),
                        ),
                        None => match &decl.default {
                            Some(d) => (
                                evaluate(&d.expr, &Context::new()).unwrap_or(Value::Null),
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
            locals(module, &mut scope);
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
            let (each, count) = instance(call, &scope, key.as_deref(), &plan.name, &here)?;
            scope.each = each;
            scope.count = count;
            chain.scopes.push(scope);
        }
        let level = path.len() - 1;
        let scope = &chain.scopes[level];
        let call = &scope.module.calls[&path[level]];
        let ctx = scope.context();
        let (backup_name, token_name) = (inputs[0], inputs[1]);
        let backup_at = call.args.get(backup_name).map(|e| e.pos.clone());
        let token_at = call.args.get(token_name).map(|e| e.pos.clone());
        let mut out =
            Evaluated { backup: None, backup_null: false, token: None, block: call.pos.clone(), backup_at, token_at };
        if let Some(e) = call.args.get(backup_name) {
            out.backup = Some(match &e.entries {
                // An object constructor: each key on its own, so one unknown value spoils only itself.
                Some(entries) => {
                    let mut keys = BTreeMap::new();
                    for (k, v) in entries {
                        let value = evaluate(&v.expr, &ctx);
                        if value == Some(Value::Null) {
                            keys.remove(k);
                            continue;
                        }
                        let origin = chain.origin(level, &v.expr, &v.pos, 0);
                        keys.insert(k.clone(), found(&chain, level, v, value, origin));
                    }
                    Some(keys)
                }
                None => match evaluate(&e.expr, &ctx) {
                    Some(Value::Null) => {
                        out.backup_null = true;
                        Some(BTreeMap::new())
                    }
                    Some(Value::Object(m)) => {
                        let mut keys = BTreeMap::new();
                        for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                            let (origin, sensitive) = chain
                                .key_origin(level, e, k, 0)
                                .unwrap_or_else(|| (Origin::At(e.pos.clone()), chain.sensitive(level, &e.expr, 0)));
                            let value = Some(v.clone()).filter(|v| !is_unknown(v));
                            keys.insert(k.clone(), Found { value, origin, sensitive });
                        }
                        Some(keys)
                    }
                    _ => None,
                },
            });
        }
        if let Some(e) = call.args.get(token_name) {
            let value = evaluate(&e.expr, &ctx);
            let origin = chain.origin(level, &e.expr, &e.pos, 0);
            out.token = Some(found(&chain, level, e, value, origin));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests_support {
    use super::*;

    pub fn eval_str(src: &str) -> Option<Value> {
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
            count: None,
        };
        evaluate(&e, &scope.context())
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::eval_str;
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
            r#"lower(file("x"))"#,
            r#"jsonencode({ a = module.m.out })"#,
        ] {
            assert!(eval_str(unknown).is_some_and(|v| is_unknown(&v)), "{unknown}");
        }
        // An unknown condition cannot be evaluated at all.
        assert_eq!(eval_str(r#"aws_x.y.z == "a" ? "b" : "c""#), None);
        assert_eq!(eval_str(r#"replace("a.b", "/\\./", "-")"#), None, "regex replace is not guessed");
    }
}

#[cfg(test)]
mod arithmetic {
    use super::tests_support::eval_str;
    use super::*;

    #[test]
    fn arithmetic_never_overflows_or_divides_by_zero() {
        assert_eq!(eval_str("2 * 3 + 4"), Some(Value::from(10)));
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
