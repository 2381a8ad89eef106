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

/// `format` with Go's fmt verbs as Terraform documents them: `%v %s %d %t %f %e %x %X %o %b %q
/// %%`, flags `-`, `+`, `0`, width and precision. What it cannot do exactly (`%[n]d`, `%#v`, `%q`
/// of a non-ASCII string) is an error, so the value is unknown rather than wrong.
fn format(a: FuncArgs) -> Result<Value, String> {
    let a = args(&a);
    let spec = string(a.first().ok_or("format needs a format string")?)?;
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut left, mut zero, mut plus) = (false, false, false);
        while let Some(f) = chars.peek().copied() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' => plus = true,
                _ => break,
            }
            chars.next();
        }
        let mut width = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            width.push(d);
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                p.push(d);
                chars.next();
            }
            precision = Some(p.parse().unwrap_or(0));
        }
        let verb = chars.next().ok_or("format: a verb is missing")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = a.get(next).ok_or("format: too few arguments")?;
        next += 1;
        let int = |v: &Value| match v {
            Value::Number(n) => n.as_i64().filter(|_| n.as_f64().is_some_and(|f| f.fract() == 0.0)),
            Value::String(s) => s.parse::<i64>().ok(),
            _ => None,
        };
        let float = |v: &Value| match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.parse::<f64>().ok(),
            _ => None,
        };
        let signed = |s: String, neg: bool| if !neg && plus { format!("+{s}") } else { s };
        let text = match verb {
            'v' | 's' => {
                let s = match arg {
                    Value::Array(_) | Value::Object(_) if verb == 'v' => {
                        return Err("format: %v of a collection is not evaluated".into())
                    }
                    v => string(v)?,
                };
                match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            'd' => {
                let n = int(arg).ok_or("format: %d needs a whole number")?;
                signed(n.to_string(), n < 0)
            }
            't' => match arg {
                Value::Bool(b) => b.to_string(),
                _ => return Err("format: %t needs a bool".into()),
            },
            'f' => {
                let x = float(arg).ok_or("format: %f needs a number")?;
                signed(format!("{:.*}", precision.unwrap_or(6), x), x < 0.0)
            }
            'e' => {
                let x = float(arg).ok_or("format: %e needs a number")?;
                let s = format!("{:.*e}", precision.unwrap_or(6), x);
                // Go writes the exponent with a sign and at least two digits: 1.5e+03.
                let (m, e) = s.split_once('e').ok_or("format: %e")?;
                let (sign, digits) = e.strip_prefix('-').map(|d| ('-', d)).unwrap_or(('+', e));
                signed(format!("{m}e{sign}{digits:0>2}"), x < 0.0)
            }
            'x' | 'X' | 'o' | 'b' => {
                let s = match (arg, int(arg)) {
                    (Value::Number(_), Some(n)) => {
                        let (neg, m) = (n < 0, n.unsigned_abs());
                        let body = match verb {
                            'x' => format!("{m:x}"),
                            'X' => format!("{m:X}"),
                            'o' => format!("{m:o}"),
                            _ => format!("{m:b}"),
                        };
                        if neg {
                            format!("-{body}")
                        } else {
                            body
                        }
                    }
                    (Value::String(s), _) if matches!(verb, 'x' | 'X') => {
                        s.bytes().map(|b| if verb == 'x' { format!("{b:02x}") } else { format!("{b:02X}") }).collect()
                    }
                    _ => return Err("format: %x/%o/%b need a whole number".into()),
                };
                s
            }
            'q' => {
                let s = string(arg)?;
                if !s.chars().all(|c| (' '..='~').contains(&c)) {
                    return Err("format: %q of this string is not evaluated".into());
                }
                format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
            }
            _ => return Err("format: verb not supported".into()),
        };
        let width: usize = width.parse().unwrap_or(0);
        let len = text.chars().count();
        if len >= width {
            out.push_str(&text);
        } else if left {
            out.push_str(&text);
            out.push_str(&" ".repeat(width - len));
        } else if zero && matches!(verb, 'd' | 'f' | 'e' | 'x' | 'X' | 'o' | 'b') {
            let (sign, digits) = match text.strip_prefix(['-', '+']) {
                Some(d) => (&text[..1], d),
                None => ("", text.as_str()),
            };
            out.push_str(sign);
            out.push_str(&"0".repeat(width - len));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(width - len));
            out.push_str(&text);
        }
    }
    if next < a.len() {
        return Err("format: too many arguments".into());
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

/// `replace(s, substring, replacement)`; a `/regex/` substring is a regular expression whose
/// replacement may name groups (`$1`, `${name}`), as Go's `Regexp.ReplaceAllString` does.
fn replace(a: FuncArgs) -> Result<Value, String> {
    let (s, from, to) = (str1(&a)?, str_at(&a, 1)?, str_at(&a, 2)?);
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        let re = regex_of(&from[1..from.len() - 1])?;
        return Ok(Value::String(re.replace_all(&s, to.as_str()).into_owned()));
    }
    Ok(Value::String(s.replace(&from, &to)))
}

