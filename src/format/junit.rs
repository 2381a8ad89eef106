//! JUnit XML, as CI systems (Jenkins, GitLab, Azure, CircleCI) read it: one suite per plan, one
//! test case per finding (a deny is a failure, a warning passes with its text in system-out) and one
//! passing case per cluster without a finding.

use std::fmt::Write;

use crate::report::Report;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Characters XML 1.0 cannot hold.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

pub fn render(r: &Report) -> String {
    let mut plans: Vec<&str> =
        r.clusters.iter().map(|c| c.plan.as_str()).chain(r.findings.iter().map(|f| f.plan.as_str())).collect();
    plans.dedup();
    let mut seen = std::collections::BTreeSet::new();
    plans.retain(|p| seen.insert(*p));
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let by_cluster = r.findings_by_cluster();
    let of = |plan: &str, c: &str| by_cluster.get(&(plan, c)).cloned().unwrap_or_default();
    let total_cases = |plan: &str| {
        let f = r.findings.iter().filter(|f| f.plan == plan).count();
        let clean = r.clusters.iter().filter(|c| c.plan == plan && of(plan, &c.address).is_empty()).count();
        (f + clean, r.findings.iter().filter(|f| f.plan == plan && f.severity == "deny").count())
    };
    let (all_tests, all_failures) = plans.iter().map(|p| total_cases(p)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    // A run that checked nothing, or not everything, is one skipped case: never an empty green suite.
    let skipped = usize::from(!r.summary.note.is_empty());
    let _ = writeln!(
        s,
        "<testsuites name=\"etcd-backup-policy\" tests=\"{}\" failures=\"{all_failures}\" errors=\"0\" skipped=\"{skipped}\">",
        all_tests + skipped
    );
    if skipped == 1 {
        let _ = writeln!(
            s,
            "  <testsuite name=\"etcd-backup-policy\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\">\n    <testcase classname=\"etcd-backup-policy\" name=\"{}\">\n      <skipped message=\"{}\"/>\n    </testcase>\n  </testsuite>",
            r.summary.verdict_words(),
            esc(&r.summary.note)
        );
    }
    for plan in plans {
        let (tests, failures) = total_cases(plan);
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
            esc(plan)
        );
        for c in r.clusters.iter().filter(|c| c.plan == plan) {
            let mine = of(plan, &c.address);
            if mine.is_empty() {
                let _ =
                    writeln!(s, "    <testcase classname=\"{}\" name=\"etcd backup and restore\"/>", esc(&c.address));
            }
            for f in mine {
                let name =
                    format!("{} {}{}", f.rule, f.name, f.key.as_deref().map(|k| format!(" ({k})")).unwrap_or_default());
                let _ = writeln!(s, "    <testcase classname=\"{}\" name=\"{}\">", esc(&f.cluster), esc(&name));
                let body = format!("{}\nfix: {}", f.message, f.remediation);
                if f.severity == "deny" {
                    let _ = writeln!(
                        s,
                        "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                        f.rule,
                        esc(&f.message),
                        esc(&body)
                    );
                } else {
                    let _ = writeln!(s, "      <system-out>WARN {}</system-out>", esc(&body));
                }
                s.push_str("    </testcase>\n");
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}
