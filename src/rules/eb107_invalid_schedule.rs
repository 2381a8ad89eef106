//! EB107 invalid-schedule: k3s's cron parser rejects `snapshot-schedule-cron`.

use super::{shown, Check, Context, Draft, Rule, Severity};
use crate::cron;
use crate::model::Cluster;

pub const RULE: Rule = Rule {
    id: "EB107",
    name: "invalid-schedule",
    default: Severity::Deny,
    summary: "snapshot-schedule-cron is not accepted by k3s's parser (robfig/cron v3 standard)",
    doc: r#"# EB107 invalid-schedule (deny)

## What
`snapshot-schedule-cron` is parsed by robfig/cron v3's standard parser: exactly five fields
(minute hour day-of-month month day-of-week, Sunday = 0), an optional `CRON_TZ=` or `TZ=` prefix,
the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`,
or `@every <Go duration>`. `@12h` (in the module's own docs) is not valid, nor are six-field
schedules with seconds.

## Why it matters
k3s ignores the parser's error: **no scheduled snapshot is ever taken and nothing is logged**.
The bucket stays empty until the day a restore needs it.

## Fix
Write a five-field schedule or a valid descriptor.

## Example
```hcl
etcd_backup = {
  snapshot-schedule-cron = "0 */12 * * *"   # or "@every 12h"; was "@12h"
}
```
"#,
    check: Check::Cluster(check),
};

/// What to write instead, for the common mistakes.
fn suggestion(v: &str) -> String {
    let t = v.trim();
    if let Some(d) = t.strip_prefix('@') {
        if crate::gotypes::parse_duration(d).is_some() {
            return format!("write \"@every {d}\" (or a five-field schedule such as \"0 */12 * * *\")");
        }
    }
    let fields: Vec<&str> = t.split_whitespace().collect();
    if fields.len() == 6 && cron::parse(&fields[1..].join(" ")).is_ok() {
        return format!("drop the seconds field: \"{}\"", fields[1..].join(" "));
    }
    "write five fields (minute hour day-of-month month day-of-week), e.g. \"0 */12 * * *\", or \"@every 12h\"".into()
}

fn check(c: &Cluster, _: &Context) -> Vec<Draft> {
    let Some(r) = c.key("snapshot-schedule-cron") else { return vec![] };
    let Some(v) = r.known() else { return vec![] };
    let Err(why) = cron::parse(v) else { return vec![] };
    vec![Draft::new(
        c,
        Some("snapshot-schedule-cron"),
        format!(
            "{}: snapshot-schedule-cron {} is not a schedule k3s accepts ({why}); k3s ignores the error, takes no scheduled snapshot and logs nothing",
            c.address,
            shown(r)
        ),
        suggestion(v),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn at_12h_is_invalid_and_gets_a_replacement() {
        let d = check(&cluster_with(&with(COMPLETE, "snapshot-schedule-cron", "@12h")), &Context::default());
        assert_eq!(d.len(), 1);
        assert!(d[0].remediation.contains("\"@every 12h\""));
        let d = check(&cluster_with(&with(COMPLETE, "snapshot-schedule-cron", "0 0 */6 * * *")), &Context::default());
        assert!(d[0].remediation.contains("\"0 */6 * * *\""));
        assert!(check(&cluster_with(&with(COMPLETE, "snapshot-schedule-cron", "@every 12h")), &Context::default())
            .is_empty());
    }

    #[test]
    fn table() {
        table::run(
            "EB107",
            &[
                case("five fields", &[&[("snapshot-schedule-cron", Some("0 */6 * * *"))]], &[]),
                case("descriptor", &[&[("snapshot-schedule-cron", Some("@every 6h"))]], &[]),
                case(
                    "seconds field",
                    &[&[("snapshot-schedule-cron", Some("0 0 */6 * * *"))]],
                    &[(0, "snapshot-schedule-cron", "is not a schedule k3s accepts")],
                ),
                case("out of range", &[&[("snapshot-schedule-cron", Some("0 25 * * *"))]], &[(0, "snapshot-schedule-cron", "logs nothing")]),
            ],
        );
    }
}
