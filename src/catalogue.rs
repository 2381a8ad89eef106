//! The k3s `--etcd-*` flag catalogue and the module's own keys: the one table the rules and the
//! resolver consult.
//!
//! Source: k3s `pkg/cli/cmds/server.go` (ServerFlags, the `etcd-*` flags) and
//! `pkg/cli/cmds/etcd_snapshot.go` (EtcdSnapshotFlags), k3s v1.33; `s3-retention` since the
//! August 2025 releases. Keys are the flag names without `--etcd-`.
//! Module keys: zadarastorage/terraform-zcompute-k8s v3.1.0 (`files/k3s/setup.sh`).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Bool,
    Int,
    Duration,
    Cron,
    String,
    /// A credential: never shown in any output.
    Secret,
    Endpoint,
    LookupType,
    /// `autorestore`: the module compares it with the exact string "true".
    ModuleBool,
    /// k3s takes `--etcd-arg` repeatedly as `key=value`.
    Args,
}

pub struct Key {
    pub name: &'static str,
    pub kind: KeyType,
    /// k3s's default, as text (a module's own is in its profile's `defaults`).
    pub default: Option<&'static str>,
    /// Whether this key is the module's, not a k3s flag.
    pub module: bool,
    pub help: &'static str,
}

const fn k(name: &'static str, kind: KeyType, default: Option<&'static str>, help: &'static str) -> Key {
    Key { name, kind, default, module: false, help }
}

pub static KEYS: &[Key] = &[
    k("arg", KeyType::Args, None, "extra etcd process arguments"),
    k("expose-metrics", KeyType::Bool, Some("false"), "expose etcd metrics to the client interface"),
    k("disable-snapshots", KeyType::Bool, Some("false"), "disable automatic etcd snapshots"),
    k("snapshot-name", KeyType::String, Some("etcd-snapshot"), "base name of etcd snapshots"),
    k("snapshot-schedule-cron", KeyType::Cron, Some("0 */12 * * *"), "snapshot interval time in cron spec"),
    k("snapshot-reconcile-interval", KeyType::Duration, Some("10m0s"), "snapshot list reconcile interval"),
    // Modules may set their own (zcompute-k8s: 168): their profile's `defaults`.
    k("snapshot-retention", KeyType::Int, Some("5"), "number of snapshots to retain"),
    k("snapshot-dir", KeyType::String, None, "directory to save db snapshots"),
    k("snapshot-compress", KeyType::Bool, Some("false"), "compress etcd snapshots (zip)"),
    k("s3", KeyType::Bool, Some("false"), "enable backup to S3"),
    k("s3-endpoint", KeyType::Endpoint, Some("s3.amazonaws.com"), "S3 endpoint host[:port]"),
    k("s3-endpoint-ca", KeyType::String, None, "S3 custom CA cert"),
    k("s3-skip-ssl-verify", KeyType::Bool, Some("false"), "disable S3 SSL certificate validation"),
    k("s3-access-key", KeyType::Secret, None, "S3 access key"),
    k("s3-secret-key", KeyType::Secret, None, "S3 secret key"),
    k("s3-session-token", KeyType::Secret, None, "S3 session token"),
    k("s3-bucket", KeyType::String, None, "S3 bucket name"),
    k("s3-bucket-lookup-type", KeyType::LookupType, Some("auto"), "S3 bucket lookup type (auto, dns, path)"),
    k("s3-region", KeyType::String, Some("us-east-1"), "S3 region / bucket location"),
    k("s3-folder", KeyType::String, None, "S3 folder"),
    k("s3-retention", KeyType::Int, Some("5"), "number of snapshots in S3 to retain"),
    k("s3-proxy", KeyType::String, None, "proxy server for S3 (URL with scheme, or none)"),
    k("s3-config-secret", KeyType::String, None, "Kubernetes secret holding S3 settings (not usable for restore)"),
    k("s3-insecure", KeyType::Bool, Some("false"), "disable S3 over HTTPS"),
    k("s3-timeout", KeyType::Duration, Some("5m0s"), "S3 timeout"),
    Key {
        name: "autorestore",
        kind: KeyType::ModuleBool,
        default: Some("true"),
        module: true,
        help: "module: restore the newest snapshot in bucket/folder when the cluster is created",
    },
    Key {
        name: "cluster-reset-restore-path",
        kind: KeyType::String,
        default: None,
        module: true,
        help: "module: restore this snapshot instead of the newest",
    },
];

/// The keys without which k3s writes no snapshot to S3.
pub const REQUIRED: &[&str] = &["s3", "s3-endpoint", "s3-bucket", "s3-access-key", "s3-secret-key", "s3-region"];

pub fn key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// Keys whose values are never shown: the catalogue's credentials, and any unknown key whose name
/// looks like one (a typo such as `s3_secret_key` still holds a secret).
pub fn is_secret_key(name: &str) -> bool {
    if let Some(k) = key(name) {
        return k.kind == KeyType::Secret;
    }
    let n = name.to_ascii_lowercase();
    ["key", "secret", "token", "password", "credential"].iter().any(|w| n.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_keys_are_in_the_catalogue() {
        for r in REQUIRED {
            assert!(key(r).is_some(), "{r}");
        }
    }

    #[test]
    fn credentials_and_lookalikes_are_secret() {
        assert!(is_secret_key("s3-secret-key"));
        assert!(is_secret_key("s3_access_key"));
        assert!(!is_secret_key("s3-bucket"));
    }
}
