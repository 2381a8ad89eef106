//! Evaluating one expression the way Terraform does, node by node: each node's operands are
//! evaluated first, then the node itself with hcl-rs's evaluator on those values (traversals,
//! function calls through the functions of `functions.rs`, comparisons, logic). Arithmetic is
//! Terraform's, done here: hcl-rs's integers can overflow or divide by zero (a trap in WASM).
//! Templates, `for` expressions and directives are walked here too, so that every operand is
//! checked for *unknown* before it is used.
//!
//! Unknown is a marker value: a string no configuration writes. A node with an unknown operand
//! is unknown (never `false`, never a length or a lookup of the marker), except where Terraform
//! keeps an unknown element in place (a list, an object, `merge`, `concat`). `None` is a
//! Terraform error, which the caller treats as unknown too.

use std::cell::RefCell;
use std::collections::BTreeMap;

use hcl::eval::{Context, Evaluate};
use hcl::expr::{FuncCall, TraversalOperator};
use hcl::template::{Directive, Element, Strip, Template};
use hcl::{Expression as E, Map, Value};

use super::functions;
use crate::error::Error;

/// Stands for a value unknown until apply. No letters: `lower`/`upper` keep it intact.
pub const UNKNOWN: &str = "\u{1}\u{2}\u{1}";
/// Stands for `terraform.workspace` when the workspace was not given: unknown, and the reason
/// can be told (the plan JSON does not record the workspace).
pub const UNKNOWN_WORKSPACE: &str = "\u{1}\u{3}\u{1}";
/// The markers after `jsonencode`.
const UNKNOWN_JSON: &str = "\\u0001\\u0002\\u0001";
const UNKNOWN_WORKSPACE_JSON: &str = "\\u0001\\u0003\\u0001";

/// Why a value is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    Apply,
    Workspace,
}

impl Unknown {
    fn marker(self) -> Value {
        Value::from(match self {
            Unknown::Apply => UNKNOWN,
            Unknown::Workspace => UNKNOWN_WORKSPACE,
        })
    }
}

/// Whether a value holds an unknown part, and why (the workspace first: it is the one the user
/// can give).
pub fn unknown_in(v: &Value) -> Option<Unknown> {
    let mut found = None;
    let mut todo = vec![v];
    while let Some(x) = todo.pop() {
        match x {
            Value::String(s) => {
                if s.contains(UNKNOWN_WORKSPACE) || s.contains(UNKNOWN_WORKSPACE_JSON) {
                    return Some(Unknown::Workspace);
                }
                if s.contains(UNKNOWN) || s.contains(UNKNOWN_JSON) {
                    found = Some(Unknown::Apply);
                }
            }
            Value::Array(a) => todo.extend(a),
            Value::Object(m) => todo.extend(m.values()),
            _ => {}
        }
    }
    found
}

pub fn is_unknown(v: &Value) -> bool {
    unknown_in(v).is_some()
}

/// The files of the configuration directory that `file`, `fileexists` and `templatefile` read:
/// by path relative to it; `None` for a file that exists but was not read (too large, not text).
pub type Texts = BTreeMap<String, Option<String>>;

/// What evaluation needs besides the expression, shared along the chain of module instances.
pub struct Shared<'c> {
    pub funcs: Context<'static>,
    pub texts: &'c Texts,
    /// Directories a file may be read from besides the root's (module directories outside it).
    pub module_dirs: Vec<String>,
    /// `terraform.workspace` when given (`--workspace`, `TF_WORKSPACE`).
    pub workspace: Option<String>,
    /// The first input error met while evaluating (a path that leaves the directory).
    pub error: RefCell<Option<Error>>,
    pub plan: String,
}

impl<'c> Shared<'c> {
    pub fn new(texts: &'c Texts, module_dirs: Vec<String>, workspace: Option<String>, plan: &str) -> Self {
        let mut funcs = Context::new();
        functions::declare(&mut funcs);
        Shared { funcs, texts, module_dirs, workspace, error: RefCell::new(None), plan: plan.to_string() }
    }
}

