//! The Terraform functions configurations build `etcd_backup` maps with, declared for hcl-rs's
//! evaluator. Each follows Terraform's documented behaviour
//! (https://developer.hashicorp.com/terraform/language/functions); anything it cannot do exactly
//! (a regex `replace`, a `format` verb it does not know) is an error, which the evaluator turns
//! into *unknown* — never a guess. `try` and `can` are lazy and handled by the evaluator.

use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::{Map, Value};

fn string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("null where a string is required".into()),
        _ => Err("a collection where a string is required".into()),
    }
}

fn args(a: &FuncArgs) -> &[Value] {
    a
}

fn merge(a: FuncArgs) -> Result<Value, String> {
    let mut out = Map::new();
    for v in args(&a) {
        match v {
            Value::Null => {}
            Value::Object(m) => out.extend(m.clone()),
            _ => return Err("merge takes maps".into()),
        }
    }
    Ok(Value::Object(out))
}

fn lookup(a: FuncArgs) -> Result<Value, String> {
    let a = args(&a);
    let (Some(Value::Object(m)), Some(k)) = (a.first(), a.get(1)) else {
        return Err("lookup(map, key[, default])".into());
    };
    match (m.get(&string(k)?), a.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(d)) => Ok(d.clone()),
        (None, None) => Err("lookup: no such key and no default".into()),
    }
}

/// `format` with the verbs maps are written with: `%s`, `%d`, `%v`, `%%`. Others are an error.
fn format(a: FuncArgs) -> Result<Value, String> {
    let a = args(&a);
    let spec = string(a.first().ok_or("format needs a format string")?)?;
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s') | Some('v') | Some('d') => {
                out.push_str(&string(a.get(next).ok_or("format: too few arguments")?)?);
                next += 1;
            }
            _ => return Err("format: verb not supported".into()),
        }
    }
    Ok(Value::String(out))
}

fn join(a: FuncArgs) -> Result<Value, String> {
    let a = args(&a);
    let sep = string(a.first().ok_or("join(sep, list)")?)?;
    let mut parts = Vec::new();
    for list in &a[1..] {
        let Value::Array(items) = list else { return Err("join takes lists".into()) };
        for i in items {
            parts.push(string(i)?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

fn str1(a: &FuncArgs) -> Result<String, String> {
    string(args(a).first().ok_or("one string argument")?)
}

fn str_at(a: &FuncArgs, i: usize) -> Result<String, String> {
    string(args(a).get(i).ok_or("missing argument")?)
}

fn lower(a: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str1(&a)?.to_lowercase()))
}
fn upper(a: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str1(&a)?.to_uppercase()))
}
fn trimspace(a: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str1(&a)?.trim().to_string()))
}
fn trim(a: FuncArgs) -> Result<Value, String> {
    let cut = str_at(&a, 1)?;
    Ok(Value::String(str1(&a)?.trim_matches(|c| cut.contains(c)).to_string()))
}
fn trimprefix(a: FuncArgs) -> Result<Value, String> {
    let (s, p) = (str1(&a)?, str_at(&a, 1)?);
    Ok(Value::String(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string()))
}
fn trimsuffix(a: FuncArgs) -> Result<Value, String> {
    let (s, p) = (str1(&a)?, str_at(&a, 1)?);
    Ok(Value::String(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string()))
}

/// `replace(s, substring, replacement)`; a `/regex/` substring is not evaluated (an error).
fn replace(a: FuncArgs) -> Result<Value, String> {
    let (s, from, to) = (str1(&a)?, str_at(&a, 1)?, str_at(&a, 2)?);
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        return Err("replace: regular expressions are not evaluated".into());
    }
    Ok(Value::String(s.replace(&from, &to)))
}

fn coalesce(a: FuncArgs) -> Result<Value, String> {
    args(&a)
        .iter()
        .find(|v| !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty()))
        .cloned()
        .ok_or_else(|| "coalesce: no non-null, non-empty argument".into())
}

fn concat(a: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for v in args(&a) {
        let Value::Array(items) = v else { return Err("concat takes lists".into()) };
        out.extend(items.iter().cloned());
    }
    Ok(Value::Array(out))
}

fn tostring(a: FuncArgs) -> Result<Value, String> {
    match args(&a).first() {
        Some(Value::Null) => Ok(Value::Null),
        Some(v) => Ok(Value::String(string(v)?)),
        None => Err("tostring(value)".into()),
    }
}

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::from_str(&n.to_string()).unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        // Terraform's jsonencode writes object keys in lexical order.
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            serde_json::Value::Object(keys.into_iter().map(|k| (k.clone(), to_json(&m[k]))).collect())
        }
    }
}

fn jsonencode(a: FuncArgs) -> Result<Value, String> {
    let v = args(&a).first().ok_or("jsonencode(value)")?;
    crate::format::json::compact(&to_json(v), "jsonencode").map(Value::String).map_err(|_| "jsonencode failed".into())
}

