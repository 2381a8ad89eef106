//! Errors are values: every failure on input becomes an `Error` with a one-line reason.
//! No message ever quotes input text, so no secret can leak through an error.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input is not valid JSON (position only, never the text around it).
    Json { plan: String, line: usize, column: usize, what: String },
    /// Valid JSON, but not a Terraform plan this tool understands.
    NotAPlan { plan: String, why: String },
    /// A plan whose parts where a cluster's values live cannot be read (nested too deep, wrong
    /// types): never treated as "no evidence".
    Unreadable { plan: String, why: String },
    /// A configuration (`--config`) that does not belong to its plan.
    ConfigMismatch { plan: String, why: String },
    /// A configuration that cannot be used as given: a file read from outside its directory, a
    /// module it needs that is not installed.
    ConfigFile { plan: String, why: String },
    /// A plan whose `format_version` major is not 0 or 1.
    UnsupportedFormat { plan: String, version: String },
    /// The data document is malformed.
    Data { why: String },
    /// The options (the JS API's, or the command line's as they reach the engine) are malformed.
    Options { why: String },
    /// A command was used in a way that cannot work (e.g. `inventory` without a stack).
    Usage { why: String },
    /// A rule ID that does not exist.
    UnknownRule { id: String },
    /// A format name that does not exist, and the formats there are.
    UnknownFormat { name: String, known: &'static [&'static str] },
    /// The report could not be serialised (never expected; reported rather than printed empty).
    Output { what: String },
}

impl Error {
    pub(crate) fn json(plan: &str, e: &serde_json::Error) -> Error {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the text ends too early (truncated?)".to_string(),
            serde_json::error::Category::Syntax => "invalid JSON syntax".to_string(),
            // serde's data-error messages can quote input strings: keep only the category.
            serde_json::error::Category::Data => "unexpected JSON type".to_string(),
            serde_json::error::Category::Io => "read error".to_string(),
        };
        Error::Json { plan: plan.to_string(), line: e.line(), column: e.column(), what }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Json { plan, line, column, what } => {
                write!(f, "{plan}: not valid JSON at line {line} column {column}: {what}")
            }
            Error::NotAPlan { plan, why } => write!(f, "{plan}: not a Terraform plan JSON: {why}"),
            Error::Unreadable { plan, why } => write!(f, "{plan}: cannot be checked: {why}"),
            Error::ConfigFile { plan, why } => write!(f, "{plan}: the configuration given for it cannot be used: {why}"),
            Error::ConfigMismatch { plan, why } => {
                write!(f, "{plan}: the configuration given for it does not belong to it: {why}")
            }
            Error::UnsupportedFormat { plan, version } => write!(
                f,
                "{plan}: unsupported plan format_version {version:?} (supported: 0.x and 1.x; produce the plan with `terraform show -json`)"
            ),
            Error::Data { why } => write!(f, "data document: {why}"),
            Error::Options { why } => write!(f, "options: {why}"),
            Error::Usage { why } => write!(f, "{why}"),
            Error::UnknownRule { id } => write!(f, "unknown rule {id:?} (see `etcd-backup-policy rules`)"),
            Error::Output { what } => write!(f, "internal error: the {what} could not be written"),
            Error::UnknownFormat { name, known } => {
                write!(f, "unknown format {name:?} (one of: {})", known.join(", "))
            }
        }
    }
}

impl Error {
    /// A stable code for programs (the JS shim's `error.code`): what kind of input was wrong.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Json { .. }
            | Error::NotAPlan { .. }
            | Error::Unreadable { .. }
            | Error::UnsupportedFormat { .. } => "EBP_PLAN",
            Error::Data { .. } => "EBP_DATA",
            Error::ConfigMismatch { .. } | Error::ConfigFile { .. } => "EBP_CONFIG",
            Error::Options { .. } | Error::Usage { .. } => "EBP_USAGE",
            Error::UnknownRule { .. } => "EBP_RULE",
            Error::UnknownFormat { .. } => "EBP_FORMAT",
            Error::Output { .. } => "EBP_OUTPUT",
        }
    }
}

impl std::error::Error for Error {}
