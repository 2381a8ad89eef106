//! Snapshot schedules the way k3s parses them: k3s hands `etcd-snapshot-schedule-cron` to
//! robfig/cron v3's default (standard) parser and ignores its error — an invalid schedule means
//! no scheduled snapshot and nothing logged.
//!
//! Grammar (robfig/cron v3 `parser.go`, `ParseStandard`): an optional `CRON_TZ=`/`TZ=` prefix,
//! then either a descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
//! `@midnight`, `@hourly`, `@every <Go duration>`) or exactly five fields
//! minute (0-59) hour (0-23) day-of-month (1-31) month (1-12, JAN-DEC) day-of-week (0-6, SUN-SAT);
//! each field a comma list of `*`, `?`, `N`, `N-M`, with an optional `/step`.
//!
//! The `cron` crate is not used: its grammar has a seconds field and numbers Sunday 1, so it would
//! call valid k3s schedules invalid.

use crate::gotypes::parse_duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// `@every <duration>`: a fixed interval (robfig rounds it up to at least one second).
    Every(f64),
    Fields(Fields),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
    dom_star: bool,
    dow_star: bool,
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn value(s: &str, names: &[&str], base: u32) -> Result<u32, String> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(i as u32 + base);
    }
    s.parse::<u32>().map_err(|_| format!("{s:?} is not a number"))
}

/// One field: returns its bits and whether it was `*`/`?` (robfig's star bit).
fn field(expr: &str, min: u32, max: u32, names: &[&str], base: u32, what: &str) -> Result<(u64, bool), String> {
    let mut bits = 0u64;
    let mut star = false;
    for part in expr.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        let (mut start, mut end, is_star) = if range == "*" || range == "?" {
            (min, max, true)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, names, base)?, value(b, names, base)?, false)
        } else {
            let v = value(range, names, base)?;
            (v, v, false)
        };
        if let Some(st) = step {
            let st: u32 = st.parse().map_err(|_| format!("step {st:?} in the {what} field is not a number"))?;
            if st == 0 {
                return Err(format!("step of zero in the {what} field"));
            }
            // `N/step` means N through the maximum.
            if !is_star && !range.contains('-') {
                end = max;
            }
            // robfig keeps the star bit only for a step of one (`*/1`).
            star = star || (is_star && st == 1);
            if start < min || end > max || start > end {
                return Err(format!("{what} range {range:?} is out of {min}-{max}"));
            }
            let mut v = start;
            while v <= end {
                bits |= 1 << v;
                // A step as large as u32::MAX must end the loop, not wrap around.
                v = match v.checked_add(st) {
                    Some(n) => n,
                    None => break,
                };
            }
            continue;
        }
        if is_star {
            star = true;
            start = min;
            end = max;
        }
        if start < min || end > max {
            return Err(format!("{what} value in {part:?} is out of {min}-{max}"));
        }
        if start > end {
            return Err(format!("{what} range {part:?} starts after it ends"));
        }
        for v in start..=end {
            bits |= 1 << v;
        }
    }
    Ok((bits, star))
}

/// Parses a schedule as k3s would; the error says why k3s would reject it.
pub fn parse(spec: &str) -> Result<Schedule, String> {
    let mut s = spec.trim();
    if s.is_empty() {
        return Err("the schedule is empty".into());
    }
    for prefix in ["CRON_TZ=", "TZ="] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let (tz, after) =
                rest.split_once(char::is_whitespace).ok_or("a time zone prefix needs a schedule after it")?;
            if tz.is_empty() || !tz.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)) {
                return Err("the time zone is not a valid zone name".into());
            }
            s = after.trim_start();
        }
    }
    if let Some(d) = s.strip_prefix('@') {
        if let Some(every) = d.strip_prefix("every ") {
            let secs = parse_duration(every.trim())
                .ok_or_else(|| format!("@every needs a Go duration such as 12h, not {:?}", every.trim()))?;
            return Ok(Schedule::Every(secs.max(1.0)));
        }
        let fields = match d {
            "yearly" | "annually" => "0 0 1 1 *",
            "monthly" => "0 0 1 * *",
            "weekly" => "0 0 * * 0",
            "daily" | "midnight" => "0 0 * * *",
            "hourly" => "0 * * * *",
            _ => return Err(format!("unrecognized descriptor @{d}")),
        };
        return parse(fields);
    }
    let f: Vec<&str> = s.split_whitespace().collect();
    if f.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields (minute hour day-of-month month day-of-week), found {}",
            f.len()
        ));
    }
    let (minute, _) = field(f[0], 0, 59, &[], 0, "minute")?;
    let (hour, _) = field(f[1], 0, 23, &[], 0, "hour")?;
    let (dom, dom_star) = field(f[2], 1, 31, &[], 0, "day-of-month")?;
    let (month, _) = field(f[3], 1, 12, MONTHS, 1, "month")?;
    let (dow, dow_star) = field(f[4], 0, 6, DAYS, 0, "day-of-week")?;
    Ok(Schedule::Fields(Fields { minute, hour, dom, month, dow, dom_star, dow_star }))
}