/// The names an expression can refer to in one module instance.
pub struct Names<'s> {
    pub vars: &'s Map<String, Value>,
    pub locals: &'s Map<String, Value>,
    pub each: Option<&'s (Value, Value)>,
    pub count: Option<u64>,
    /// The module's directory relative to the root module's (`""` for the root module).
    pub dir: &'s str,
}

/// One evaluation: the names, what `for` and `templatefile` bind on top of them, and the shared
/// functions and files.
#[derive(Clone)]
pub struct Env<'s> {
    names: Option<&'s Names<'s>>,
    bound: Vec<(String, Value)>,
    shared: &'s Shared<'s>,
}

const MAX_DEPTH: usize = 128;

impl<'s> Env<'s> {
    pub fn new(names: &'s Names<'s>, shared: &'s Shared<'s>) -> Self {
        Env { names: Some(names), bound: Vec::new(), shared }
    }

    /// Only literals and functions: a variable's default (Terraform evaluates it without context).
    pub fn literal(shared: &'s Shared<'s>) -> Self {
        Env { names: None, bound: Vec::new(), shared }
    }

    fn bind(&self, vars: impl IntoIterator<Item = (String, Value)>) -> Env<'s> {
        let mut e = self.clone();
        e.bound.extend(vars);
        e
    }

    /// The value of a root name (`var`, `local`, `each`, a `for` variable …); `Err` for a name
    /// that is not known at plan time (a resource, a data source, a module output).
    fn root(&self, name: &str) -> Result<Value, Unknown> {
        if let Some((_, v)) = self.bound.iter().rev().find(|(n, _)| n == name) {
            return Ok(v.clone());
        }
        let Some(n) = self.names else { return Err(Unknown::Apply) };
        let obj =
            |pairs: Vec<(&str, Value)>| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        Ok(match name {
            "var" => Value::Object(n.vars.clone()),
            "local" => Value::Object(n.locals.clone()),
            "each" => match n.each {
                Some((k, v)) => obj(vec![("key", k.clone()), ("value", v.clone())]),
                None => return Err(Unknown::Apply),
            },
            "count" => match n.count {
                Some(i) => obj(vec![("index", Value::from(i))]),
                None => return Err(Unknown::Apply),
            },
            "path" => obj(vec![
                ("module", Value::from(if n.dir.is_empty() { "." } else { n.dir })),
                ("root", Value::from(".")),
                // The absolute directory of the machine that ran `terraform plan`: not in the plan.
                ("cwd", Unknown::Apply.marker()),
            ]),
            "terraform" => obj(vec![(
                "workspace",
                match &self.shared.workspace {
                    Some(w) => Value::from(w.as_str()),
                    None => Unknown::Workspace.marker(),
                },
            )]),
            _ => return Err(Unknown::Apply),
        })
    }

    /// `var.x` without copying every variable: the first attribute of `var`/`local` looked up
    /// in place.
    fn root_attr(&self, name: &str, attr: &str) -> Option<Result<Value, Unknown>> {
        if self.bound.iter().any(|(n, _)| n == name) {
            return None;
        }
        let n = self.names?;
        let map = match name {
            "var" => n.vars,
            "local" => n.locals,
            _ => return None,
        };
        // A local not evaluated yet (locals from locals) is an error for this round.
        Some(map.get(attr).cloned().ok_or(Unknown::Apply))
    }

    fn fail(&self, why: String) {
        let mut e = self.shared.error.borrow_mut();
        if e.is_none() {
            *e = Some(Error::ConfigFile { plan: self.shared.plan.clone(), why });
        }
    }
}

/// The value of an expression; `None` when Terraform would report an error.
pub fn evaluate(e: &E, env: &Env) -> Option<Value> {
    eval(e, env, 0)
}

