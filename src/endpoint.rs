//! `s3-endpoint` as k3s hands it to minio-go: `host[:port]`, no scheme, path or credentials
//! (minio-go: "Endpoint url cannot have fully qualified paths"). Hosts are checked as minio-go
//! checks them (`valid_host`).

/// What is wrong with an endpoint, and the corrected value when one can be derived.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub what: String,
    pub corrected: Option<String>,
    /// The value had an `http://` scheme: plain HTTP needs `s3-insecure = "true"` instead.
    pub http: bool,
}

/// The `host[:port]` of an endpoint as written, without scheme, credentials or path — what a
/// location names and a cloud is recognised by; never the userinfo.
pub fn host_port(endpoint: &str) -> &str {
    let e = endpoint.trim();
    let e = e.split_once("://").map(|(_, rest)| rest).unwrap_or(e);
    let authority = &e[..e.find(['/', '?', '#']).unwrap_or(e.len())];
    authority.rsplit_once('@').map(|(_, host)| host).unwrap_or(authority)
}

pub fn check(endpoint: &str) -> Result<(), Problem> {
    let mut problems = Vec::new();
    let mut http = false;
    if endpoint.is_empty() {
        return Err(Problem { what: "is empty".into(), corrected: None, http });
    }
    if endpoint.chars().any(char::is_whitespace) {
        problems.push("contains whitespace");
    }
    let trimmed = endpoint.trim();
    let mut rest = trimmed;
    if let Some((scheme, after)) = trimmed.split_once("://") {
        problems.push("has a scheme");
        http = scheme.eq_ignore_ascii_case("http");
        rest = after;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if let Some(at) = rest[..authority_end].rfind('@') {
        problems.push("holds credentials");
        rest = &rest[at + 1..];
    }
    if let Some(i) = rest.find(['/', '?', '#']) {
        if !rest[i..].trim_matches('/').is_empty() {
            problems.push("has a path");
        } else if i + 1 < rest.len() || rest.ends_with('/') {
            problems.push("ends with a slash");
        }
        rest = &rest[..i];
    }
    let hostport = rest.trim();
    let host_ok = valid_hostport(hostport);
    if !host_ok {
        problems.push("has an invalid host or port");
    }
    if problems.is_empty() {
        return Ok(());
    }
    let corrected = (host_ok && hostport != endpoint).then(|| hostport.to_string());
    Err(Problem { what: problems.join(", "), corrected, http })
}

fn valid_hostport(hp: &str) -> bool {
    if hp.is_empty() {
        return false;
    }
    let (host, port) = if let Some(inner) = hp.strip_prefix('[') {
        // [IPv6]:port
        match inner.split_once(']') {
            Some((h, rest)) => (
                format!("[{h}]"),
                rest.strip_prefix(':').map(str::to_string).or_else(|| (!rest.is_empty()).then(|| "x".into())),
            ),
            None => return false,
        }
    } else {
        match hp.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.to_string())),
            None => (hp.to_string(), None),
        }
    };
    if let Some(p) = port {
        match p.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) && !p.starts_with('+') => {}
            _ => return false,
        }
    }
    valid_host(&host)
}

/// A host as minio-go takes one (`s3utils.IsValidIP`: Go's `net.ParseIP`; `IsValidDomain`): an
/// IPv4 address, a bracketed IPv6 address, or an ASCII DNS name of letters, digits and hyphens,
/// not starting or ending with a hyphen (RFC 1035; a name whose labels are all digits is an
/// IPv4 address or nothing, RFC 3696 §2). An internationalised name would need punycode.
pub fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<std::net::Ipv6Addr>().is_ok();
    }
    if host.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())) {
        return host.parse::<std::net::Ipv4Addr>().is_ok();
    }
    let d = host.strip_suffix('.').unwrap_or(host);
    d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// An absolute `http(s)://host[:port][/path]` URL, as `--rule-docs-url` takes (SARIF's
/// `helpUri` links are made from it).
pub fn valid_http_url(u: &str) -> bool {
    let Some(rest) = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://")) else { return false };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    !u.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) && valid_hostport(authority)
}

