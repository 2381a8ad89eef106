//! EB108 short-retention-window: the snapshots kept reach back less than `min_retention_window`.

use super::{Check, Context, Draft, Rule, Severity};
use crate::gotypes::human;
use crate::model::{Backup, Cluster};
use crate::settings;

pub const RULE: Rule = Rule {
    id: "EB108",
    name: "short-retention-window",
    default: Severity::Warn,
    summary: "retention x schedule interval is shorter than min_retention_window (default 24h), locally or in S3, or snapshots are disabled",
    doc: r#"# EB108 short-retention-window (warn)

## What
The snapshots k3s keeps reach back less than `min_retention_window` (data document,
default `24h`). The window is the number of snapshots kept times the interval of
`snapshot-schedule-cron`:
- locally: `snapshot-retention` (the module sets 168; k3s's own default is 5);
- in S3: `s3-retention` (default 5), in k3s releases since August 2025; older releases prune S3
  with `snapshot-retention` too.

With the module's defaults (every 12 h, 168 kept) the local window is 84 days and the S3 window
60 hours.

`disable-snapshots = "true"` turns the schedule off altogether (k3s `--etcd-disable-snapshots`):
no snapshot is taken or uploaded unless someone runs `k3s etcd-snapshot save`, so the window is
zero and an auto-restore finds nothing recent. That is reported here too.

## Why it matters
A corruption noticed a day late finds only corrupted snapshots: every good one has been pruned.
Auto-restore reads from S3, so the S3 window is the one a recreated cluster has.

## Fix
Keep more snapshots, or take them less often.

## Example
```hcl
etcd_backup = {
  snapshot-schedule-cron = "0 * * * *"
  snapshot-retention     = "48"
  s3-retention           = "48"   # 48 hourly snapshots: 2 days
}
```
"#,
    check: Check::Cluster(check),
};

fn check(c: &Cluster, ctx: &Context) -> Vec<Draft> {
    if !matches!(c.backup, Backup::Keys(_)) {
        return vec![];
    }
    if settings::flag(c, "disable-snapshots") == Some(true) {
        return vec![Draft::new(
            c,
            Some("disable-snapshots"),
            format!(
                "{}: disable-snapshots turns scheduled snapshots off: nothing is taken or uploaded to S3 unless run \
                 by hand, so no snapshot window at all; at least {} wanted",
                c.address,
                human(ctx.min_window_s)
            ),
            "remove disable-snapshots (or set it to \"false\") so snapshot-schedule-cron takes effect",
        )];
    }
    let Some(interval) = settings::interval_s(c) else { return vec![] };
    let (Some(local_n), Some(s3_n)) = (settings::retention(c), settings::s3_retention(c)) else { return vec![] };
    let local = settings::window(local_n, interval);
    let s3 = settings::window(s3_n, interval);
    let short = |w: Option<f64>| w.is_some_and(|w| w < ctx.min_window_s);
    if !short(local) && !short(s3) {
        return vec![];
    }
    let describe = |n: i64, w: Option<f64>| match w {
        Some(w) => format!("{n} snapshots cover {}", human(w)),
        None => "no pruning".into(),
    };
    let needed = (ctx.min_window_s / interval).ceil() as i64;
    let key = if short(local) { "snapshot-retention" } else { "s3-retention" };
    let mut fix = Vec::new();
    if short(local) {
        fix.push(format!("snapshot-retention = \"{needed}\""));
    }
    if short(s3) {
        fix.push(format!("s3-retention = \"{needed}\""));
    }
    vec![Draft::new(
        c,
        Some(key),
        format!(
            "{}: with a snapshot every {}, {} locally and {} in S3 (s3-retention, k3s since Aug 2025); at least {} wanted",
            c.address,
            human(interval),
            describe(local_n, local),
            describe(s3_n, s3),
            human(ctx.min_window_s)
        ),
        format!("keep at least {needed} snapshots: set {} (or snapshot less often)", fix.join(" and ")),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::table::{self, case};
    use crate::rules::test_support::*;

    #[test]
    fn module_defaults_pass_hourly_with_default_s3_retention_fails() {
        let ctx = Context::default();
        assert!(check(&cluster_with(COMPLETE), &ctx).is_empty());
        let d = check(&cluster_with(&with(COMPLETE, "snapshot-schedule-cron", "0 * * * *")), &ctx);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("168 snapshots cover 7d locally and 5 snapshots cover 5h in S3"),
            "{}",
            d[0].message
        );
        assert!(d[0].remediation.contains("s3-retention = \"24\""));
        assert_eq!(d[0].key.as_deref(), Some("s3-retention"));
    }

    #[test]
    fn disabled_snapshots_leave_no_window() {
        let ctx = Context::default();
        let d = check(&cluster_with(&with(COMPLETE, "disable-snapshots", "true")), &ctx);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].key.as_deref(), Some("disable-snapshots"));
        assert!(d[0].message.contains("turns scheduled snapshots off"), "{}", d[0].message);
        assert!(check(&cluster_with(&with(COMPLETE, "disable-snapshots", "false")), &ctx).is_empty());
    }

    #[test]
    fn min_window_from_data_and_no_pruning() {
        let ctx = Context { min_window_s: 100.0 * 86400.0, ..Default::default() };
        let d = check(&cluster_with(&with(COMPLETE, "s3-retention", "0")), &ctx);
        assert!(d[0].message.contains("168 snapshots cover 84d locally and no pruning in S3"), "{}", d[0].message);
        assert!(check(&cluster_with(&with(&with(COMPLETE, "s3-retention", "0"), "snapshot-retention", "0")), &ctx)
            .is_empty());
    }

    #[test]
    fn table() {
        table::run(
            "EB108",
            &[
                case("module default: 168 every 12 hours", &[&[]], &[]),
                case(
                    "hourly, 5 kept locally",
                    &[&[("snapshot-schedule-cron", Some("0 * * * *")), ("snapshot-retention", Some("5"))]],
                    &[(0, "snapshot-retention", "5 snapshots cover")],
                ),
                case(
                    "hourly, 5 kept in S3 (k3s's default)",
                    &[&[("snapshot-schedule-cron", Some("0 * * * *"))]],
                    &[(0, "s3-retention", "")],
                ),
                case("no pruning", &[&[("snapshot-retention", Some("0")), ("s3-retention", Some("0"))]], &[]),
                case("snapshots off", &[&[("disable-snapshots", Some("true"))]], &[(0, "disable-snapshots", "no snapshot window at all")]),
            ],
        );
    }
}
