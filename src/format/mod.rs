//! Renderings of the one report model.

use crate::error::Error;
use crate::report::Report;

mod json;
mod text;

pub const FORMATS: &[&str] = &["text", "json", "opa"];

pub fn render(report: &Report, format: &str, color: bool) -> Result<String, Error> {
    match format {
        "json" => Ok(json::report(report)),
        "opa" => Ok(json::opa(report)),
        "text" => Ok(text::render(report, color)),
        other => Err(Error::UnknownFormat { name: other.chars().take(32).collect() }),
    }
}
