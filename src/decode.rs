//! Decoding what modules render into their resources: base64, gzip, MIME multipart cloud-init,
//! cloud-config `write_files`, and k3s configuration text (config.yaml lines, `--etcd-*` flags,
//! `--token`, `token:`, `K3S_TOKEN=`).
//!
//! Each decoder returns `None` when the input is not of its kind: a decoder never fails loudly,
//! because most strings in a plan are not encoded at all.

use std::io::Read;

use base64::Engine;

use crate::yaml::{self, Yaml, YamlError};

/// Decoded data larger than this is ignored (a zip bomb in user data must not exhaust memory).
pub const MAX_DECODED: u64 = 32 << 20;

/// Strict standard base64 (whitespace allowed, as in wrapped PEM-style text).
pub fn base64(s: &str) -> Option<Vec<u8>> {
    let t = s.trim();
    if t.len() < 12 {
        return None;
    }
    let compact: String;
    let body = if t.bytes().any(|b| b.is_ascii_whitespace()) {
        compact = t.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        compact.as_str()
    } else {
        t
    };
    if body.len() % 4 != 0 || !body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=') {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

pub fn is_gzip(b: &[u8]) -> bool {
    b.len() > 18 && b[0] == 0x1f && b[1] == 0x8b
}

pub fn gunzip(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let d = flate2::read::MultiGzDecoder::new(b);
    d.take(MAX_DECODED + 1).read_to_end(&mut out).ok()?;
    if out.len() as u64 > MAX_DECODED {
        return None;
    }
    Some(out)
}

/// One part of a MIME multipart document.
pub struct MimePart {
    pub content_type: String,
    pub filename: Option<String>,
    pub transfer_encoding: Option<String>,
    pub body: String,
}

fn header_param(value: &str, param: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case(param).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Splits headers from body at the first empty line (CRLF or LF).
fn split_headers(s: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match (s.find("\r\n\r\n"), s.find("\n\n")) {
        (Some(a), Some(b)) if b < a => (&s[..b], &s[b + 2..]),
        (Some(a), _) => (&s[..a], &s[a + 4..]),
        (None, Some(b)) => (&s[..b], &s[b + 2..]),
        (None, None) => (s, ""),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    (headers, body)
}

/// Parses a `multipart/*` MIME document (RFC 2046), as the cloudinit provider writes them.
pub fn mime_parts(text: &str) -> Option<Vec<MimePart>> {
    let (headers, body) = split_headers(text);
    let ct = headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.as_str())?;
    if !ct.to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    let boundary = header_param(ct, "boundary")?;
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in body.split(delim.as_str()).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk.strip_prefix("\r\n").or_else(|| chunk.strip_prefix('\n')).unwrap_or(chunk);
        let (h, b) = split_headers(chunk);
        let get = |name: &str| h.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let content_type = get("content-type").unwrap_or_else(|| "text/plain".into());
        let filename = get("content-disposition").and_then(|d| header_param(&d, "filename"));
        // The line break before the next delimiter belongs to the delimiter.
        let b = b.strip_suffix("\r\n").or_else(|| b.strip_suffix('\n')).unwrap_or(b);
        parts.push(MimePart {
            content_type,
            filename,
            transfer_encoding: get("content-transfer-encoding"),
            body: b.to_string(),
        });
    }
    Some(parts)
}

/// A file of a cloud-config `write_files` list.
#[derive(Debug, Default)]
pub struct WriteFile {
    pub path: String,
    pub content: String,
    pub encoding: Option<String>,
}

/// Reads `write_files` from a `#cloud-config` document with the YAML parser (`crate::yaml`): every
/// scalar style cloud-init accepts (plain, quoted and folded over lines, `|` and `>` blocks).
/// A document past the parser's limits is an error, never a hang.
pub fn cloud_config_write_files(text: &str) -> Result<Vec<WriteFile>, YamlError> {
    let mut files = Vec::new();
    for doc in yaml::parse(text)? {
        let Some(Yaml::Seq(entries)) = doc.get("write_files") else { continue };
        for e in entries {
            let text = |k: &str| e.get(k).and_then(Yaml::as_str).map(str::to_string);
            files.push(WriteFile {
                path: text("path").unwrap_or_default(),
                content: text("content").unwrap_or_default(),
                encoding: text("encoding"),
            });
        }
    }
    Ok(files)
}

/// Byte index of the closing `"` of a double-quoted scalar whose opening quote was already removed.
fn quoted_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// YAML double-quoted escapes (a superset of JSON's).
pub fn unescape_double(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some(' ') => out.push(' '),
            Some('e') => out.push('\u{1b}'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('N') => out.push('\u{85}'),
            Some('_') => out.push('\u{a0}'),
            Some(h @ ('x' | 'u' | 'U')) => {
                let n = match h {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The scalar after `key:` on one line of k3s config text: quoted, or plain up to a comment.
fn line_scalar(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix('"') {
        let end = quoted_end(rest).unwrap_or(rest.len());
        return unescape_double(&rest[..end]);
    }
    if let Some(rest) = raw.strip_prefix('\'') {
        let inner = rest.strip_suffix('\'').unwrap_or(rest);
        return inner.replace("''", "'");
    }
    let plain = match raw.find(" #") {
        Some(p) => &raw[..p],
        None => raw,
    };
    plain.trim().to_string()
}

fn split_yaml_key(entry: &str) -> Option<(String, &str)> {
    if let Some(rest) = entry.strip_prefix('"') {
        let end = quoted_end(rest)?;
        let key = unescape_double(&rest[..end]);
        let after = rest[end + 1..].trim_start().strip_prefix(':')?;
        return Some((key, after.trim_start()));
    }
    let (k, v) = entry.split_once(':')?;
    Some((k.trim().to_string(), v.trim_start()))
}

/// Decodes a `write_files` entry's content according to its `encoding`.
pub fn write_file_content(f: &WriteFile) -> Option<String> {
    let enc = f.encoding.as_deref().unwrap_or("text/plain").to_ascii_lowercase();
    let bytes = match enc.as_str() {
        "b64" | "base64" => base64(&f.content)?,
        "gz+b64" | "gzip+base64" | "gz+base64" | "gzip+b64" => gunzip(&base64(&f.content)?)?,
        "gz" | "gzip" => gunzip(f.content.as_bytes())?,
        _ => return Some(f.content.clone()),
    };
    String::from_utf8(bytes).ok()
}

/// What k3s configuration text says: `etcd-*` keys (without the prefix) and the token.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct K3sText {
    pub etcd: Vec<(String, String)>,
    pub token: Option<String>,
}

/// Reads k3s config.yaml lines (`etcd-s3-bucket: x`, `token: x`), server flags
/// (`--etcd-s3-bucket=x`, `--etcd-s3-bucket x`, `--etcd-s3`, `--token=x`) and `K3S_TOKEN=x`.
pub fn k3s_text(text: &str) -> K3sText {
    let mut out = K3sText::default();
    // Line continuations joined; most texts have none and are read in place.
    let joined: std::borrow::Cow<str> = if text.contains("\\\n") || text.contains("\\\r\n") {
        text.replace("\\\r\n", " ").replace("\\\n", " ").into()
    } else {
        text.into()
    };
    for line in joined.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            continue;
        }
        // config.yaml
        if let Some((k, v)) = yaml_line(t) {
            if let Some(key) = k.strip_prefix("etcd-") {
                out.etcd.push((key.to_string(), v));
            } else if k == "cluster-reset-restore-path" {
                out.etcd.push((k, v));
            } else if k == "token" && literal(&v) {
                out.token = Some(v);
            }
            continue;
        }
        // Only `--flag` and `K3S_TOKEN=` words carry anything: most lines of a long script have
        // neither, and splitting them into words would be most of the time spent.
        if !t.contains("--") && !t.contains("K3S_TOKEN=") {
            continue;
        }
        let words = shell_words(t);
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let next = words.get(i + 1).filter(|n| !n.starts_with('-'));
            if let Some(env) = w.strip_prefix("K3S_TOKEN=") {
                if literal(env) {
                    out.token = Some(env.to_string());
                }
            } else if let Some(flag) = w.strip_prefix("--") {
                let (name, inline) = match flag.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (flag, None),
                };
                let is_bool = name
                    .strip_prefix("etcd-")
                    .and_then(crate::catalogue::key)
                    .map(|k| k.kind == crate::catalogue::KeyType::Bool)
                    .unwrap_or(false);
                let value = match inline {
                    Some(v) => Some(v),
                    None if is_bool => Some("true".to_string()),
                    None => next.cloned().inspect(|_| i += 1),
                };
                if let Some(v) = value {
                    if let Some(key) = name.strip_prefix("etcd-") {
                        out.etcd.push((key.to_string(), v));
                    } else if name == "cluster-reset-restore-path" {
                        out.etcd.push((name.to_string(), v));
                    } else if (name == "token" || name == "t") && literal(&v) {
                        out.token = Some(v);
                    }
                }
            }
            i += 1;
        }
    }
    out
}

