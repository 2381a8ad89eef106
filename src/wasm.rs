//! The WebAssembly surface used by the JavaScript shim. Every error is returned as a JS `Error`
//! with a one-line message and a stable `code` (`EBP_PLAN`, `EBP_DATA`, `EBP_USAGE`, …);
//! nothing here can trap on input.

use wasm_bindgen::prelude::*;

use crate::{format, options::Options, rules, Error, Session};

fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(e.code()));
    err.into()
}

/// A JSON document handed in by the caller (`merge`), or `None` for "".
fn merge_document(text: &str, what: &str) -> Result<Option<serde_json::Value>, JsValue> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| js_error(Error::Data { why: format!("the {what} to merge is not valid JSON") }))?;
    if !v.is_object() {
        return Err(js_error(Error::Data { why: format!("the {what} to merge must be a JSON object") }));
    }
    Ok(Some(v))
}

fn to_json<T: serde::Serialize + ?Sized>(v: &T, what: &str) -> Result<String, JsValue> {
    format::json::pretty(v, what).map_err(js_error)
}

/// An evaluation: add plans one by one (as bytes, to avoid a UTF-16 round trip), then render.
#[wasm_bindgen(js_name = Evaluation)]
pub struct Evaluation {
    session: Session,
    /// A plan's bytes being written by the caller straight into this memory (`reservePlan`).
    reserved: Vec<u8>,
}

#[wasm_bindgen(js_class = Evaluation)]
impl Evaluation {
    /// `options` is JSON: `{"data": …, "rules": {"EB101": "warn"}, "color": false, "stack": …}`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str) -> Result<Evaluation, JsValue> {
        let options = Options::from_json(options).map_err(js_error)?;
        Ok(Evaluation { session: Session::new(options), reserved: Vec::new() })
    }

    #[wasm_bindgen(js_name = addPlan)]
    pub fn add_plan(&mut self, name: &str, text: &[u8]) -> Result<(), JsValue> {
        self.session.add_plan(name, text).map_err(js_error)
    }

    /// Room for a plan of `len` bytes in the WASM memory; returns its address for the caller to
    /// fill (e.g. `fs.readSync` straight from the file, without a copy in a JS buffer), then
    /// `addReservedPlan`. The caller must fetch `memory.buffer` after this call (it may grow).
    #[wasm_bindgen(js_name = reservePlan)]
    pub fn reserve_plan(&mut self, len: usize) -> Result<*mut u8, JsValue> {
        // Capacity only, not zeroed: filling 100 MB took 65-84 ms in V8's baseline tier, where
        // the CLI runs; the caller writes the bytes and says how many (`addReservedPlan`).
        self.reserved = Vec::new();
        self.reserved
            .try_reserve_exact(len)
            .map_err(|_| js_error(Error::Usage { why: format!("a plan of {len} bytes does not fit in memory") }))?;
        Ok(self.reserved.as_mut_ptr())
    }

    /// Adds the plan written into the room `reservePlan` made; `filled` bytes of it were written.
    #[wasm_bindgen(js_name = addReservedPlan)]
    pub fn add_reserved_plan(&mut self, name: &str, filled: usize) -> Result<(), JsValue> {
        let mut text = std::mem::take(&mut self.reserved);
        // SAFETY: the caller wrote `filled` bytes from the start of the reserved capacity (as
        // `read(2)` into a buffer's spare capacity); no more than the capacity is taken.
        unsafe { text.set_len(filled.min(text.capacity())) };
        self.session.add_plan(name, &text).map_err(js_error)
    }

    /// The report rendered in `format` (`json`, `text`, `opa`, …).
    pub fn render(&self, format: &str) -> Result<String, JsValue> {
        self.session.render(format).map_err(js_error)
    }

    /// The report as compact JSON, for `evaluate` to parse into an object.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> Result<String, JsValue> {
        self.session.report_json().map_err(js_error)
    }

    /// The baseline data document (`fingerprint`) as JSON; `merge` is an earlier one ("" for none).
    #[wasm_bindgen(js_name = fingerprintJson)]
    pub fn fingerprint_json(&self, merge: &str) -> Result<String, JsValue> {
        let merge = merge_document(merge, "baseline")?;
        to_json(&self.session.fingerprint(merge), "baseline")
    }

    /// The inventory data document (`inventory`) as JSON; `merge` is an earlier one ("" for none).
    #[wasm_bindgen(js_name = inventoryJson)]
    pub fn inventory_json(&self, merge: &str) -> Result<String, JsValue> {
        let merge = merge_document(merge, "inventory")?;
        let doc = self.session.inventory(merge).map_err(js_error)?;
        to_json(&doc, "inventory")
    }

    /// `{"plans", "clusters", "deny", "warn"}`: the verdict without rendering the whole report.
    #[wasm_bindgen(js_name = summaryJson)]
    pub fn summary_json(&self) -> Result<String, JsValue> {
        to_json(self.session.summary(), "summary")
    }
}

/// The rule catalogue as JSON: `[{id, name, severity, summary}]`.
#[wasm_bindgen(js_name = rulesJson)]
pub fn rules_json() -> Result<String, JsValue> {
    let list: Vec<_> = rules::all()
        .iter()
        .map(
            |r| serde_json::json!({ "id": r.id, "name": r.name, "severity": r.default.as_str(), "summary": r.summary }),
        )
        .collect();
    to_json(&list, "rule catalogue")
}

/// The module profiles an evaluation with these options reads clusters through (the data
/// document's own, then the built-in ones) as JSON: `[{name, module, distribution, ...}]`.
#[wasm_bindgen(js_name = profilesJson)]
pub fn profiles_json(options: &str) -> Result<String, JsValue> {
    let options = Options::from_json(options).map_err(js_error)?;
    to_json(&crate::profiles::listing(&options.profiles), "profile list")
}

/// A rule's documentation text; `profiles` gives the profile declaration's schema.
#[wasm_bindgen]
pub fn explain(id: &str) -> Result<String, JsValue> {
    if id.eq_ignore_ascii_case("profiles") {
        return Ok(crate::profiles::SCHEMA_DOC.to_string());
    }
    rules::find(id)
        .map(|r| r.doc.to_string())
        .ok_or_else(|| js_error(Error::UnknownRule { id: id.chars().take(32).collect() }))
}

#[wasm_bindgen(js_name = formats)]
pub fn formats() -> Vec<String> {
    format::FORMATS.iter().map(|s| s.to_string()).collect()
}