fn eval(e: &E, env: &Env, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return Some(Unknown::Apply.marker());
    }
    let d = depth + 1;
    match e {
        E::Null => Some(Value::Null),
        E::Bool(b) => Some(Value::Bool(*b)),
        E::Number(n) => Some(Value::Number(*n)),
        E::String(s) => Some(Value::String(s.clone())),
        E::Array(items) => items.iter().map(|x| eval(x, env, d)).collect::<Option<Vec<_>>>().map(Value::Array),
        E::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o.iter() {
                let key = match k {
                    hcl::ObjectKey::Identifier(i) => i.to_string(),
                    hcl::ObjectKey::Expression(ke) => {
                        let kv = eval(ke, env, d)?;
                        if let Some(u) = unknown_in(&kv) {
                            return Some(u.marker());
                        }
                        string_of(&kv)?
                    }
                    _ => return None,
                };
                out.insert(key, eval(v, env, d)?);
            }
            Some(Value::Object(out))
        }
        E::Parenthesis(p) => eval(p, env, d),
        E::Variable(v) => env.root(v.as_str()).map_or_else(|u| Some(u.marker()), Some),
        E::Traversal(t) => traversal(t, env, d),
        E::FuncCall(f) => call(f, env, d),
        E::Conditional(c) => {
            let cond = eval(&c.cond_expr, env, d)?;
            if let Some(u) = unknown_in(&cond) {
                return Some(u.marker());
            }
            match cond {
                Value::Bool(true) => eval(&c.true_expr, env, d),
                Value::Bool(false) => eval(&c.false_expr, env, d),
                Value::String(s) if s == "true" => eval(&c.true_expr, env, d),
                Value::String(s) if s == "false" => eval(&c.false_expr, env, d),
                _ => None,
            }
        }
        E::Operation(o) => operation(o, env, d),
        E::ForExpr(f) => for_expr(f, env, d),
        E::TemplateExpr(t) => {
            let tpl = Template::from_expr(t).ok()?;
            template_value(&tpl, env, d)
        }
        _ => Some(Unknown::Apply.marker()),
    }
}

/// A template's value: a template that is one interpolation keeps its value's type (HCL's rule,
/// and how `.tf.json` writes references); any other is a string.
fn template_value(tpl: &Template, env: &Env, d: usize) -> Option<Value> {
    if let [Element::Interpolation(i)] = tpl.elements() {
        return eval(&i.expr, env, d);
    }
    let mut out = String::new();
    match render(&mut out, tpl, env, d, Strip::None, Strip::None)? {
        Some(u) => Some(u.marker()),
        None => Some(Value::String(out)),
    }
}

fn element_strip(e: &Element) -> Strip {
    match e {
        Element::Literal(_) => Strip::None,
        Element::Interpolation(i) => i.strip,
        Element::Directive(dir) => {
            let (start, end) = match &**dir {
                Directive::If(i) => (i.if_strip, i.endif_strip),
                Directive::For(f) => (f.for_strip, f.endfor_strip),
            };
            Strip::from((start.strip_start(), end.strip_end()))
        }
    }
}

/// Whitespace up to and including one line break, as a `~` strip marker removes it.
fn strip_literal(mut s: &str, prev: Strip, next: Strip) -> &str {
    let space = |c: char| c.is_whitespace() && c != '\r' && c != '\n';
    if prev.strip_end() {
        s = s.trim_start_matches(space);
        s = s.strip_prefix("\r\n").or_else(|| s.strip_prefix('\n')).unwrap_or(s);
    }
    if next.strip_start() {
        s = s.trim_end_matches(space);
        s = s.strip_suffix("\r\n").or_else(|| s.strip_suffix('\n')).unwrap_or(s);
    }
    s
}