/// A shell variable or command substitution is not a value we can know.
fn literal(v: &str) -> bool {
    !v.is_empty() && !v.contains('$') && !v.contains('`')
}

/// `key: value` of a YAML mapping line whose key looks like a k3s option.
fn yaml_line(t: &str) -> Option<(String, String)> {
    let (k, raw) = split_yaml_key(t.strip_prefix("- ").unwrap_or(t))?;
    if k.is_empty() || !k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return None;
    }
    if !(k.starts_with("etcd-") || k == "token" || k == "cluster-reset-restore-path") {
        return None;
    }
    Some((k, line_scalar(raw)))
}

/// Whitespace-separated words with shell quotes removed.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if started || !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(s: &str) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(s.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gunzip_holds_its_limit_at_and_past_it() {
        let zeros = |n: u64| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let chunk = vec![0u8; 1 << 20];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len() as u64) as usize;
                e.write_all(&chunk[..k]).unwrap();
                left -= k as u64;
            }
            e.finish().unwrap()
        };
        assert_eq!(gunzip(&zeros(MAX_DECODED)).map(|v| v.len() as u64), Some(MAX_DECODED));
        assert_eq!(gunzip(&zeros(MAX_DECODED + 1)), None, "a gzip bomb is not inflated past the limit");
    }

    #[test]
    fn base64_is_strict() {
        assert_eq!(base64("aGVsbG8gd29ybGQh").unwrap(), b"hello world!");
        assert!(base64("not base64 at all!").is_none());
        assert!(base64("short").is_none());
    }

    #[test]
    fn gzip_round_trip() {
        assert_eq!(gunzip(&gzip("abc")).unwrap(), b"abc");
        assert!(gunzip(b"\x1f\x8bgarbage-garbage-garbage").is_none());
    }

    #[test]
    fn mime_multipart_parts() {
        let doc = "Content-Type: multipart/mixed; boundary=\"B\"\r\nMIME-Version: 1.0\r\n\r\n--B\r\nContent-Type: text/cloud-config\r\nContent-Disposition: attachment; filename=\"a.yaml\"\r\n\r\n#cloud-config\r\nx: 1\r\n--B\r\nContent-Type: text/x-shellscript\r\nContent-Transfer-Encoding: base64\r\n\r\nZWNobyBoaQ==\r\n--B--\r\n";
        let parts = mime_parts(doc).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].filename.as_deref(), Some("a.yaml"));
        assert_eq!(parts[0].body, "#cloud-config\r\nx: 1");
        assert_eq!(parts[1].transfer_encoding.as_deref(), Some("base64"));
        assert!(mime_parts("just text").is_none());
    }

    #[test]
    fn write_files_as_terraform_yamlencode_writes_them() {
        let doc = "#cloud-config\n\"write_files\":\n- \"content\": \"{\\\"s3-bucket\\\":\\\"b\\\"}\"\n  \"owner\": \"root:root\"\n  \"path\": \"/etc/zadara/etcd_backup.json\"\n";
        let f = cloud_config_write_files(doc).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "/etc/zadara/etcd_backup.json");
        assert_eq!(f[0].content, "{\"s3-bucket\":\"b\"}");
    }

    #[test]
    fn write_files_by_hand_with_blocks_and_encodings() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(gzip("token: abc\n"));
        let doc = format!(
            "#cloud-config\nwrite_files:\n  - path: /etc/rancher/k3s/config.yaml\n    content: |\n      etcd-s3: true\n      etcd-s3-bucket: 'b'\n  - path: /x\n    encoding: gz+b64\n    content: {b64}\nruncmd:\n  - echo\n"
        );
        let f = cloud_config_write_files(&doc).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].content, "etcd-s3: true\netcd-s3-bucket: 'b'\n");
        assert_eq!(write_file_content(&f[1]).unwrap(), "token: abc\n");
    }

    #[test]
    fn write_files_folded_as_pyyaml_and_go_yaml_emit_them() {
        // A double-quoted scalar over lines: a break is a space, an escaped break nothing.
        let doc = "#cloud-config\nwrite_files:\n- path: /etc/rancher/k3s/config.yaml\n  content: \"etcd-s3-bucket:\n    b\\nto\\\n    ken: t\\n\"\n";
        let f = cloud_config_write_files(doc).unwrap();
        assert_eq!(f[0].content, "etcd-s3-bucket: b\ntoken: t\n");
    }

    #[test]
    fn hostile_cloud_config_is_an_error_not_a_hang() {
        let mut doc = String::from("#cloud-config\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        doc.push_str("write_files:\n- path: /etc/rancher/k3s/config.yaml\n  content: 'etcd-s3-bucket: b'\n");
        assert_eq!(cloud_config_write_files(&doc).err(), Some(YamlError::TooLarge));
    }

    #[test]
    fn k3s_config_text_flags_and_env() {
        let t = k3s_text("etcd-s3-bucket: \"b1\"\ntoken: tok # comment\n");
        assert_eq!(t.etcd, vec![("s3-bucket".to_string(), "b1".to_string())]);
        assert_eq!(t.token.as_deref(), Some("tok"));
        let t = k3s_text("curl | K3S_TOKEN='t2' sh -s - server \\\n --etcd-s3 --etcd-s3-bucket b2 --etcd-s3-folder=\"f\" --token=$TOKEN");
        assert_eq!(t.token.as_deref(), Some("t2"));
        assert_eq!(
            t.etcd,
            vec![("s3".into(), "true".into()), ("s3-bucket".into(), "b2".into()), ("s3-folder".into(), "f".into())]
        );
    }
}