fn keys(a: FuncArgs) -> Result<Value, String> {
    let Some(Value::Object(m)) = args(&a).first() else { return Err("keys(map)".into()) };
    let mut k: Vec<&String> = m.keys().collect();
    k.sort();
    Ok(Value::Array(k.into_iter().map(|k| Value::String(k.clone())).collect()))
}

fn values(a: FuncArgs) -> Result<Value, String> {
    let Some(Value::Object(m)) = args(&a).first() else { return Err("values(map)".into()) };
    let mut k: Vec<&String> = m.keys().collect();
    k.sort();
    Ok(Value::Array(k.into_iter().map(|k| m[k].clone()).collect()))
}

/// `toset`: Terraform sets of strings iterate in lexical order, without duplicates.
fn toset(a: FuncArgs) -> Result<Value, String> {
    let Some(Value::Array(items)) = args(&a).first() else { return Err("toset(list)".into()) };
    let mut s: Vec<String> = items.iter().map(string).collect::<Result<_, _>>()?;
    s.sort();
    s.dedup();
    Ok(Value::Array(s.into_iter().map(Value::String).collect()))
}

fn identity(a: FuncArgs) -> Result<Value, String> {
    args(&a).first().cloned().ok_or_else(|| "one argument".into())
}

fn length(a: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(match args(&a).first() {
        Some(Value::Array(x)) => x.len(),
        Some(Value::Object(x)) => x.len(),
        Some(Value::String(s)) => s.chars().count(),
        _ => return Err("length(collection)".into()),
    }))
}

fn split(a: FuncArgs) -> Result<Value, String> {
    let (sep, s) = (str1(&a)?, str_at(&a, 1)?);
    Ok(Value::Array(s.split(sep.as_str()).map(|p| Value::String(p.to_string())).collect()))
}

fn contains(a: FuncArgs) -> Result<Value, String> {
    let Some(Value::Array(items)) = args(&a).first() else { return Err("contains(list, value)".into()) };
    Ok(Value::Bool(args(&a).get(1).is_some_and(|v| items.contains(v))))
}

fn element(a: FuncArgs) -> Result<Value, String> {
    let (Some(Value::Array(items)), Some(Value::Number(i))) = (args(&a).first(), args(&a).get(1)) else {
        return Err("element(list, index)".into());
    };
    let i = i.as_u64().ok_or("element: index")? as usize;
    if items.is_empty() {
        return Err("element: empty list".into());
    }
    Ok(items[i % items.len()].clone())
}

fn compact(a: FuncArgs) -> Result<Value, String> {
    let Some(Value::Array(items)) = args(&a).first() else { return Err("compact(list)".into()) };
    Ok(Value::Array(items.iter().filter(|v| !matches!(v, Value::Null) && **v != Value::from("")).cloned().collect()))
}

/// Declares every function in `ctx`.
pub fn declare(ctx: &mut Context) {
    let any = || ParamType::Any;
    let variadic = |f| FuncDef::builder().variadic_param(ParamType::Any).build(f);
    let fixed = |n: usize, f| FuncDef::builder().params(std::iter::repeat_with(any).take(n)).build(f);
    for (name, f) in [
        ("merge", variadic(merge)),
        ("lookup", variadic(lookup)),
        ("format", variadic(format)),
        ("join", variadic(join)),
        ("coalesce", variadic(coalesce)),
        ("concat", variadic(concat)),
        ("lower", fixed(1, lower)),
        ("upper", fixed(1, upper)),
        ("trimspace", fixed(1, trimspace)),
        ("trim", fixed(2, trim)),
        ("trimprefix", fixed(2, trimprefix)),
        ("trimsuffix", fixed(2, trimsuffix)),
        ("replace", fixed(3, replace)),
        ("tostring", fixed(1, tostring)),
        ("jsonencode", fixed(1, jsonencode)),
        ("keys", fixed(1, keys)),
        ("values", fixed(1, values)),
        ("toset", fixed(1, toset)),
        ("tolist", fixed(1, identity)),
        ("tomap", fixed(1, identity)),
        ("length", fixed(1, length)),
        ("split", fixed(2, split)),
        ("contains", fixed(2, contains)),
        ("element", fixed(2, element)),
        ("compact", fixed(1, compact)),
    ] {
        ctx.declare_func(name, f);
    }
}

/// Functions that keep an unknown element of their arguments where it was, so that the other
/// keys of a `merge(...)` stay known. Any other function with an unknown argument is unknown
/// (a string with an unknown part is unknown anyway).
pub const CARRY_UNKNOWN: &[&str] = &["merge", "concat", "tolist", "tomap"];

/// The names `declare` declares, and the lazy ones the evaluator handles itself.
pub const NAMES: &[&str] = &[
    "merge",
    "lookup",
    "format",
    "join",
    "coalesce",
    "concat",
    "lower",
    "upper",
    "trimspace",
    "trim",
    "trimprefix",
    "trimsuffix",
    "replace",
    "tostring",
    "jsonencode",
    "keys",
    "values",
    "toset",
    "tolist",
    "tomap",
    "length",
    "split",
    "contains",
    "element",
    "compact",
    "try",
    "can",
];
