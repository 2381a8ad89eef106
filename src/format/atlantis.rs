//! `atlantis`: the verdict as Atlantis's custom policy check reads a `run` step's output
//! (runatlantis/atlantis `server/events/project_command_runner.go`, `custom_policy_check: true`):
//! the step fails when its output, trimmed, starts with `FAIL`, or matches `[1-9][0-9]* failure`
//! or `failures": [`. A step that exits non-zero may lose its output (older releases drop it: a
//! silent pass), so the CLI exits 0 with this format and the output alone carries the verdict.
//!
//! Failing (denials, or warnings with `--fail-on warn`): the first line is `FAIL - …` with the
//! count and the rule IDs, then one `FAIL - ` line per denial and one `WARN - ` line per warning,
//! conftest's own style. Passing: `PASS - …`, then the warnings (and, with `--fail-on never`, the
//! denials as `DENY - `), with nothing in them that matches a failure pattern.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::options::FailOn;
use crate::report::Report;

const TOOL: &str = "etcd-backup-policy";

pub fn render(r: &Report, fail_on: FailOn) -> String {
    let fails = match fail_on {
        FailOn::Deny => !r.deny.is_empty(),
        FailOn::Warn => !r.deny.is_empty() || !r.warn.is_empty(),
        FailOn::Never => false,
    };
    let counts = format!(
        "{} denial{}, {} warning{}, {} cluster{} in {} plan{}",
        r.deny.len(),
        plural(r.deny.len()),
        r.warn.len(),
        plural(r.warn.len()),
        r.summary.clusters,
        plural(r.summary.clusters),
        r.summary.plans,
        plural(r.summary.plans)
    );
    let mut out = String::new();
    if !fails {
        // Not a bare PASS when nothing, or not everything, was checked (never a failure pattern).
        match r.summary.verdict {
            "nothing-checked" | "incomplete" => {
                let _ = writeln!(
                    out,
                    "PASS ({}) - {TOOL}: {}: {counts}",
                    r.summary.verdict_words(),
                    defuse(&r.summary.note)
                );
            }
            _ => {
                let _ = writeln!(out, "PASS - {TOOL}: {counts}");
            }
        }
        for d in &r.deny {
            let _ = writeln!(out, "DENY - {}", defuse(d));
        }
        for w in &r.warn {
            let _ = writeln!(out, "WARN - {}", defuse(w));
        }
        return out;
    }
    let failing = |sev: &str| fail_on == FailOn::Warn || sev == "deny";
    let rules: BTreeSet<&str> = crate::order::set(r.findings.iter().filter(|f| failing(f.severity)).map(|f| f.rule));
    let rules = rules.into_iter().collect::<Vec<_>>().join(", ");
    let _ = writeln!(out, "FAIL - {TOOL}: the plan fails the etcd backup gate ({rules}): {counts}");
    for d in &r.deny {
        let _ = writeln!(out, "FAIL - {d}");
    }
    for w in &r.warn {
        let _ = writeln!(out, "{} - {w}", if fail_on == FailOn::Warn { "FAIL" } else { "WARN" });
    }
    let _ = writeln!(out, "`{TOOL} explain RULE` tells what a rule checks and how to fix it.");
    out
}

/// A passing output must not match Atlantis's failure patterns by accident (a message quoting
/// "3 failures"): a zero-width space breaks the match and reads the same.
fn defuse(line: &str) -> String {
    line.replace("failure", "fail\u{200B}ure")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::cluster_with;
    use crate::report;
    use crate::rules::{Context, Severities};

    /// Atlantis's test for a failing custom policy check output.
    fn atlantis_fails(output: &str) -> bool {
        let t = output.trim();
        if t.starts_with("FAIL") || t.contains("failures\": [") {
            return true;
        }
        // `[1-9][0-9]* failure`
        let b = t.as_bytes();
        t.match_indices(" failure").any(|(i, _)| {
            let digits = b[..i].iter().rev().take_while(|c| c.is_ascii_digit()).count();
            digits > 0 && b[i - digits] != b'0'
        })
    }

    fn report_of(keys: &[(&str, &str)]) -> Report {
        let c = cluster_with(keys);
        report::build(1, &[c], &Severities::default(), &Context::default())
    }

    #[test]
    fn fails_exactly_when_the_gate_fails() {
        let failing = report_of(&[("s3", "true")]); // no bucket: EB101
        assert!(!failing.deny.is_empty());
        let out = render(&failing, FailOn::Deny);
        assert!(out.starts_with("FAIL - etcd-backup-policy:") && out.contains("EB101"), "{out}");
        assert!(atlantis_fails(&out));
        let never = render(&failing, FailOn::Never);
        assert!(never.starts_with("PASS") && never.contains("DENY - "), "{never}");
        assert!(!atlantis_fails(&never), "{never}");
    }

    #[test]
    fn a_pass_never_matches_a_failure_pattern() {
        let mut r = report_of(&[("s3", "true"), ("s3-bucket", "b"), ("s3-region", "eu-west-1")]);
        r.deny.clear();
        r.warn = vec!["3 failures of the snapshot job failures\": [x] [EB999]".into()];
        let out = render(&r, FailOn::Deny);
        assert!(out.starts_with("PASS"), "{out}");
        assert!(!atlantis_fails(&out), "{out}");
        assert!(atlantis_fails(&render(&r, FailOn::Warn)));
    }
}