/// The AWS region an S3 endpoint names (`s3.eu-west-1.amazonaws.com`, `s3-eu-west-1…`,
/// `s3.dualstack.eu-west-1…`); `None` for the global endpoint and other clouds.
pub fn aws_region(endpoint: &str) -> Option<String> {
    let hp = host_port(endpoint).to_ascii_lowercase();
    let host = hp.split(':').next().unwrap_or_default();
    let rest = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let rest = rest.rsplit_once("s3.").map(|(_, r)| r).or_else(|| rest.rsplit_once("s3-").map(|(_, r)| r))?;
    let region = rest.strip_prefix("dualstack.").unwrap_or(rest);
    let parts = region.split('-').count();
    (parts >= 3 && region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then(|| region.to_string())
}

/// Public object-storage clouds, where credentials must never cross the network in clear text.
pub fn is_public_cloud(endpoint: &str) -> bool {
    let hp = host_port(endpoint);
    let host = hp.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map(|(h, _)| h).unwrap_or(hp);
    let host = host.to_ascii_lowercase();
    [
        "amazonaws.com",
        "amazonaws.com.cn",
        "storage.googleapis.com",
        "digitaloceanspaces.com",
        "backblazeb2.com",
        "wasabisys.com",
        "r2.cloudflarestorage.com",
        "linodeobjects.com",
        "cloud.ovh.net",
        "your-objectstorage.com",
        "scw.cloud",
        "oraclecloud.com",
        "aliyuncs.com",
        "myqcloud.com",
    ]
    .iter()
    .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_endpoints() {
        for ok in ["s3.us-east-1.amazonaws.com", "minio.local:9000", "10.0.0.5:9000", "[::1]:9000", "objects"] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn scheme_path_credentials_and_corrections() {
        let p = check("https://s3.amazonaws.com").unwrap_err();
        assert_eq!(p.corrected.as_deref(), Some("s3.amazonaws.com"));
        assert!(!p.http);
        let p = check("http://minio:9000/bucket").unwrap_err();
        assert!(p.http && p.what.contains("has a path"));
        assert_eq!(p.corrected.as_deref(), Some("minio:9000"));
        assert!(check("user:pw@minio:9000").unwrap_err().what.contains("credentials"));
        assert!(check("minio:99999").is_err());
        assert!(check("bad_host!").is_err());
        assert!(check("s3 .amazonaws.com").is_err());
        assert!(check("minio:9000/").unwrap_err().what.contains("slash"));
        assert!(check("A\u{61d}").is_err(), "non-ASCII hosts are invalid, not a panic");
    }

    #[test]
    fn host_port_drops_scheme_credentials_and_path() {
        assert_eq!(host_port("https://AKIA:pw@MinIO.example.com:9000/x"), "MinIO.example.com:9000");
        assert_eq!(host_port("u:p@ss@minio"), "minio");
        assert_eq!(host_port(" s3.amazonaws.com "), "s3.amazonaws.com");
        assert!(is_public_cloud("https://AKIA:pw@s3.eu-west-1.amazonaws.com"));
    }

    #[test]
    fn public_clouds() {
        assert!(is_public_cloud("s3.eu-west-1.amazonaws.com"));
        assert!(is_public_cloud("nyc3.digitaloceanspaces.com"));
        assert!(!is_public_cloud("minio.internal:9000"));
    }

    #[test]
    fn aws_regions_from_endpoints() {
        assert_eq!(aws_region("s3.eu-west-1.amazonaws.com").as_deref(), Some("eu-west-1"));
        assert_eq!(aws_region("https://s3-ap-southeast-2.amazonaws.com:443").as_deref(), Some("ap-southeast-2"));
        assert_eq!(aws_region("s3.dualstack.us-west-2.amazonaws.com").as_deref(), Some("us-west-2"));
        assert_eq!(aws_region("s3.cn-north-1.amazonaws.com.cn").as_deref(), Some("cn-north-1"));
        assert_eq!(aws_region("s3.amazonaws.com"), None);
        assert_eq!(aws_region("s3.pub1.infomaniak.cloud"), None);
        assert_eq!(aws_region("minio.internal:9000"), None);
    }

    #[test]
    fn hosts_as_minio_go_takes_them() {
        for ok in ["minio", "s3.amazonaws.com", "10.0.0.5", "[::1]", "[2001:db8::5]", "MinIO.Example.com", "a.b."] {
            assert!(valid_host(ok), "{ok}");
        }
        for bad in ["", "-a.b", "a-.b", "a..b", "256.1.1.1", "1.2.3", "[::g]", "a_b", "é.example", &"a".repeat(64)] {
            assert!(!valid_host(bad), "{bad}");
        }
        assert!(valid_http_url("https://docs.example.com/rules"));
        assert!(valid_http_url("http://localhost:8080"));
        for bad in ["docs/rules", "ftp://x", "https://", "https://a b", "https://x:99999/"] {
            assert!(!valid_http_url(bad), "{bad}");
        }
    }
}
