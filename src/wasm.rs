//! The WebAssembly surface used by the JavaScript shim. Every error is returned as a JS `Error`
//! with a one-line message; nothing here can trap on input.

use wasm_bindgen::prelude::*;

use crate::{format, options::Options, rules, Session};

/// An evaluation: add plans one by one (as bytes, to avoid a UTF-16 round trip), then render.
#[wasm_bindgen(js_name = Evaluation)]
pub struct Evaluation {
    session: Session,
}

#[wasm_bindgen(js_class = Evaluation)]
impl Evaluation {
    /// `options` is JSON: `{"data": …, "rules": {"EB101": "warn"}, "color": false}`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str) -> Result<Evaluation, JsError> {
        let options = Options::from_json(options).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Evaluation { session: Session::new(options) })
    }

    #[wasm_bindgen(js_name = addPlan)]
    pub fn add_plan(&mut self, name: &str, text: &[u8]) -> Result<(), JsError> {
        self.session.add_plan(name, text).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The report rendered in `format` (`json`, `text`, `opa`).
    pub fn render(&self, format: &str) -> Result<String, JsError> {
        self.session.render(format).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The baseline data document (`fingerprint`) as JSON; `merge` is an earlier one ("" for none).
    #[wasm_bindgen(js_name = fingerprintJson)]
    pub fn fingerprint_json(&self, merge: &str) -> Result<String, JsError> {
        let merge = if merge.trim().is_empty() {
            None
        } else {
            let v: serde_json::Value =
                serde_json::from_str(merge).map_err(|_| JsError::new("the baseline to merge is not valid JSON"))?;
            if !v.is_object() {
                return Err(JsError::new("the baseline to merge must be a JSON object"));
            }
            Some(v)
        };
        let mut s = serde_json::to_string_pretty(&self.session.fingerprint(merge)).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        Ok(s)
    }

    /// `{"plans", "clusters", "deny", "warn"}`: the verdict without rendering the whole report.
    #[wasm_bindgen(js_name = summaryJson)]
    pub fn summary_json(&self) -> String {
        serde_json::to_string(self.session.summary()).unwrap_or_else(|_| "{}".into())
    }
}

/// The rule catalogue as JSON: `[{id, name, severity, summary}]`.
#[wasm_bindgen(js_name = rulesJson)]
pub fn rules_json() -> String {
    let list: Vec<_> = rules::all()
        .iter()
        .map(
            |r| serde_json::json!({ "id": r.id, "name": r.name, "severity": r.default.as_str(), "summary": r.summary }),
        )
        .collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

/// A rule's documentation text.
#[wasm_bindgen]
pub fn explain(id: &str) -> Result<String, JsError> {
    rules::find(id)
        .map(|r| r.doc.to_string())
        .ok_or_else(|| JsError::new(&crate::Error::UnknownRule { id: id.chars().take(32).collect() }.to_string()))
}

#[wasm_bindgen(js_name = formats)]
pub fn formats() -> Vec<String> {
    format::FORMATS.iter().map(|s| s.to_string()).collect()
}
