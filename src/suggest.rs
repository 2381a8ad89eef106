//! Naming the nearest known key when a document or declaration has an unknown one.

use serde_json::Value;

use crate::error::Error;

/// The known key nearest to `key`, when it is near enough to be a typo.
pub fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let n = key.to_ascii_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&n, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

fn printable(key: &str) -> String {
    let k: String = key.chars().filter(|c| !c.is_control()).take(40).collect();
    format!("{k:?}")
}

/// An error for a key the document does not know, naming the nearest known one.
pub fn unknown_key(at: &str, key: &str, known: &[&str]) -> String {
    let hint = match nearest(key, known) {
        Some(k) => format!("; did you mean {k:?}?"),
        None => format!(" (known keys: {})", known.join(", ")),
    };
    format!("{at} has an unknown key {}{hint}", printable(key))
}

pub fn check_keys(at: &str, m: &serde_json::Map<String, Value>, known: &[&str]) -> Result<(), Error> {
    match m.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(Error::Data { why: unknown_key(at, k, known) }),
        None => Ok(()),
    }
}