/// Renders a template into `out`: `Some(Some(why))` when a part is unknown, `None` on an error.
fn render(out: &mut String, tpl: &Template, env: &Env, d: usize, first: Strip, last: Strip) -> Option<Option<Unknown>> {
    let elems = tpl.elements();
    let mut unknown = None;
    for (i, el) in elems.iter().enumerate() {
        let prev = if i == 0 { first } else { element_strip(&elems[i - 1]) };
        let next = if i + 1 == elems.len() { last } else { element_strip(&elems[i + 1]) };
        match el {
            Element::Literal(l) => out.push_str(strip_literal(l, prev, next)),
            Element::Interpolation(x) => {
                let v = eval(&x.expr, env, d)?;
                match unknown_in(&v) {
                    Some(u) => unknown = unknown.or(Some(u)),
                    None => out.push_str(&string_of(&v)?),
                }
            }
            Element::Directive(dir) => match &**dir {
                Directive::If(i) => {
                    let cond = eval(&i.cond_expr, env, d)?;
                    if let Some(u) = unknown_in(&cond) {
                        return Some(Some(u));
                    }
                    let Value::Bool(b) = cond else { return None };
                    let r = if b {
                        let end = if i.false_template.is_some() { i.else_strip } else { i.endif_strip };
                        render(out, &i.true_template, env, d, i.if_strip, end)?
                    } else if let Some(f) = &i.false_template {
                        render(out, f, env, d, i.else_strip, i.endif_strip)?
                    } else {
                        None
                    };
                    unknown = unknown.or(r);
                }
                Directive::For(f) => {
                    let coll = eval(&f.collection_expr, env, d)?;
                    if let Some(u) = unknown_in(&coll) {
                        return Some(Some(u));
                    }
                    for (k, v) in elements(coll)? {
                        let mut vars = vec![(f.value_var.to_string(), v)];
                        if let Some(kv) = &f.key_var {
                            vars.push((kv.to_string(), k));
                        }
                        let r = render(out, &f.template, &env.bind(vars), d, f.for_strip, f.endfor_strip)?;
                        unknown = unknown.or(r);
                    }
                }
            },
        }
    }
    Some(unknown)
}

/// The (key, value) pairs a `for` iterates: a list by index, a map by key in lexical order (as
/// Terraform iterates maps and objects).
fn elements(coll: Value) -> Option<Vec<(Value, Value)>> {
    match coll {
        Value::Array(a) => Some(a.into_iter().enumerate().map(|(i, v)| (Value::from(i as u64), v)).collect()),
        Value::Object(m) => {
            let mut pairs: Vec<(String, Value)> = m.into_iter().collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            Some(pairs.into_iter().map(|(k, v)| (Value::from(k), v)).collect())
        }
        _ => None,
    }
}

fn for_expr(f: &hcl::expr::ForExpr, env: &Env, d: usize) -> Option<Value> {
    let coll = eval(&f.collection_expr, env, d)?;
    if let Some(u) = unknown_in(&coll) {
        return Some(u.marker());
    }
    let mut list = Vec::new();
    let mut map = Map::new();
    for (k, v) in elements(coll)? {
        let mut vars = vec![(f.value_var.to_string(), v)];
        if let Some(kv) = &f.key_var {
            vars.push((kv.to_string(), k));
        }
        let inner = env.bind(vars);
        if let Some(c) = &f.cond_expr {
            let cv = eval(c, &inner, d)?;
            if let Some(u) = unknown_in(&cv) {
                return Some(u.marker());
            }
            match cv {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                _ => return None,
            }
        }
        let value = eval(&f.value_expr, &inner, d)?;
        match &f.key_expr {
            None => list.push(value),
            Some(ke) => {
                let kv = eval(ke, &inner, d)?;
                if let Some(u) = unknown_in(&kv) {
                    return Some(u.marker());
                }
                let key = string_of(&kv)?;
                if f.grouping {
                    match map.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                        Value::Array(a) => a.push(value),
                        _ => return None,
                    }
                } else if map.insert(key, value).is_some() {
                    // Terraform: duplicate object key (without `...` grouping).
                    return None;
                }
            }
        }
    }
    Some(if f.key_expr.is_some() { Value::Object(map) } else { Value::Array(list) })
}

fn traversal(t: &hcl::expr::Traversal, env: &Env, d: usize) -> Option<Value> {
    let mut ops = t.operators.as_slice();
    let mut value = match (&t.expr, ops.first()) {
        (E::Variable(v), Some(TraversalOperator::GetAttr(a))) if env.root_attr(v.as_str(), a.as_str()).is_some() => {
            ops = &ops[1..];
            match env.root_attr(v.as_str(), a.as_str()).expect("checked") {
                Ok(v) => v,
                Err(_) => return None,
            }
        }
        (E::Variable(v), _) => match env.root(v.as_str()) {
            Ok(v) => v,
            Err(u) => return Some(u.marker()),
        },
        (base, _) => eval(base, env, d)?,
    };
    for (i, op) in ops.iter().enumerate() {
        if let Some(u) = unknown_in(&value) {
            // Looking into a value that is unknown as a whole: unknown. (A known object with an
            // unknown attribute elsewhere is fine: `merge(…).known_key`.)
            if matches!(&value, Value::String(_)) {
                return Some(u.marker());
            }
        }
        value = match op {
            TraversalOperator::GetAttr(a) => match value {
                Value::Object(mut m) => m.swap_remove(a.as_str())?,
                _ => return None,
            },
            TraversalOperator::Index(ix) => {
                let k = eval(ix, env, d)?;
                if let Some(u) = unknown_in(&k) {
                    return Some(u.marker());
                }
                index(value, &k)?
            }
            TraversalOperator::LegacyIndex(n) => index(value, &Value::from(*n))?,
            // Splats: hcl-rs on the known value, with what follows.
            _ => {
                let rest = hcl::expr::Traversal::new(E::from(value), ops[i..].to_vec());
                return E::Traversal(Box::new(rest)).evaluate(&env.shared.funcs).ok();
            }
        };
    }
    Some(value)
}

