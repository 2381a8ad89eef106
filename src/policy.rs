//! The OPA policy view of the engine: entrypoints, the result set a compiled Rego policy would
//! return, and the edits OPA's ABI makes on the data document. Target-independent, so it is
//! tested natively; `opa_abi` is the thin WebAssembly surface (`policy.wasm`) over it.

use serde_json::{Map, Value};

use crate::{format, options::Options, Error, Session};

/// Entrypoint names and IDs, as `opa build -e` would number them.
pub const ENTRYPOINTS: [&str; 3] = ["etcd_backup/deny", "etcd_backup/warn", "etcd_backup/report"];

/// The name the plan goes by in messages: it is OPA's `input` document.
pub const INPUT_NAME: &str = "input";

/// OPA's error codes for `opa_value_add_path` / `opa_value_remove_path`.
pub const ERR_OK: i32 = 0;
pub const ERR_INVALID_TYPE: i32 = 2;
pub const ERR_INVALID_PATH: i32 = 3;

/// `{"etcd_backup/deny": 0, …}`.
pub fn entrypoints_json() -> Value {
    Value::Object(ENTRYPOINTS.iter().enumerate().map(|(i, n)| (n.to_string(), Value::from(i))).collect())
}

/// Evaluates `input` (plan JSON, or Spacelift's plan-policy input) with `data` (the data
/// document, `None` when the host set none) at entrypoint `id`, returning the result set as JSON
/// text: `[{"result": …}]`. `deny` and `warn` are Rego sets: sorted, without duplicates.
///
/// A missing input is an error, not an empty `deny`: a gate must not pass a plan it never saw.
pub fn evaluate(id: i32, data: Option<&Value>, input: Option<&[u8]>) -> Result<String, Error> {
    let entrypoint = usize::try_from(id).ok().and_then(|i| ENTRYPOINTS.get(i)).ok_or_else(|| Error::Usage {
        why: format!(
            "entrypoint {id} does not exist (entrypoints: 0 {}, 1 {}, 2 {})",
            ENTRYPOINTS[0], ENTRYPOINTS[1], ENTRYPOINTS[2]
        ),
    })?;
    let input = input.ok_or_else(|| Error::Usage {
        why: "no input: the input document must be the Terraform plan JSON (or Spacelift's plan-policy input)".into(),
    })?;
    let options = match data {
        None => Options::default(),
        Some(d) => Options::from_data(d)?,
    };
    let mut session = Session::new(options);
    session.add_plan(INPUT_NAME, input)?;
    let result = match *entrypoint {
        // The JSON format directly, not through `render`: the other formats stay out of policy.wasm.
        "etcd_backup/report" => format::json::report(session.report_ref())?,
        name => {
            let r = session.report_ref();
            let mut set = if name == "etcd_backup/deny" { r.deny.clone() } else { r.warn.clone() };
            crate::order::sort_by(&mut set, Ord::cmp);
            set.dedup();
            format::json::pretty(&set, "OPA result")?
        }
    };
    Ok(format!("[{{\"result\":{}}}]", result.trim_end()))
}

/// `opa_value_add_path`: sets `base` at `path` (an array of strings) to `value`, creating objects
/// on the way; `base` is left unchanged on error.
pub fn add_path(base: &mut Value, path: &Value, value: Value) -> i32 {
    let Some(keys) = path_keys(path) else { return ERR_INVALID_PATH };
    let Some((last, parents)) = keys.split_last() else { return ERR_INVALID_PATH };
    if !base.is_object() {
        return ERR_INVALID_TYPE;
    }
    // Check before changing anything: every existing step must be an object.
    let mut at = &*base;
    for k in parents {
        match at.get(*k) {
            None => break,
            Some(v @ Value::Object(_)) => at = v,
            Some(_) => return ERR_INVALID_PATH,
        }
    }
    let mut obj = base.as_object_mut().expect("checked above");
    for k in parents {
        obj = match obj.entry(k.to_string()).or_insert_with(|| Value::Object(Map::new())) {
            Value::Object(o) => o,
            _ => unreachable!("checked above"),
        };
    }
    obj.insert(last.to_string(), value);
    ERR_OK
}

/// `opa_value_remove_path`: removes what `path` names from `base`.
pub fn remove_path(base: &mut Value, path: &Value) -> i32 {
    let Some(keys) = path_keys(path) else { return ERR_INVALID_PATH };
    let Some((last, parents)) = keys.split_last() else { return ERR_INVALID_PATH };
    let mut at = base;
    for k in parents {
        at = match at.get_mut(*k) {
            Some(v) => v,
            None => return ERR_INVALID_PATH,
        };
    }
    match at {
        Value::Object(o) => match o.remove(*last) {
            Some(_) => ERR_OK,
            None => ERR_INVALID_PATH,
        },
        _ => ERR_INVALID_TYPE,
    }
}

fn path_keys(path: &Value) -> Option<Vec<&str>> {
    path.as_array()?.iter().map(Value::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn add_path_creates_objects_and_replaces_values() {
        let mut base = json!({"a": {"b": 123}});
        assert_eq!(add_path(&mut base, &json!(["a", "x", "y"]), json!({"foo": "bar"})), ERR_OK);
        assert_eq!(base, json!({"a": {"b": 123, "x": {"y": {"foo": "bar"}}}}));
        assert_eq!(add_path(&mut base, &json!(["a", "b"]), json!(1)), ERR_OK);
        assert_eq!(base["a"]["b"], json!(1));
    }

    #[test]
    fn add_path_errors_leave_base_unchanged() {
        let mut base = json!({"a": {"b": 123}});
        let before = base.clone();
        assert_eq!(add_path(&mut base, &json!(["a", "b", "c"]), json!(1)), ERR_INVALID_PATH);
        assert_eq!(add_path(&mut base, &json!([]), json!(1)), ERR_INVALID_PATH);
        assert_eq!(add_path(&mut base, &json!(["a", 1]), json!(1)), ERR_INVALID_PATH);
        assert_eq!(base, before);
        assert_eq!(add_path(&mut json!([1]), &json!(["a"]), json!(1)), ERR_INVALID_TYPE);
    }

    #[test]
    fn remove_path_removes_only_what_exists() {
        let mut base = json!({"etcd_backup": {"baseline": {"x": 1}, "rules": {}}});
        assert_eq!(remove_path(&mut base, &json!(["etcd_backup", "baseline"])), ERR_OK);
        assert_eq!(base, json!({"etcd_backup": {"rules": {}}}));
        assert_eq!(remove_path(&mut base, &json!(["etcd_backup", "nope"])), ERR_INVALID_PATH);
        assert_eq!(remove_path(&mut base, &json!(["x", "y"])), ERR_INVALID_PATH);
        assert_eq!(remove_path(&mut base, &json!([])), ERR_INVALID_PATH);
    }

    #[test]
    fn evaluate_fails_closed_without_input_or_with_an_unknown_entrypoint() {
        let e = evaluate(0, None, None).unwrap_err().to_string();
        assert!(e.contains("no input"), "{e}");
        let e = evaluate(3, None, Some(b"{}")).unwrap_err().to_string();
        assert!(e.contains("entrypoint 3 does not exist"), "{e}");
        let e = evaluate(0, Some(&json!({"etcd_backup": {"baselines": {}}})), Some(b"{}")).unwrap_err().to_string();
        assert!(e.contains("baseline"), "{e}");
    }
}
