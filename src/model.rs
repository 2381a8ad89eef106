//! The domain model the rules work on: clusters with resolved values that know their provenance
//! and whether they are sensitive or unknown.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use crate::redact;

/// Where a value is written in the Terraform configuration: the file (relative to the
/// configuration's root directory), 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Pos {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// Where a value came from.
#[derive(Clone, PartialEq, Eq)]
pub enum Provenance {
    /// A literal in the module call (`constant_value`).
    Configuration,
    /// A root variable, possibly passed down through nested module calls; `declared_sensitive`
    /// when the root module declares it `sensitive = true`.
    Variable { name: String, declared_sensitive: bool },
    /// Read back from what the module rendered into one of its resources.
    Rendered { resource: String, attribute: String, via: Vec<String>, prior: bool },
    /// Evaluated from the configuration (`--config`): where it is written; `computed` when it is
    /// computed there from references (not a literal).
    ConfigurationFile { file: String, line: usize, column: usize, computed: bool },
    /// Set by the module itself when the input is given (kube-hetzner adds `etcd-s3 = true` to any
    /// non-empty `etcd_s3_backup`), as its profile declares.
    Module { profile: String, input: String },
    /// An attribute of a resource that is itself the cluster (`rancher2_cluster_v2`) or that it
    /// names (its cloud credential), as the plan shows it; `prior` for its value before the plan.
    Attribute { resource: String, attribute: String, prior: bool },
}

impl Provenance {
    /// The short name used in reports (`source`).
    pub fn source(&self) -> &'static str {
        match self {
            Provenance::Configuration => "configuration",
            Provenance::Variable { .. } => "variable",
            Provenance::Rendered { prior: false, .. } => "rendered",
            Provenance::Rendered { prior: true, .. } => "prior-state",
            Provenance::ConfigurationFile { .. } => "configuration-file",
            Provenance::Module { .. } => "module",
            Provenance::Attribute { prior: false, .. } => "attribute",
            Provenance::Attribute { prior: true, .. } => "prior-state",
        }
    }

    /// A human description without any value: `var.backup_secret_key`, `module.k8s.x.input (base64 > gzip)`.
    pub fn describe(&self) -> String {
        match self {
            Provenance::Configuration => "a literal in the module call".into(),
            Provenance::Variable { name, .. } => format!("var.{name}"),
            Provenance::Rendered { resource, attribute, via, .. } => {
                if via.is_empty() {
                    format!("{resource}.{attribute}")
                } else {
                    format!("{resource}.{attribute} ({})", via.join(" > "))
                }
            }
            Provenance::ConfigurationFile { file, line, .. } => format!("{file}:{line}"),
            Provenance::Module { profile, input } => format!("set by the {profile} module when {input} is given"),
            Provenance::Attribute { resource, attribute, .. } => format!("{resource}.{attribute}"),
        }
    }
}

impl fmt::Debug for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.source(), self.describe())
    }
}

#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    Known(String),
    /// Terraform reports it as unknown until apply.
    Unknown,
}

/// A resolved input value. Its `Debug` never shows a sensitive value, so not even a log leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct Resolved {
    pub value: Value,
    pub provenance: Provenance,
    pub sensitive: bool,
}

impl Resolved {
    pub fn known(&self) -> Option<&str> {
        match &self.value {
            Value::Known(s) => Some(s),
            Value::Unknown => None,
        }
    }

    /// The value as it may be shown to a person: `None` when unknown, `(sensitive)` when secret,
    /// credentials inside a URL replaced by `(sensitive)`.
    pub fn display(&self) -> Option<Cow<'_, str>> {
        match &self.value {
            Value::Unknown => None,
            Value::Known(_) if self.sensitive => Some(Cow::Borrowed(redact::HIDDEN)),
            Value::Known(s) => Some(redact::url_credentials(s)),
        }
    }
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = match (&self.value, self.sensitive) {
            (Value::Unknown, _) => "(unknown)".to_string(),
            (Value::Known(_), true) => "(sensitive)".to_string(),
            (Value::Known(s), false) => format!("{:?}", redact::url_credentials(s)),
        };
        write!(f, "{v} from {:?}", self.provenance)
    }
}

