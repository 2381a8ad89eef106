//! Renderings of the one report model.

use crate::error::Error;
use crate::options::Style;
use crate::report::Report;

mod atlantis;
mod github;
pub(crate) mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

pub const FORMATS: &[&str] = &["text", "json", "opa", "sarif", "junit", "github", "markdown", "atlantis"];

pub fn render(report: &Report, format: &str, style: &Style) -> Result<String, Error> {
    match format {
        "json" => json::report(report),
        "opa" => json::opa(report),
        "text" => Ok(text::render(report, style.color)),
        "sarif" => sarif::render(report, style.rule_docs_url.as_deref()),
        "junit" => Ok(junit::render(report)),
        "github" => Ok(github::render(report)),
        "markdown" => Ok(markdown::render(report)),
        "atlantis" => Ok(atlantis::render(report, style.fail_on)),
        other => Err(Error::UnknownFormat { name: other.chars().take(32).collect(), known: FORMATS }),
    }
}
