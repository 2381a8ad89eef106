//! Markdown for a pull-request comment (Atlantis policy checks, GitHub, GitLab): the verdict, a
//! table per cluster (location, restore, token, findings), and the findings of each cluster in a
//! collapsible section with the `.tf` line they point at. GitHub refuses comments over 65 536
//! characters: the findings that would not fit are counted, not cut mid-row.

use std::fmt::Write;

use crate::gotypes::human;
use crate::report::{ClusterReport, Finding, Report};

/// GitHub's limit for a comment body, in characters.
pub const MAX_COMMENT: usize = 65_536;
/// Room kept for the closing lines.
const FOOTER_ROOM: usize = 600;

/// A table cell: no line breaks, no column separators.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;").replace(['\n', '\r'], " ")
}

fn location(c: &ClusterReport) -> String {
    match &c.location {
        Some(l) => format!("`{}`", cell(&l.key())),
        None if c.backup == "configured" => "incomplete".to_string(),
        None => c.backup.to_string(),
    }
}

fn finding_row(r: &Report, f: &Finding) -> String {
    let icon = if f.severity == "deny" { "❌" } else { "⚠️" };
    let at = match (r.repo_path(f), &f.source) {
        (Some(path), Some(src)) => format!("`{}:{}`", cell(&path), src.line),
        _ => "–".into(),
    };
    format!(
        "| {icon} {} {} | {} | {at} | {} | {} |\n",
        f.rule,
        f.name,
        f.key.as_deref().map(|k| format!("`{}`", cell(k))).unwrap_or_default(),
        cell(&f.message),
        cell(&f.remediation)
    )
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let verdict = match r.summary.verdict {
        "fail" => "❌ failed".to_string(),
        "nothing-checked" => "⚪ nothing checked".to_string(),
        "incomplete" => "🟠 incomplete".to_string(),
        _ if r.summary.warn > 0 => "⚠️ passed with warnings".to_string(),
        _ => "✅ passed".to_string(),
    };
    let _ = writeln!(s, "### etcd-backup-policy: {verdict}\n");
    if !r.summary.note.is_empty() {
        let _ = writeln!(s, "**{}**\n", cell(&r.summary.note));
    }
    let _ = writeln!(
        s,
        "{} plan(s), {} cluster(s): **{} deny**, {} warn\n",
        r.summary.plans, r.summary.clusters, r.summary.deny, r.summary.warn
    );
    let by_cluster = r.findings_by_cluster();
    let of = |c: &ClusterReport| -> Vec<&Finding> {
        by_cluster.get(&(c.plan.as_str(), c.address.as_str())).cloned().unwrap_or_default()
    };
    let mut shown = 0;
    if !r.clusters.is_empty() {
        s.push_str("| Cluster | Action | Location | Schedule | Retention window | Restore | Token | Findings |\n");
        s.push_str("|---|---|---|---|---|---|---|---|\n");
        for (rows, c) in r.clusters.iter().enumerate() {
            let window = match (c.window_s, c.s3_window_s) {
                (Some(l), Some(s3)) => format!("{} local, {} S3", human(l as f64), human(s3 as f64)),
                (Some(l), None) => format!("{} local", human(l as f64)),
                _ => "–".into(),
            };
            let restore = match c.restore {
                Some(true) => "on",
                Some(false) => "off",
                None => "unknown (counts as on)",
            };
            let (deny, warn) =
                of(c).iter().fold((0, 0), |(d, w), f| if f.severity == "deny" { (d + 1, w) } else { (d, w + 1) });
            let findings = match (deny, warn) {
                (0, 0) => "–".to_string(),
                (d, 0) => format!("❌ {d}"),
                (0, w) => format!("⚠️ {w}"),
                (d, w) => format!("❌ {d}, ⚠️ {w}"),
            };
            let row = format!(
                "| `{}`{} | {} | {} | {} | {window} | {restore} | {} | {findings} |\n",
                cell(&c.address),
                if r.summary.plans > 1 { format!(" ({})", cell(&c.plan)) } else { String::new() },
                c.action,
                location(c),
                c.schedule.as_deref().map(|x| format!("`{}`", cell(x))).unwrap_or_else(|| "–".into()),
                c.token.status
            );
            if s.len() + row.len() > MAX_COMMENT / 3 {
                let _ = writeln!(s, "| … {} more cluster(s) | | | | | | | |", r.clusters.len() - rows);
                break;
            }
            s.push_str(&row);
        }
        s.push('\n');
        'clusters: for c in &r.clusters {
            let findings = of(c);
            if findings.is_empty() {
                continue;
            }
            let head = format!(
                "<details{}><summary><code>{}</code>: {} finding(s)</summary>\n\n| Rule | Key | Where | Problem | Fix |\n|---|---|---|---|---|\n",
                if findings.iter().any(|f| f.severity == "deny") { " open" } else { "" },
                cell(&c.address),
                findings.len()
            );
            if s.len() + head.len() + FOOTER_ROOM > MAX_COMMENT {
                break;
            }
            s.push_str(&head);
            for f in findings {
                let row = finding_row(r, f);
                if s.len() + row.len() + FOOTER_ROOM > MAX_COMMENT {
                    s.push_str("\n</details>\n\n");
                    break 'clusters;
                }
                s.push_str(&row);
                shown += 1;
            }
            s.push_str("\n</details>\n\n");
        }
    }
    if shown < r.findings.len() {
        let _ = writeln!(
            s,
            "> {} more finding(s) not shown: a comment holds at most {MAX_COMMENT} characters; the JSON or SARIF report has them all.\n",
            r.findings.len() - shown
        );
    }
    for e in &r.config_errors {
        let line = format!("> config: {}\n", cell(e));
        if s.len() + line.len() + 100 < MAX_COMMENT {
            s.push_str(&line);
        }
    }
    s.push_str("<sub>`etcd-backup-policy explain RULE` explains a rule.</sub>\n");
    s
}
