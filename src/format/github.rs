//! GitHub Actions workflow commands (`::error file=…,line=…::…`). GitHub shows at most 10
//! annotations of each type per step, so at most 10 errors and 10 warnings are annotated; the rest
//! are counted in one notice (the CLI writes the whole Markdown report to `$GITHUB_STEP_SUMMARY`).
//! With `--config` an annotation lands on the `.tf` line; without, on the plan file.
//! Escaping follows the runner's rules: `%`, CR and LF in the message; also `:` and `,` in properties.

use std::fmt::Write;

use crate::report::Report;

/// GitHub's limit of annotations per type per step.
pub const MAX_PER_TYPE: usize = 10;

fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let (mut errors, mut warnings) = (0, 0);
    for f in &r.findings {
        let (cmd, n) = if f.severity == "deny" { ("error", &mut errors) } else { ("warning", &mut warnings) };
        *n += 1;
        if *n > MAX_PER_TYPE {
            continue;
        }
        let title = format!("{} {}", f.rule, f.name);
        let place = match (r.repo_path(f), &f.source) {
            (Some(path), Some(src)) => format!("file={},line={},col={}", property(&path), src.line, src.column),
            _ => format!("file={}", property(&f.plan)),
        };
        let _ = writeln!(
            s,
            "::{cmd} {place},title={}::{}",
            property(&title),
            data(&format!("{}\nFix: {}", f.message, f.remediation))
        );
    }
    let hidden = errors.saturating_sub(MAX_PER_TYPE) + warnings.saturating_sub(MAX_PER_TYPE);
    if hidden > 0 {
        let _ = writeln!(
            s,
            "::notice title=etcd-backup-policy::{hidden} more finding(s) not annotated ({errors} deny, {warnings} warn in all); the job summary lists every finding"
        );
    }
    if !r.summary.note.is_empty() {
        let cmd = if r.summary.verdict == "incomplete" { "warning" } else { "notice" };
        let _ = writeln!(s, "::{cmd} title=etcd-backup-policy::{}", data(&r.summary.note));
    }
    let _ = writeln!(
        s,
        "etcd-backup-policy: {}: {} plan(s), {} cluster(s): {} deny, {} warn",
        r.summary.verdict_word(),
        r.summary.plans,
        r.summary.clusters,
        r.summary.deny,
        r.summary.warn
    );
    s
}
