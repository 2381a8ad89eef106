//! Renderings of the one report model.

use crate::error::Error;
use crate::options::FailOn;
use crate::report::Report;

mod atlantis;
mod github;
pub(crate) mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

pub const FORMATS: &[&str] = &["text", "json", "opa", "sarif", "junit", "github", "markdown", "atlantis"];

/// `color` is for `text` on a terminal; `fail_on` for `atlantis`, whose output is the verdict.
pub fn render(report: &Report, format: &str, color: bool, fail_on: FailOn) -> Result<String, Error> {
    match format {
        "json" => json::report(report),
        "opa" => json::opa(report),
        "text" => Ok(text::render(report, color)),
        "sarif" => sarif::render(report),
        "junit" => Ok(junit::render(report)),
        "github" => Ok(github::render(report)),
        "markdown" => Ok(markdown::render(report)),
        "atlantis" => Ok(atlantis::render(report, fail_on)),
        other => Err(Error::UnknownFormat { name: other.chars().take(32).collect(), known: FORMATS }),
    }
}