/// What the plan says about a cluster's `etcd_backup`.
#[derive(Clone, Debug)]
pub enum Backup {
    /// `null`, absent or empty: no snapshot goes to S3.
    NotSet { provenance: Option<Provenance> },
    /// The set of keys is known (each value may still be unknown).
    Keys(BTreeMap<String, Resolved>),
    /// Not even the set of keys can be read from the plan.
    Unresolved { reason: String },
}

#[derive(Clone, Debug)]
pub enum TokenState {
    Resolved(Resolved),
    /// `cluster_token` is not passed (the module then makes its own).
    NotSet,
    Unresolved {
        reason: String,
    },
}

#[derive(Clone, Debug)]
pub struct Token {
    pub state: TokenState,
    /// The references of the `cluster_token` expression (`var.x`, `random_password.t.result`).
    pub references: Vec<String>,
    /// The resource this plan creates or replaces that the token comes from, if any
    /// (a `random_password` regenerated after destroy + apply).
    pub regenerated_by: Option<String>,
}

/// What the cluster's resources held before this plan (`resource_changes[].before`,
/// `prior_state`), read back the same way as the planned values.
#[derive(Clone, Debug, Default)]
pub struct Prior {
    pub keys: Option<BTreeMap<String, Resolved>>,
    pub token: Option<Resolved>,
}

/// What this plan does to a cluster, from the actions on its resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    NoOp,
    Read,
    Create,
    Update,
    Replace,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::NoOp => "no-op",
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// A cluster that this plan (or another plan evaluated with it) deletes or renames away and
/// that wrote, before, to the location another cluster now uses: the token of its snapshots is the
/// one a restore there needs (SPEC §3, "A location keeps its token").
#[derive(Clone, Debug)]
pub struct Predecessor {
    pub address: String,
    pub plan: String,
    /// Its token in the prior state (never shown; compared only).
    pub token: Option<Resolved>,
}

/// A backup location (SPEC §3): (service, bucket, folder); `location.rs` works them out.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Location {
    /// `aws` for any `*.amazonaws.com` endpoint (bucket names are global there), otherwise the
    /// lower-cased `host:port` without the default port.
    pub service: String,
    pub bucket: String,
    /// Without leading or trailing slashes; `""` is the bucket root.
    pub folder: String,
}

/// What read a cluster's settings.
#[derive(Clone, Debug)]
pub enum ReadBy {
    /// The module profile that matched its module call.
    Profile(std::sync::Arc<crate::profiles::Profile>),
    /// Only what its resources left behind: a module call this plan deletes (renamed or removed),
    /// or a cluster of a state document (which has no configuration).
    Evidence,
    /// It carries etcd S3 settings, but no profile reads it (EB004): its module source (or
    /// resource type) and where the settings were seen. No other rule looks at it.
    Nobody { source: String, seen: String },
}

/// One instance of a cluster module call in one plan.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// What read it: a profile, the resources' evidence, or nothing (EB004).
    pub read_by: ReadBy,
    pub plan: String,
    /// The stack the plan belongs to (`--stack`, or the Spacelift wrapper's stack id): with the
    /// address, what identifies this very cluster in an inventory.
    pub stack: Option<String>,
    pub address: String,
    pub action: Action,
    pub backup: Backup,
    pub token: Token,
    pub prior: Prior,
    /// Deleted or renamed clusters whose prior location is this cluster's location.
    pub predecessors: Vec<Predecessor>,
    /// The cluster's module block in the configuration (`--config`), when given.
    pub block: Option<Pos>,
    /// The cluster's `cluster_token` argument in the configuration, when given.
    pub token_at: Option<Pos>,
    /// Why values of this cluster are unknown where the plan does not say (a configuration value
    /// that uses `terraform.workspace` when no workspace was given).
    pub notes: Vec<String>,
    /// Its backup location, worked out from `backup` on first use by `location::of` (leave it
    /// empty when building a cluster).
    pub location: std::cell::OnceCell<Option<Location>>,
}

impl Cluster {
    /// The profile that read it, if one did.
    pub fn profile(&self) -> Option<&crate::profiles::Profile> {
        match &self.read_by {
            ReadBy::Profile(p) => Some(p),
            _ => None,
        }
    }

