//! Backup locations (SPEC §3): (service, bucket, folder).

use serde::Serialize;

use crate::model::Cluster;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// `aws` for any `*.amazonaws.com` endpoint (bucket names are global there), otherwise the
    /// lower-cased `host:port` without the default port.
    pub service: String,
    pub bucket: String,
    /// Without leading or trailing slashes; `""` is the bucket root.
    pub folder: String,
}

/// k3s's default endpoint when `s3-endpoint` is not set.
const DEFAULT_ENDPOINT: &str = "s3.amazonaws.com";

pub fn service(endpoint: &str) -> String {
    let e = endpoint.trim().to_ascii_lowercase();
    let e = e.split_once("://").map(|(_, rest)| rest.to_string()).unwrap_or(e);
    let hostport = e.split('/').next().unwrap_or("");
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (hostport, None),
    };
    if host == "amazonaws.com" || host.ends_with(".amazonaws.com") {
        return "aws".into();
    }
    match port {
        // The module always talks https to the endpoint.
        Some("443") | None => host.to_string(),
        Some(p) => format!("{host}:{p}"),
    }
}

pub fn normalise_folder(f: &str) -> String {
    f.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/")
}

/// The cluster's location, when bucket and endpoint are known.
pub fn of(c: &Cluster) -> Option<Location> {
    let bucket = c.key("s3-bucket")?.known()?.to_string();
    let endpoint = match c.key("s3-endpoint") {
        Some(r) => r.known()?.to_string(),
        None => DEFAULT_ENDPOINT.to_string(),
    };
    let folder = match c.key("s3-folder") {
        Some(r) => normalise_folder(r.known()?),
        None => String::new(),
    };
    Some(Location { service: service(&endpoint), bucket, folder })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services() {
        assert_eq!(service("s3.eu-west-1.amazonaws.com"), "aws");
        assert_eq!(service("S3.AmazonAWS.com"), "aws");
        assert_eq!(service("minio.local:9000"), "minio.local:9000");
        assert_eq!(service("minio.local:443"), "minio.local");
    }

    #[test]
    fn folders() {
        assert_eq!(normalise_folder("/a//b/"), "a/b");
        assert_eq!(normalise_folder(""), "");
    }
}