fn first_bit(b: u64) -> i64 {
    b.trailing_zeros() as i64
}

fn last_bit(b: u64) -> i64 {
    63 - b.leading_zeros() as i64
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl Schedule {
    /// The average time between snapshots, in seconds, over four years of fire times (UTC).
    /// `None` when the schedule never fires (e.g. `0 0 31 2 *`).
    pub fn interval(&self) -> Option<f64> {
        let f = match self {
            Schedule::Every(s) => return Some(*s),
            Schedule::Fields(f) => f,
        };
        let (mut first, mut last, mut count) = (None::<i64>, 0i64, 0u64);
        for y in 2025..2029 {
            for m in 1..=12u32 {
                if f.month & (1 << m) == 0 {
                    continue;
                }
                for d in 1..=days_in_month(y, m) {
                    let day = days_from_civil(y, m, d);
                    let wd = (day + 4).rem_euclid(7) as u32; // 1970-01-01 was a Thursday
                    let (dm, wm) = (f.dom & (1 << d) != 0, f.dow & (1 << wd) != 0);
                    // robfig: if either day field is `*`, both must match; otherwise either.
                    let ok = if f.dom_star || f.dow_star { dm && wm } else { dm || wm };
                    if !ok {
                        continue;
                    }
                    // Fire times within a day are the hour x minute grid.
                    let (lo, hi) = (
                        first_bit(f.hour) * 3600 + first_bit(f.minute) * 60,
                        last_bit(f.hour) * 3600 + last_bit(f.minute) * 60,
                    );
                    first.get_or_insert(day * 86400 + lo);
                    last = day * 86400 + hi;
                    count += (f.hour.count_ones() * f.minute.count_ones()) as u64;
                }
            }
        }
        match (first, count) {
            (Some(f0), c) if c >= 2 => Some((last - f0) as f64 / (c - 1) as f64),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(s: &str) -> f64 {
        parse(s).unwrap().interval().unwrap()
    }

    #[test]
    fn k3s_default_and_descriptors() {
        assert_eq!(interval("0 */12 * * *"), 43200.0);
        assert_eq!(interval("@hourly"), 3600.0);
        assert_eq!(interval("@daily"), 86400.0);
        assert_eq!(interval("@every 6h"), 21600.0);
        assert_eq!(interval("CRON_TZ=Europe/Berlin 30 2 * * *"), 86400.0);
        assert!((interval("@weekly") - 7.0 * 86400.0).abs() < 1.0);
    }

    #[test]
    fn robfig_field_semantics() {
        assert_eq!(interval("*/15 * * * *"), 900.0);
        assert_eq!(interval("0 0 * * SUN"), 7.0 * 86400.0);
        assert!(parse("0 0 * * 0").is_ok(), "Sunday is 0 in robfig/cron");
        assert!(parse("0 0 * * 7").is_err());
        assert!(parse("0 0 ? * MON-FRI").is_ok());
        assert!(parse("5/20 * * * *").is_ok());
        assert!(parse("0 0 31 2 *").unwrap().interval().is_none());
    }

    #[test]
    fn extreme_numbers_terminate() {
        assert!(parse("1/4294967295 * * * *").is_ok());
        assert!(parse("*/4294967295 * * * *").is_ok());
        assert!(parse("0/99999999999 * * * *").is_err());
        assert!(parse("4294967295 * * * *").is_err());
        assert!(parse("0-4294967295 * * * *").is_err());
        assert!(parse("@every 2562047h").is_ok());
        assert!(parse("@every 99999999999h").is_err());
    }

    #[test]
    fn invalid_schedules() {
        for bad in [
            "@12h",
            "0 */12 * *",
            "0 0 */12 * * *",
            "60 * * * *",
            "0 24 * * *",
            "* * 0 * *",
            "@every 12",
            "@every",
            "0 0 * * MON-",
            "*/0 * * * *",
            "5-1 * * * *",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be invalid");
        }
    }
}