/// Terraform's regular expressions are Go's RE2 syntax; regex-lite reads the same syntax, without
/// Unicode classes (`\pL`): a pattern it cannot read is an error (unknown), never a guess. Patterns
/// are bounded so a hostile one cannot take the evaluation's memory.
fn regex_of(pattern: &str) -> Result<regex_lite::Regex, String> {
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
        .map_err(|_| "regex: a pattern this evaluator does not read".to_string())
}

/// What `regex` returns for one match: the whole match without groups, a list of the groups,
/// or an object of the named ones (an unmatched group is null).
fn captures(re: &regex_lite::Regex, c: &regex_lite::Captures) -> Value {
    let text = |m: Option<regex_lite::Match>| m.map(|m| Value::from(m.as_str())).unwrap_or(Value::Null);
    if re.captures_len() == 1 {
        return text(c.get(0));
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().any(Option::is_some) {
        let mut m = Map::new();
        for (i, n) in names.iter().enumerate() {
            if let Some(n) = n {
                m.insert(n.to_string(), text(c.get(i + 1)));
            }
        }
        return Value::Object(m);
    }
    Value::Array((1..re.captures_len()).map(|i| text(c.get(i))).collect())
}

fn regex(a: FuncArgs) -> Result<Value, String> {
    let (pattern, s) = (str1(&a)?, str_at(&a, 1)?);
    let re = regex_of(&pattern)?;
    let c = re.captures(&s).ok_or("regex: no match")?;
    Ok(captures(&re, &c))
}

fn regexall(a: FuncArgs) -> Result<Value, String> {
    let (pattern, s) = (str1(&a)?, str_at(&a, 1)?);
    let re = regex_of(&pattern)?;
    Ok(Value::Array(re.captures_iter(&s).map(|c| captures(&re, &c)).collect()))
}

fn startswith(a: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(str1(&a)?.starts_with(str_at(&a, 1)?.as_str())))
}
fn endswith(a: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(str1(&a)?.ends_with(str_at(&a, 1)?.as_str())))
}

fn base64encode(a: FuncArgs) -> Result<Value, String> {
    use base64::Engine;
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(str1(&a)?)))
}

/// Terraform: the decoded bytes must be UTF-8.
fn base64decode(a: FuncArgs) -> Result<Value, String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(str1(&a)?).map_err(|_| "base64decode: not base64")?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| "base64decode: not UTF-8".into())
}

fn number(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "a number".into()),
        Value::String(s) => s.trim().parse::<f64>().map_err(|_| "a number is required".into()),
        _ => Err("a number is required".into()),
    }
}

fn from_f64(x: f64) -> Result<Value, String> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return Ok(Value::from(x as i64));
    }
    hcl::Number::from_f64(x).map(Value::Number).ok_or_else(|| "not a finite number".into())
}

fn tonumber(a: FuncArgs) -> Result<Value, String> {
    match args(&a).first() {
        Some(Value::Null) => Ok(Value::Null),
        Some(v) => from_f64(number(v)?),
        None => Err("tonumber(value)".into()),
    }
}

fn tobool(a: FuncArgs) -> Result<Value, String> {
    match args(&a).first() {
        Some(Value::Null) => Ok(Value::Null),
        Some(Value::Bool(b)) => Ok(Value::Bool(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Value::Bool(true)),
        Some(Value::String(s)) if s == "false" => Ok(Value::Bool(false)),
        _ => Err("tobool: only true, false, \"true\" or \"false\"".into()),
    }
}

fn tomap(a: FuncArgs) -> Result<Value, String> {
    match args(&a).first() {
        Some(v @ (Value::Object(_) | Value::Null)) => Ok(v.clone()),
        _ => Err("tomap(object)".into()),
    }
}

fn abs(a: FuncArgs) -> Result<Value, String> {
    from_f64(number(args(&a).first().ok_or("abs(number)")?)?.abs())
}

fn numbers(a: &FuncArgs) -> Result<Vec<f64>, String> {
    let list = args(a).iter().map(number).collect::<Result<Vec<f64>, String>>()?;
    if list.is_empty() {
        return Err("at least one number".into());
    }
    Ok(list)
}

fn max(a: FuncArgs) -> Result<Value, String> {
    from_f64(numbers(&a)?.into_iter().fold(f64::MIN, f64::max))
}
fn min(a: FuncArgs) -> Result<Value, String> {
    from_f64(numbers(&a)?.into_iter().fold(f64::MAX, f64::min))
}

/// Longer lists than this from `range` and `setproduct` are an error: no configuration of
/// clusters needs them, and a hostile one must not take the memory.
const MAX_ELEMENTS: usize = 1 << 16;

fn range(a: FuncArgs) -> Result<Value, String> {
    let n = numbers(&a)?;
    let (start, end, step) = match n.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err("range takes one to three numbers".into()),
    };
    if step == 0.0 || (step > 0.0 && start > end) || (step < 0.0 && start < end) {
        return if start == end || step != 0.0 { Ok(Value::Array(Vec::new())) } else { Err("range: step 0".into()) };
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
        if out.len() >= MAX_ELEMENTS {
            return Err("range: too many elements".into());
        }
        out.push(from_f64(x)?);
        x += step;
    }
    Ok(Value::Array(out))
}