fn index(value: Value, k: &Value) -> Option<Value> {
    match value {
        Value::Array(mut a) => {
            let i = match k {
                Value::Number(n) => n.as_u64()?,
                Value::String(s) => s.parse::<u64>().ok()?,
                _ => return None,
            } as usize;
            (i < a.len()).then(|| a.swap_remove(i))
        }
        Value::Object(mut m) => m.swap_remove(string_of(k)?.as_str()),
        _ => None,
    }
}

/// A primitive as Terraform converts it to a string (`5`, `true`); collections and null cannot be.
pub fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn call(f: &FuncCall, env: &Env, d: usize) -> Option<Value> {
    let name = f.name.name.as_str();
    if !f.name.namespace.is_empty() || !functions::NAMES.contains(&name) {
        return Some(Unknown::Apply.marker());
    }
    // Lazy in Terraform: the first argument that evaluates without an error.
    if name == "try" || name == "can" {
        for arg in &f.args {
            if let Some(v) = eval(arg, env, d) {
                if let Some(u) = unknown_in(&v) {
                    return Some(u.marker());
                }
                return Some(if name == "can" { Value::Bool(true) } else { v });
            }
        }
        return if name == "can" { Some(Value::Bool(false)) } else { None };
    }
    let mut args = f.args.iter().map(|a| eval(a, env, d)).collect::<Option<Vec<Value>>>()?;
    if f.expand_final {
        match args.pop() {
            Some(Value::Array(rest)) => args.extend(rest),
            _ => return None,
        }
    }
    // Only functions that keep an unknown element where it was may see one; any other could turn
    // it into a known-looking value (`length`, `lookup`, `coalesce`, `replace`'s pattern, …).
    if !functions::CARRY_UNKNOWN.contains(&name) {
        if let Some(u) = args.iter().find_map(unknown_in) {
            return Some(u.marker());
        }
    }
    match name {
        "file" | "fileexists" | "templatefile" | "filebase64" => return file_function(name, &args, env, d),
        _ => {}
    }
    let literal = FuncCall { name: f.name.clone(), args: args.into_iter().map(E::from).collect(), expand_final: false };
    E::FuncCall(Box::new(literal)).evaluate(&env.shared.funcs).ok()
}

/// `file`, `fileexists`, `filebase64` and `templatefile`: paths relative to the root module's
/// directory (where `terraform plan` runs), read from the configuration's files only.
fn file_function(name: &str, args: &[Value], env: &Env, d: usize) -> Option<Value> {
    let Some(Value::String(raw)) = args.first() else { return None };
    let path = super::normalize(raw);
    let inside = !raw.starts_with(['/', '\\'])
        && !raw.contains(':')
        && (!path.starts_with("..") || env.shared.module_dirs.iter().any(|m| path.starts_with(&format!("{m}/"))));
    if !inside {
        // Never read outside the directory: an input error, not an unknown.
        env.fail(format!(
            "{name}() reads {:?}, which is outside the configuration directory",
            crate::redact::url_credentials(raw)
        ));
        return None;
    }
    let text = env.shared.texts.get(&path);
    match name {
        "fileexists" => Some(Value::Bool(text.is_some())),
        _ => {
            // Present but not read (too large, not text): unknown. Absent: Terraform's error.
            let text = match text? {
                Some(t) => t,
                None => return Some(Unknown::Apply.marker()),
            };
            match name {
                "file" => Some(Value::from(text.as_str())),
                "filebase64" => {
                    use base64::Engine;
                    Some(Value::from(base64::engine::general_purpose::STANDARD.encode(text.as_bytes())))
                }
                _ => {
                    // templatefile: the template sees only the variables given (and functions).
                    let vars = match args.get(1) {
                        Some(Value::Object(m)) => m.clone(),
                        None | Some(Value::Null) => Map::new(),
                        _ => return None,
                    };
                    let tpl = text.parse::<Template>().ok()?;
                    let inner = Env { names: None, bound: vars.into_iter().collect(), shared: env.shared };
                    let mut out = String::new();
                    match render(&mut out, &tpl, &inner, d, Strip::None, Strip::None)? {
                        Some(u) => Some(u.marker()),
                        None => Some(Value::String(out)),
                    }
                }
            }
        }
    }
}

