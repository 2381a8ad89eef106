//! Effective settings of a cluster derived from its keys and the defaults k3s and the module
//! apply: schedule, interval, retention and the windows they cover, restore, transport.

use crate::catalogue;
use crate::cron::{self, Schedule};
use crate::gotypes::{parse_bool, parse_int};
use crate::model::{Backup, Cluster};

/// The value of a key, or, when the key is absent, the module's default (its profile's) else
/// k3s's; `None` when unknown.
pub fn effective<'c>(c: &'c Cluster, key: &str) -> Option<&'c str> {
    match c.key(key) {
        Some(r) => r.known(),
        None => c.module_default(key).or_else(|| catalogue::key(key).and_then(|k| k.default)),
    }
}

pub fn schedule_text(c: &Cluster) -> Option<&str> {
    effective(c, "snapshot-schedule-cron")
}

/// The schedule as k3s parses it; `Err` when k3s would reject it.
pub fn schedule(c: &Cluster) -> Option<Result<Schedule, String>> {
    schedule_text(c).map(cron::parse)
}

// A fleet shares a handful of schedules: each is walked over four years once, not per cluster.
thread_local! {
    static INTERVALS: std::cell::RefCell<std::collections::HashMap<String, Option<f64>>> = Default::default();
}

/// Drops the schedule cache without touching its memory: the OPA-ABI heap (`opa_abi`) may have
/// been rewound and overwritten by the host since the cache was filled.
pub fn forget_cache() {
    INTERVALS.with(|cache| std::mem::forget(cache.take()));
}

pub fn interval_s(c: &Cluster) -> Option<f64> {
    let text = schedule_text(c)?;
    INTERVALS.with(|cache| {
        if let Some(v) = cache.borrow().get(text) {
            return *v;
        }
        let v = cron::parse(text).ok().and_then(|s| s.interval());
        let mut cache = cache.borrow_mut();
        if cache.len() > 4096 {
            cache.clear(); // bounded: schedules are user text
        }
        cache.insert(text.to_string(), v);
        v
    })
}

/// Local retention (`snapshot-retention`; the module's default, else k3s's 5). Below 1: no pruning.
pub fn retention(c: &Cluster) -> Option<i64> {
    effective(c, "snapshot-retention").and_then(parse_int)
}

/// Copies kept in S3 (`s3-retention`, k3s releases since August 2025; default 5).
pub fn s3_retention(c: &Cluster) -> Option<i64> {
    effective(c, "s3-retention").and_then(parse_int)
}

/// How far back `n` snapshots reach; `None` (unbounded) when `n < 1` (k3s does not prune).
pub fn window(n: i64, interval: f64) -> Option<f64> {
    (n >= 1).then_some(n as f64 * interval)
}

pub fn flag(c: &Cluster, key: &str) -> Option<bool> {
    effective(c, key).and_then(parse_bool)
}

/// Restore is on when a restore path is set; else, for a module that restores on create
/// (zcompute-k8s: its bootstrap script starts from "true"), when the settings are set and
/// `autorestore` is absent or exactly `"true"`; else off.
pub fn restore_enabled(c: &Cluster) -> Option<bool> {
    match &c.backup {
        Backup::NotSet { .. } => Some(false),
        Backup::Unresolved { .. } => None,
        Backup::Keys(_) => {
            if c.key("cluster-reset-restore-path").is_some() {
                return Some(true);
            }
            if !c.auto_restore() {
                return Some(false);
            }
            match c.key("autorestore") {
                None => Some(true),
                Some(r) => r.known().map(|v| v == "true"),
            }
        }
    }
}

/// Whether creating this cluster may restore a snapshot: on, or unknown at plan time. Every rule
/// that guards a restore counts unknown as on (SPEC §3, fail closed): the module restores unless
/// `autorestore` is known to be something other than `"true"`.
pub fn restore_may_happen(c: &Cluster) -> bool {
    restore_enabled(c) != Some(false)
}

/// How a message states the restore setting: on, or unknown (counted as on).
pub fn restore_phrase(c: &Cluster) -> &'static str {
    match restore_enabled(c) {
        None if c.auto_restore() => "the restore setting is unknown at plan time (counted as on: the module restores unless autorestore is known to be other than \"true\")",
        None => "the restore setting is unknown at plan time (counted as on: a cluster-reset-restore-path may be among the settings that cannot be read)",
        _ => "restore is on",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::*;

    #[test]
    fn module_defaults_give_84_days() {
        let c = cluster_with(COMPLETE);
        assert_eq!(interval_s(&c), Some(43200.0));
        assert_eq!(retention(&c), Some(168));
        assert_eq!(window(retention(&c).unwrap(), 43200.0), Some(84.0 * 86400.0));
        assert_eq!(s3_retention(&c), Some(5));
    }

    #[test]
    fn restore_is_tri_state_and_unknown_counts_as_on() {
        let mut c = cluster_with(&with(COMPLETE, "autorestore", "false"));
        assert!(!restore_may_happen(&c));
        if let Backup::Keys(k) = &mut c.backup {
            k.get_mut("autorestore").unwrap().value = crate::model::Value::Unknown;
        }
        assert_eq!(restore_enabled(&c), None);
        assert!(restore_may_happen(&c) && restore_phrase(&c).contains("unknown"));
        c.backup = Backup::Unresolved { reason: String::new() };
        assert!(restore_may_happen(&c));
        assert!(
            restore_may_happen(&cluster_with(COMPLETE)) && restore_phrase(&cluster_with(COMPLETE)) == "restore is on"
        );
    }
}
