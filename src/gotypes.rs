//! The Go value grammars k3s's flag parser applies to `etcd_backup` values.
//! Sources: Go `strconv.ParseBool`, `strconv.ParseInt(s, 0, 64)` (the `flag` package's int
//! values), `time.ParseDuration`.

/// Go's `strconv.ParseBool`: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

pub const BOOL_WORDS: &str = "1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False";

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, decimal or 0x/0o/0b prefixed, `_` between
/// digits only with a prefix.
pub fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    if digits.is_empty()
        || (!prefixed && digits.contains('_'))
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let v = i64::from_str_radix(&digits.replace('_', ""), radix).ok()?;
    Some(if neg { -v } else { v })
}

/// Go's `time.ParseDuration`, in seconds: `300ms`, `-1.5h`, `2h45m`, `0`. Units ns, us, µs, μs,
/// ms, s, m, h; a unit is required except for `0`.
pub fn parse_duration(s: &str) -> Option<f64> {
    let (neg, mut rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let num = &rest[..num_end];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let n: f64 = num.parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * scale;
        rest = &rest[unit_end..];
    }
    // Go rejects durations beyond ~292 years (int64 nanoseconds).
    if total > 9_223_372_036.854_775 {
        return None;
    }
    Some(if neg { -total } else { total })
}

/// A span for people: `84d`, `2d12h`, `5h`, `30m`, `45s`.
pub fn human(seconds: f64) -> String {
    let mut s = seconds.round() as i64;
    if s <= 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools_as_go_parses_them() {
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_bool("tRuE"), None);
    }

    #[test]
    fn ints_as_go_parses_them() {
        assert_eq!(parse_int("168"), Some(168));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("0x10"), Some(16));
        assert_eq!(parse_int("1_000"), None);
        assert_eq!(parse_int("12h"), None);
        assert_eq!(parse_int(""), None);
    }

    #[test]
    fn durations_as_go_parses_them() {
        assert_eq!(parse_duration("5m0s"), Some(300.0));
        assert_eq!(parse_duration("1.5h"), Some(5400.0));
        assert_eq!(parse_duration("0"), Some(0.0));
        assert_eq!(parse_duration("300ms"), Some(0.3));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("1d"), None);
        assert_eq!(parse_duration("h"), None);
    }

    #[test]
    fn human_spans() {
        assert_eq!(human(84.0 * 86400.0), "84d");
        assert_eq!(human(60.0 * 3600.0), "2d12h");
        assert_eq!(human(90.0), "1m30s");
    }
}