fn flatten(a: FuncArgs) -> Result<Value, String> {
    fn into(v: &Value, out: &mut Vec<Value>, depth: usize) -> Result<(), String> {
        match v {
            Value::Array(items) if depth < 64 => items.iter().try_for_each(|i| into(i, out, depth + 1)),
            Value::Array(_) => Err("flatten: nested too deep".into()),
            other => {
                out.push(other.clone());
                Ok(())
            }
        }
    }
    let Some(list @ Value::Array(_)) = args(&a).first() else { return Err("flatten(list)".into()) };
    let mut out = Vec::new();
    into(list, &mut out, 0)?;
    Ok(Value::Array(out))
}

fn distinct(a: FuncArgs) -> Result<Value, String> {
    let Some(Value::Array(items)) = args(&a).first() else { return Err("distinct(list)".into()) };
    let mut out: Vec<Value> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    Ok(Value::Array(out))
}

fn zipmap(a: FuncArgs) -> Result<Value, String> {
    let (Some(Value::Array(k)), Some(Value::Array(v))) = (args(&a).first(), args(&a).get(1)) else {
        return Err("zipmap(keys, values)".into());
    };
    if k.len() != v.len() {
        return Err("zipmap: lists of different lengths".into());
    }
    let mut m = Map::new();
    for (k, v) in k.iter().zip(v) {
        m.insert(string(k)?, v.clone());
    }
    Ok(Value::Object(m))
}

fn setproduct(a: FuncArgs) -> Result<Value, String> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for list in args(&a) {
        let Value::Array(items) = list else { return Err("setproduct takes lists".into()) };
        if out.len().saturating_mul(items.len()) > MAX_ELEMENTS {
            return Err("setproduct: too many elements".into());
        }
        out = out.iter().flat_map(|p| items.iter().map(move |i| [p.clone(), vec![i.clone()]].concat())).collect();
    }
    if args(&a).is_empty() {
        return Err("setproduct needs lists".into());
    }
    Ok(Value::Array(out.into_iter().map(Value::Array).collect()))
}

pub(super) fn json_to_value(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .unwrap_or_else(|| from_f64(n.as_f64().unwrap_or(0.0)).unwrap_or(Value::Null)),
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::Array(a.iter().map(json_to_value).collect()),
        J::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), json_to_value(v))).collect()),
    }
}

fn jsondecode(a: FuncArgs) -> Result<Value, String> {
    let v: serde_json::Value = serde_json::from_str(&str1(&a)?).map_err(|_| "jsondecode: not JSON")?;
    Ok(json_to_value(&v))
}

/// One YAML document, read by the engine's YAML reader with its limits (YAML 1.2 core schema).
fn yamldecode(a: FuncArgs) -> Result<Value, String> {
    let mut docs = crate::yaml::parse(&str1(&a)?).map_err(|e| format!("yamldecode: {e}"))?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(json_to_value(&docs.remove(0).to_json())),
        _ => Err("yamldecode: more than one document".into()),
    }
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

pub(super) fn to_json(v: &Value) -> serde_json::Value {
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
        ("tomap", fixed(1, tomap)),
        ("tonumber", fixed(1, tonumber)),
        ("tobool", fixed(1, tobool)),
        ("regex", fixed(2, regex)),
        ("regexall", fixed(2, regexall)),
        ("startswith", fixed(2, startswith)),
        ("endswith", fixed(2, endswith)),
        ("base64encode", fixed(1, base64encode)),
        ("base64decode", fixed(1, base64decode)),
        ("abs", fixed(1, abs)),
        ("max", variadic(max)),
        ("min", variadic(min)),
        ("range", variadic(range)),
        ("flatten", fixed(1, flatten)),
        ("distinct", fixed(1, distinct)),
        ("zipmap", fixed(2, zipmap)),
        ("setproduct", variadic(setproduct)),
        ("jsondecode", fixed(1, jsondecode)),
        ("yamldecode", fixed(1, yamldecode)),
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
    "tonumber",
    "tobool",
    "regex",
    "regexall",
    "startswith",
    "endswith",
    "base64encode",
    "base64decode",
    "abs",
    "max",
    "min",
    "range",
    "flatten",
    "distinct",
    "zipmap",
    "setproduct",
    "jsondecode",
    "yamldecode",
    // Read the configuration's files: handled by the evaluator, which holds them.
    "file",
    "fileexists",
    "filebase64",
    "templatefile",
    "try",
    "can",
];
