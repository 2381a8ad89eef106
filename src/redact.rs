//! Credentials inside URLs — `https://user:password@host`, or `user:password@host` without a
//! scheme, as an `s3-endpoint` may be written — are never shown (SPEC §4): not in a message, a
//! value of the report, a location or a fingerprint key, in any format.

use std::borrow::Cow;

/// What stands in for a hidden value.
pub const HIDDEN: &str = "(sensitive)";

/// `s` with the userinfo of every URL in it (`user:password@`) replaced by `(sensitive)@`.
/// Each whitespace-separated word is looked at on its own; a word's authority starts after
/// `://` (or at its start) and ends at the first `/`, `?` or `#`; its userinfo is everything up
/// to the authority's last `@`.
pub fn url_credentials(s: &str) -> Cow<'_, str> {
    if !s.contains('@') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut rest = s;
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        match userinfo(word) {
            Some((start, end)) => {
                out.push_str(&word[..start]);
                out.push_str(HIDDEN);
                out.push_str(&word[end..]);
                changed = true;
            }
            None => out.push_str(word),
        }
        let ws_end = after.find(|c: char| !c.is_whitespace()).unwrap_or(after.len());
        out.push_str(&after[..ws_end]);
        rest = &after[ws_end..];
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

/// The byte range of a word's userinfo, when it has a non-empty one.
fn userinfo(word: &str) -> Option<(usize, usize)> {
    let start = word.find("://").map(|i| i + 3).unwrap_or(0);
    let authority = &word[start..];
    let end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    let at = authority[..end].rfind('@')?;
    if authority[..at].ends_with(HIDDEN) {
        return None; // already hidden
    }
    // `@every 1h` (a schedule) and a bare `@` have no userinfo before the `@`.
    let info = authority[..at].trim_start_matches(['"', '\'', '(', '[', '=']);
    if info.is_empty() {
        return None;
    }
    Some((start + (at - info.len()), start + at))
}

/// Whether `s` holds a URL with credentials.
pub fn has_url_credentials(s: &str) -> bool {
    matches!(url_credentials(s), Cow::Owned(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_userinfo_with_and_without_scheme() {
        let cases = [
            ("https://AKIA:pass@minio.example.com", "https://(sensitive)@minio.example.com"),
            ("http://u:p@proxy:3128/x?y", "http://(sensitive)@proxy:3128/x?y"),
            ("u:p@minio:9000", "(sensitive)@minio:9000"),
            ("s3-endpoint \"https://a:b@c\" is bad", "s3-endpoint \"https://(sensitive)@c\" is bad"),
            ("https://a:p@ss@host", "https://(sensitive)@host"),
            ("set \"u:p@h\"", "set \"(sensitive)@h\""),
        ];
        for (input, want) in cases {
            assert_eq!(url_credentials(input), want, "{input}");
            assert_eq!(url_credentials(want), want, "hiding twice changes nothing");
            assert!(has_url_credentials(input));
        }
    }

    #[test]
    fn leaves_everything_else_alone() {
        for s in ["@every 1h", "\"@hourly\"", "s3.amazonaws.com", "https://host/path@x", "a @ b", "", "x\t@y"] {
            assert!(matches!(url_credentials(s), Cow::Borrowed(_)), "{s}");
        }
    }
}
