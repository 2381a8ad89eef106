//! Human-readable output, grouped by cluster.

use std::fmt::Write;

use crate::report::{ClusterReport, Report};

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("1;33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

fn describe_location(c: &ClusterReport) -> String {
    match &c.location {
        Some(l) if l.folder.is_empty() => format!("{} / {} / (bucket root)", l.service, l.bucket),
        Some(l) => format!("{} / {} / {}", l.service, l.bucket, l.folder),
        None => match c.backup {
            "not-set" => "none (backups not set)".into(),
            _ => "unknown".into(),
        },
    }
}

fn write_settings(s: &mut String, c: &ClusterReport) {
    let _ = writeln!(s, "  location  {}", describe_location(c));
    let restore = match c.restore {
        Some(true) => "on",
        Some(false) => "off",
        None => "unknown",
    };
    let token = match &c.token.from {
        Some(from) => format!("{} ({from})", c.token.status),
        None => c.token.status.to_string(),
    };
    let _ = writeln!(s, "  restore   {restore}");
    let _ = writeln!(s, "  token     {token}");
}

pub fn render(r: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut s = String::new();
    let by_cluster = r.findings_by_cluster();
    for c in &r.clusters {
        let profile = c.profile.as_deref().map(|n| format!(", {n}")).unwrap_or_default();
        let _ = writeln!(s, "{}  {}", p.bold(&c.address), p.dim(&format!("({}, {}{profile})", c.plan, c.action)));
        if c.backup == "not-read" {
            let _ = writeln!(s, "  read by   no module profile: nothing of it is checked");
        } else {
            write_settings(&mut s, c);
        }
        for f in by_cluster.get(&(c.plan.as_str(), c.address.as_str())).into_iter().flatten() {
            let tag = if f.severity == "deny" { p.red("DENY") } else { p.yellow("WARN") };
            let _ = writeln!(s, "  {tag} {} {}", f.rule, f.message);
            if let Some(at) = &f.source {
                let _ = writeln!(s, "       at: {}:{}", at.file, at.line);
            }
            let _ = writeln!(s, "       fix: {}", f.remediation);
        }
        s.push('\n');
    }
    for e in &r.config_errors {
        let _ = writeln!(s, "{} {e}", p.yellow("config:"));
    }
    let word = r.summary.verdict_word();
    let verdict = match r.summary.verdict {
        "fail" => p.red(&word),
        "pass" => p.bold(&word),
        _ => p.yellow(&word),
    };
    let note = if r.summary.note.is_empty() { String::new() } else { format!("{}; ", r.summary.note) };
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(
        s,
        "{verdict}: {note}{}, {}: {} deny, {} warn",
        plural(r.summary.plans, "plan"),
        plural(r.summary.clusters, "cluster"),
        r.summary.deny,
        r.summary.warn
    );
    s
}