/// Integers up to this stay exact as `f64` (Terraform's numbers are arbitrary precision: beyond
/// it the result is not guessed).
const EXACT: f64 = 9_007_199_254_740_992.0;

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|x| x.abs() <= EXACT),
        // Terraform converts a numeric string operand to a number.
        Value::String(s) => s.parse::<f64>().ok().filter(|x| x.is_finite() && x.abs() <= EXACT),
        _ => None,
    }
}

fn from_f64(x: f64) -> Option<Value> {
    if !x.is_finite() || x.abs() > EXACT {
        return None;
    }
    Some(if x.fract() == 0.0 { Value::from(x as i64) } else { Value::Number(hcl::Number::from_f64(x)?) })
}

fn operation(o: &hcl::expr::Operation, env: &Env, d: usize) -> Option<Value> {
    use hcl::expr::{BinaryOperator as B, Operation, UnaryOperator as U};
    match o {
        Operation::Unary(u) => {
            let v = eval(&u.expr, env, d)?;
            if let Some(x) = unknown_in(&v) {
                return Some(x.marker());
            }
            match (u.operator, v) {
                (U::Neg, v) => from_f64(-number(&v)?),
                (U::Not, Value::Bool(b)) => Some(Value::Bool(!b)),
                (U::Not, _) => None,
            }
        }
        Operation::Binary(b) => {
            let l = eval(&b.lhs_expr, env, d)?;
            let r = eval(&b.rhs_expr, env, d)?;
            // `unknown == "a"` is unknown, not false.
            if let Some(x) = unknown_in(&l).or_else(|| unknown_in(&r)) {
                return Some(x.marker());
            }
            let arith = |f: fn(f64, f64) -> Option<f64>| from_f64(f(number(&l)?, number(&r)?)?);
            let cmp = |f: fn(f64, f64) -> bool| Some(Value::Bool(f(number(&l)?, number(&r)?)));
            let logic = |f: fn(bool, bool) -> bool| match (&l, &r) {
                (Value::Bool(x), Value::Bool(y)) => Some(Value::Bool(f(*x, *y))),
                _ => None,
            };
            match b.operator {
                B::Plus => arith(|a, b| Some(a + b)),
                B::Minus => arith(|a, b| Some(a - b)),
                B::Mul => arith(|a, b| Some(a * b)),
                // Terraform: "can't divide by zero" is an error; division is not integer division.
                B::Div => arith(|a, b| (b != 0.0).then(|| a / b)),
                // The remainder takes the dividend's sign, as Go's and cty's do.
                B::Mod => arith(|a, b| (b != 0.0).then(|| a % b)),
                B::Less => cmp(|a, b| a < b),
                B::LessEq => cmp(|a, b| a <= b),
                B::Greater => cmp(|a, b| a > b),
                B::GreaterEq => cmp(|a, b| a >= b),
                B::And => logic(|a, b| a && b),
                B::Or => logic(|a, b| a || b),
                B::Eq => Some(Value::Bool(equal(&l, &r))),
                B::NotEq => Some(Value::Bool(!equal(&l, &r))),
            }
        }
    }
}

/// Terraform's `==`: same type and value (`1 == 1.0`; `"1" != 1`).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}
