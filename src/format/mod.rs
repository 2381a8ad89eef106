//! Renderings of the one report model.

use crate::error::Error;
use crate::report::Report;

mod github;
pub(crate) mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

pub const FORMATS: &[&str] = &["text", "json", "opa", "sarif", "junit", "github", "markdown"];

pub fn render(report: &Report, format: &str, color: bool) -> Result<String, Error> {
    match format {
        "json" => json::report(report),
        "opa" => json::opa(report),
        "text" => Ok(text::render(report, color)),
        "sarif" => sarif::render(report),
        "junit" => Ok(junit::render(report)),
        "github" => Ok(github::render(report)),
        "markdown" => Ok(markdown::render(report)),
        other => Err(Error::UnknownFormat { name: other.chars().take(32).collect(), known: FORMATS }),
    }
}
