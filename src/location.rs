//! Backup locations (SPEC §3): (service, bucket, folder).

use std::collections::BTreeMap;

pub use crate::model::Location;
use crate::model::{Action, Backup, Cluster, Resolved};
use crate::settings;

impl Location {
    /// `service/bucket/folder`: how the baseline and messages name a location.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.service, self.bucket, self.folder)
    }

    /// Whether `other` lies strictly inside this location (a nested folder, or anything in the
    /// bucket when this one is the bucket root).
    pub fn contains(&self, other: &Location) -> bool {
        self.service == other.service
            && self.bucket == other.bucket
            && self.folder != other.folder
            && (self.folder.is_empty() || other.folder.starts_with(&format!("{}/", self.folder)))
    }

    pub fn overlaps(&self, other: &Location) -> bool {
        self == other || self.contains(other) || other.contains(self)
    }
}

/// The locations that strictly contain `l`: the same service and bucket, each ancestor folder,
/// and the bucket root (`prod/west/a` → `prod/west`, `prod`, `""`).
pub fn ancestors(l: &Location) -> Vec<Location> {
    if l.folder.is_empty() {
        return Vec::new();
    }
    let at =
        |folder: &str| Location { service: l.service.clone(), bucket: l.bucket.clone(), folder: folder.to_string() };
    let mut out = vec![at("")];
    out.extend(l.folder.match_indices('/').map(|(i, _)| at(&l.folder[..i])));
    out
}

/// k3s's default endpoint when `s3-endpoint` is not set.
const DEFAULT_ENDPOINT: &str = "s3.amazonaws.com";

/// The service part of a location: never the endpoint's userinfo (SPEC §4).
pub fn service(endpoint: &str) -> String {
    let hostport = crate::endpoint::host_port(endpoint).to_ascii_lowercase();
    let hostport = hostport.as_str();
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

/// The cluster's location, when bucket and endpoint are known: worked out once per cluster (rules,
/// the report and the data documents all ask; on 10 000 clusters it was 13 % of the time).
pub fn of(c: &Cluster) -> Option<&Location> {
    c.location
        .get_or_init(|| match &c.backup {
            Backup::Keys(keys) => from_keys(keys),
            _ => None,
        })
        .as_ref()
}

/// The location a map of keys describes (also used for the prior state's map).
pub fn from_keys(keys: &BTreeMap<String, Resolved>) -> Option<Location> {
    let bucket = keys.get("s3-bucket")?.known()?.to_string();
    let endpoint = match keys.get("s3-endpoint") {
        Some(r) => r.known()?.to_string(),
        None => DEFAULT_ENDPOINT.to_string(),
    };
    let folder = match keys.get("s3-folder") {
        Some(r) => normalise_folder(r.known()?),
        None => String::new(),
    };
    Some(Location { service: service(&endpoint), bucket, folder })
}

/// Clusters that will exist after the plan, with their known locations.
pub fn located(clusters: &[Cluster]) -> Vec<(&Cluster, &Location)> {
    clusters.iter().filter(|c| c.action != Action::Delete).filter_map(|c| of(c).map(|l| (c, l))).collect()
}

/// The snapshot name k3s prefixes its objects with (`etcd-snapshot` by default): what its S3
/// pruning lists under the folder.
pub fn snapshot_name(c: &Cluster) -> &str {
    settings::effective(c, "snapshot-name").unwrap_or("etcd-snapshot")
}

/// What the module's auto-restore lists: `<folder>/`, recursively (no delimiter), or the whole
/// bucket at the root.
pub fn restore_prefix(l: &Location) -> String {
    if l.folder.is_empty() {
        format!("the whole bucket {}", l.bucket)
    } else {
        format!("{}/ in bucket {}", l.folder, l.bucket)
    }
}

/// The prefix k3s's S3 pruning lists: `path.Join(folder, snapshot-name)`, recursively, across all
/// nodes (k3s `pkg/etcd/s3/s3.go` SnapshotRetention, called with `--etcd-snapshot-name`).
pub fn prune_prefix(l: &Location, snapshot_name: &str) -> String {
    if l.folder.is_empty() {
        snapshot_name.to_string()
    } else {
        format!("{}/{snapshot_name}", l.folder)
    }
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
        assert_eq!(service("https://AKIA:Secret@MinIO.local:9000/"), "minio.local:9000");
    }

    #[test]
    fn nesting() {
        let l = |f: &str| Location { service: "aws".into(), bucket: "b".into(), folder: f.into() };
        assert!(l("prod").contains(&l("prod/west")));
        assert!(!l("prod").contains(&l("production")));
        assert!(l("").contains(&l("x")));
        assert!(!l("prod").contains(&l("prod")));
        assert!(l("prod").overlaps(&l("prod")));
        assert_eq!(l("a/b").key(), "aws/b/a/b");
        let anc: Vec<String> = ancestors(&l("a/b/c")).iter().map(|x| x.folder.clone()).collect();
        assert_eq!(anc, vec!["", "a", "a/b"]);
        assert!(ancestors(&l("a/b/c")).iter().all(|a| a.contains(&l("a/b/c"))));
        assert!(ancestors(&l("")).is_empty());
    }

    #[test]
    fn folders() {
        assert_eq!(normalise_folder("/a//b/"), "a/b");
        assert_eq!(normalise_folder(""), "");
    }
}
