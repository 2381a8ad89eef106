//! GitHub Actions workflow commands (`::error …::…`), one per finding, annotating the plan file.
//! Escaping follows the runner's rules: `%`, CR and LF in the message; also `:` and `,` in properties.

use std::fmt::Write;

use crate::report::Report;

fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    for f in &r.findings {
        let cmd = if f.severity == "deny" { "error" } else { "warning" };
        let title = format!("{} {} ({})", f.rule, f.name, f.cluster);
        let _ = writeln!(
            s,
            "::{cmd} file={},title={}::{}",
            property(&f.plan),
            property(&title),
            data(&format!("{}\nFix: {}", f.message, f.remediation))
        );
    }
    let _ = writeln!(
        s,
        "etcd-backup-policy: {} plan(s), {} cluster(s): {} deny, {} warn",
        r.summary.plans, r.summary.clusters, r.summary.deny, r.summary.warn
    );
    s
}
