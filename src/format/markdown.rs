//! Markdown for a pull-request comment (Atlantis policy checks, GitHub, GitLab).

use std::fmt::Write;

use crate::gotypes::human;
use crate::report::Report;

/// A table cell: no line breaks, no column separators.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;").replace(['\n', '\r'], " ")
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let verdict = if r.summary.deny > 0 {
        "❌ failed"
    } else if r.summary.warn > 0 {
        "⚠️ passed with warnings"
    } else {
        "✅ passed"
    };
    let _ = writeln!(
        s,
        "### etcd-backup-policy: {verdict}\n\n{} plan(s), {} cluster(s): **{} deny**, {} warn\n",
        r.summary.plans, r.summary.clusters, r.summary.deny, r.summary.warn
    );
    if !r.clusters.is_empty() {
        s.push_str("| Cluster | Plan | Action | Location | Schedule | Retention window | Restore | Token |\n");
        s.push_str("|---|---|---|---|---|---|---|---|\n");
        for c in &r.clusters {
            let location = match &c.location {
                Some(l) => format!("`{}`", cell(&l.key())),
                None if c.backup == "configured" => "incomplete".to_string(),
                None => c.backup.to_string(),
            };
            let window = match (c.window_s, c.s3_window_s) {
                (Some(l), Some(s3)) => format!("{} local, {} S3", human(l as f64), human(s3 as f64)),
                (Some(l), None) => format!("{} local", human(l as f64)),
                _ => "–".into(),
            };
            let restore = match c.restore {
                Some(true) => "on",
                Some(false) => "off",
                None => "unknown",
            };
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {location} | {} | {window} | {restore} | {} |",
                cell(&c.address),
                cell(&c.plan),
                c.action,
                c.schedule.as_deref().map(|x| format!("`{}`", cell(x))).unwrap_or_else(|| "–".into()),
                c.token.status
            );
        }
        s.push('\n');
    }
    if !r.findings.is_empty() {
        s.push_str("| | Rule | Cluster | Key | Problem | Fix |\n|---|---|---|---|---|---|\n");
        for f in &r.findings {
            let icon = if f.severity == "deny" { "❌ deny" } else { "⚠️ warn" };
            let _ = writeln!(
                s,
                "| {icon} | {} {} | `{}` | {} | {} | {} |",
                f.rule,
                f.name,
                cell(&f.cluster),
                f.key.as_deref().map(|k| format!("`{}`", cell(k))).unwrap_or_default(),
                cell(&f.message),
                cell(&f.remediation)
            );
        }
        s.push('\n');
    }
    for e in &r.config_errors {
        let _ = writeln!(s, "> config: {}", cell(e));
    }
    s.push_str("<sub>`etcd-backup-policy explain RULE` explains a rule.</sub>\n");
    s
}