    /// Whether a profile (or a deleted cluster's evidence) read it: every rule but EB004 is
    /// about such clusters.
    pub fn is_read(&self) -> bool {
        !matches!(self.read_by, ReadBy::Nobody { .. })
    }

    /// The input that carries the settings, as the module names it (`etcd_backup`,
    /// `etcd_s3_backup`): what messages point the user at.
    pub fn settings_input(&self) -> std::borrow::Cow<'_, str> {
        match (self.profile(), self.settings_spec()) {
            // A resource's settings are a block inside it: `rke_config.etcd.s3_config`.
            (Some(p), Some(i)) if p.is_resource() => i.place().into(),
            // One input per option (rancher/terraform-local-rke2-config): each is named as written.
            (_, Some(i)) if matches!(i.form, crate::profiles::Form::Value(_)) => "the module call".into(),
            (_, Some(i)) => i.name.as_str().into(),
            _ => "etcd_backup".into(),
        }
    }

    /// The first input of its profile: the one messages name.
    fn settings_spec(&self) -> Option<&crate::profiles::InputSpec> {
        self.profile().and_then(|p| p.inputs.first())
    }

    /// The input that carries the cluster token (`cluster_token`, `k3s_token`), or `token` for a
    /// module that has none (it always makes its own): a finding's key.
    pub fn token_input(&self) -> &str {
        match &self.read_by {
            ReadBy::Profile(p) => p.token.input.as_deref().unwrap_or("token"),
            _ => "cluster_token",
        }
    }

    /// The token as a message names it: its input, or the module's own.
    pub fn token_phrase(&self) -> String {
        match (&self.read_by, &self.token.state) {
            (ReadBy::Profile(p), _) if p.is_resource() => {
                format!(
                    "the cluster token (the server's, kept with the {} object; never in the plan)",
                    p.matcher.resources.join("/")
                )
            }
            (ReadBy::Profile(p), _) if p.token.input.is_none() => {
                format!("the cluster token (made by the {} module, which has no token input)", p.name)
            }
            (ReadBy::Profile(p), TokenState::NotSet) => {
                format!("the cluster token (made by the {} module: {} is not given)", p.name, self.token_input())
            }
            _ => self.token_input().to_string(),
        }
    }

    /// Whether `key` is a module key (`autorestore`) this cluster's module does not take: for it,
    /// an unknown key like any other.
    pub fn foreign_module_key(&self, key: &str) -> bool {
        let module_key = crate::catalogue::key(key).is_some_and(|k| k.module);
        module_key
            && self
                .profile()
                .is_some_and(|p| !p.module_keys.iter().any(|m| m == key) && key != "cluster-reset-restore-path")
    }

    /// A setting as the user writes it in that input (`s3-bucket` in zcompute-k8s's
    /// `etcd_backup`, `etcd-s3-bucket` in kube-hetzner's `etcd_s3_backup`).
    pub fn written(&self, key: &str) -> String {
        // A key only a credential the cluster names can give (Rancher's access keys).
        if let Some(c) = self.settings_spec().and_then(|i| i.credential.as_ref()) {
            let own = matches!(&self.settings_spec().map(|i| &i.form), Some(crate::profiles::Form::Object(f)) if f.values().any(|k| k == key));
            if let Some((field, _)) = c.fields.iter().find(|(_, k)| k.as_str() == key).filter(|_| !own) {
                return format!("{} (a {} whose {}.{field} is set)", c.attribute, c.resource, c.path.join("."));
            }
        }
        match self.settings_spec() {
            Some(i) => i.form.written(key),
            None => key.to_string(),
        }
    }

    /// A setting with a value as the user writes it in that input (`s3-region = "<region>"`,
    /// `--etcd-s3-region=<region>`).
    pub fn example(&self, key: &str, value: &str) -> String {
        match self.settings_spec() {
            Some(i) => i.form.example(key, value),
            None => format!("{key} = \"{value}\""),
        }
    }

    /// Whether the user can set this key through the cluster's module: not one its profile marks
    /// `unsettable`, and, for an object input, one of its fields.
    pub fn settable(&self, key: &str) -> bool {
        let Some(p) = self.profile() else { return true };
        if p.unsettable.iter().any(|k| k == key) {
            return false;
        }
        match self.settings_spec().map(|i| &i.form) {
            Some(crate::profiles::Form::Object(fields)) => fields.values().any(|k| k == key),
            _ => true,
        }
    }

    /// Whether the module turns `s3` on by itself when its settings input is given.
    pub fn implies_s3(&self) -> bool {
        self.settings_spec().is_some_and(|i| i.implies_s3 != crate::profiles::Implies::Never)
    }

    /// A setting the module applies when the key is absent (its profile's `defaults`).
    pub fn module_default(&self, key: &str) -> Option<&str> {
        self.profile().and_then(|p| p.defaults.get(key)).map(String::as_str)
    }

    /// Whether the module restores the newest snapshot on create unless `autorestore` says
    /// otherwise. Clusters read from evidence alone are taken as zcompute-k8s ones (the module
    /// whose rendering the evidence reader knows).
    pub fn auto_restore(&self) -> bool {
        match &self.read_by {
            ReadBy::Profile(p) => p.restore.auto,
            _ => true,
        }
    }
    /// The token's value when known (never to be shown; only compared and hashed).
    pub fn token_value(&self) -> Option<&str> {
        match &self.token.state {
            TokenState::Resolved(r) => r.known(),
            _ => None,
        }
    }

    /// The token of the snapshots at this cluster's location, when this plan can tell: its own
    /// prior state's, else the one of a deleted or renamed cluster that wrote there.
    pub fn prior_tokens(&self) -> impl Iterator<Item = (&str, Option<&Predecessor>)> {
        let own = self.prior.token.as_ref().and_then(Resolved::known).map(|t| (t, None));
        let inherited = self
            .predecessors
            .iter()
            .filter(move |_| own.is_none())
            .filter_map(|p| p.token.as_ref().and_then(Resolved::known).map(|t| (t, Some(p))));
        own.into_iter().chain(inherited)
    }

    pub fn key(&self, name: &str) -> Option<&Resolved> {
        match &self.backup {
            Backup::Keys(keys) => keys.get(name),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;

    use super::{Action, Backup, Cluster, Provenance, Resolved, Token, TokenState, Value};

    /// A cluster whose map holds exactly these literal keys.
    pub fn cluster_with(keys: &[(&str, &str)]) -> Cluster {
        let map: BTreeMap<String, Resolved> = keys
            .iter()
            .map(|(k, v)| {
                let r = Resolved {
                    value: Value::Known(v.to_string()),
                    provenance: Provenance::Configuration,
                    sensitive: false,
                };
                (k.to_string(), r)
            })
            .collect();
        Cluster {
            read_by: super::ReadBy::Profile(crate::profiles::builtin().swap_remove(0)),
            plan: "plan.json".into(),
            stack: None,
            address: "module.k8s".into(),
            action: Action::Create,
            backup: Backup::Keys(map),
            token: Token { state: TokenState::NotSet, references: vec![], regenerated_by: None },
            prior: Default::default(),
            predecessors: vec![],
            block: None,
            token_at: None,
            notes: Vec::new(),
            location: Default::default(),
        }
    }

    /// A cluster with these keys, where `unknown` is unknown until apply.
    pub fn with_unknown(keys: &[(&str, &str)], unknown: &str) -> Cluster {
        let mut c = cluster_with(keys);
        if let Backup::Keys(k) = &mut c.backup {
            k.get_mut(unknown).expect("the key is in keys").value = Value::Unknown;
        }
        c
    }

    /// `keys` with `key` set to `value` (added or replaced).
    pub fn with<'a>(keys: &[(&'a str, &'a str)], key: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
        let mut v: Vec<_> = keys.iter().copied().filter(|(k, _)| *k != key).collect();
        v.push((key, value));
        v
    }

    pub const COMPLETE: &[(&str, &str)] = &[
        ("s3", "true"),
        ("s3-endpoint", "s3.us-east-1.amazonaws.com"),
        ("s3-bucket", "b"),
        ("s3-folder", "f"),
        ("s3-access-key", "AK"),
        ("s3-secret-key", "SK"),
        ("s3-region", "us-east-1"),
    ];
}
