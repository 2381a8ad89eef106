//! Module profiles: how one k3s/RKE2 Terraform module carries its etcd S3 settings, its token,
//! its restore behaviour and its name. The engine finds and reads clusters only through profiles.
//!
//! A profile is data: the same JSON declaration for the built-in ones (one file each in this
//! directory, with the module's source cited for every fact, plus one line in the registry below)
//! and for the user's own (`etcd_backup.profiles` in the data document). Both go through
//! [`parse`], so a built-in profile is also a worked example of the schema `explain profiles`
//! prints and `schema/data.schema.json` describes.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::error::Error;
use crate::suggest::{check_keys, nearest};

/// Registers built-in profiles: one file in this directory (its `PROFILE`, a JSON declaration)
/// plus one line here. A call is matched by source first, then by declared variables, then by
/// passed inputs (`resolve::calls::profile_for`), so zcompute-k8s's wide input match yields to a
/// more specific profile.
macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// The built-in profiles' declarations, in registry order.
        pub fn builtin_texts() -> &'static [&'static str] {
            static TEXTS: &[&str] = &[$($module::PROFILE),*];
            TEXTS
        }
    };
}

registry![
    zcompute_k8s,
    kube_hetzner,
    identiops_k3s,
    xunleii_k3s,
    rke2_aws_tf,
    aws_rke2,
    local_rke2_config,
    zifeo_openstack_rke2,
    rancher2_cluster_v2,
];

/// Which distribution the module installs: both take the same `--etcd-s3-*` flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distribution {
    K3s,
    Rke2,
}

impl Distribution {
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::K3s => "k3s",
            Distribution::Rke2 => "rke2",
        }
    }
}

/// How an input carries the settings.
#[derive(Clone, PartialEq, Eq)]
pub enum Form {
    /// A map of flag names without `--etcd-` (`s3-bucket`): zcompute-k8s's `etcd_backup`.
    KeyMap,
    /// A map of k3s config names (`etcd-s3-bucket`), as config.yaml takes them; other keys
    /// (`node-name`) are not about backups and are left out.
    FlagMap,
    /// An object with the module's own names: field → key (`bucket` → `s3-bucket`).
    Object(BTreeMap<String, String>),
    /// A string of k3s/RKE2 config.yaml text.
    Yaml,
    /// A string or a list of strings of server flags (`--etcd-s3-bucket=x`).
    Flags,
    /// A snapshot name to restore (`cluster-reset-restore-path`); empty is none.
    RestorePath,
    /// One setting's value (zifeo's `backup_retention` → `snapshot-retention`).
    Value(String),
}

impl Form {
    pub fn as_str(&self) -> &'static str {
        match self {
            Form::KeyMap => "key-map",
            Form::FlagMap => "flag-map",
            Form::Object(_) => "object",
            Form::Yaml => "yaml",
            Form::Flags => "flags",
            Form::RestorePath => "restore-path",
            Form::Value(_) => "value",
        }
    }

    /// A setting as the user writes it in an input of this form: `s3-bucket`, `etcd-s3-bucket`,
    /// `--etcd-s3-bucket`, or the object's own field name.
    pub fn written(&self, key: &str) -> String {
        let flag = if key == "cluster-reset-restore-path" { key.to_string() } else { format!("etcd-{key}") };
        match self {
            Form::KeyMap => key.to_string(),
            Form::FlagMap | Form::Yaml | Form::Value(_) => flag,
            Form::Flags => format!("--{flag}"),
            Form::RestorePath => "the restore path".into(),
            Form::Object(fields) => fields
                .iter()
                .find(|(_, k)| k.as_str() == key)
                .map(|(f, _)| f.clone())
                .unwrap_or_else(|| key.to_string()),
        }
    }

    /// A setting with a value as the user writes it in an input of this form.
    pub fn example(&self, key: &str, value: &str) -> String {
        let w = self.written(key);
        match self {
            Form::Yaml => format!("{w}: {value}"),
            Form::Flags => format!("{w}={value}"),
            _ => format!("{w} = \"{value}\""),
        }
    }

    /// Whether the input is a map (read key by key) rather than text.
    pub fn is_map(&self) -> bool {
        matches!(self, Form::KeyMap | Form::FlagMap | Form::Object(_))
    }

    /// The catalogue key a module-side name stands for; `None` when the name is not about
    /// backups (a flag-map's `node-name`, an object's unlisted field).
    pub fn key(&self, name: &str) -> Option<String> {
        match self {
            Form::KeyMap => Some(name.to_string()),
            Form::FlagMap | Form::Yaml | Form::Flags => {
                // `etcd_s3_bucket` is a typo k3s ignores: kept (EB103 names `s3-bucket`), not dropped.
                if let Some(k) = name.strip_prefix("etcd-").or_else(|| name.strip_prefix("etcd_")) {
                    Some(k.to_string())
                } else {
                    (name == "cluster-reset-restore-path").then(|| name.to_string())
                }
            }
            Form::Object(fields) => fields.get(name).cloned(),
            Form::RestorePath => Some("cluster-reset-restore-path".into()),
            Form::Value(k) => Some(k.clone()),
        }
    }
}

/// When the module turns `etcd-s3` on by itself.
#[derive(Clone, PartialEq, Eq)]
pub enum Implies {
    Never,
    /// Any non-empty map (kube-hetzner merges `etcd-s3 = true` in front of it).
    NonEmpty,
    /// When this key is set (zifeo: the endpoint).
    WhenKey(String),
}

/// One input of the module that carries settings; later inputs are merged over earlier ones.
#[derive(Clone)]
pub struct InputSpec {
    pub name: String,
    /// Where in the input's value the settings are: keys and `*` (any key or element), e.g.
    /// `*.flags` of xunleii's `servers` map; `None` for the input itself.
    pub path: Option<Vec<String>>,
    pub form: Form,
    pub implies_s3: Implies,
    /// A boolean input that must be true for this one to count, and its default (zifeo's
    /// `ff_native_backup`, default true).
    pub enabled_by: Option<(String, bool)>,
    /// When this input gives any setting, the settings of the inputs before it are dropped
    /// (zifeo's native backup replaces `s3_backup` whole).
    pub replaces: bool,
    /// Settings the module supplies along with this input: a value (`${name}` is the call's
    /// `name` input), or `None` for one the module creates at apply (a credential it makes).
    pub supplies: BTreeMap<String, Option<String>>,
    /// Settings held by another resource this one names (Rancher's cloud credential).
    pub credential: Option<CredentialSpec>,
}

/// A resource whose attributes give settings the cluster's own do not (or leave empty): the
/// cluster names it in `attribute` (`cloud_credential_name = rancher2_cloud_credential.x.id`).
#[derive(Clone)]
pub struct CredentialSpec {
    /// The attribute, in the input's selected object, that names the credential.
    pub attribute: String,
    /// The credential's resource type (`rancher2_cloud_credential`).
    pub resource: String,
    /// Where in the credential's attributes the fields are (`s3_credential_config`).
    pub path: Vec<String>,
    /// Its fields → settings (`access_key` → `s3-access-key`, `default_bucket` → `s3-bucket`).
    pub fields: BTreeMap<String, String>,
}

impl InputSpec {
    /// `name` or `name.path`, as a message names the place.
    pub fn place(&self) -> String {
        match &self.path {
            Some(p) => format!("{}.{}", self.name, p.join(".")),
            None => self.name.clone(),
        }
    }
}

/// Where the module renders the settings, and whether that can be read back from a plan.
#[derive(Clone)]
pub struct Rendered {
    pub resource: String,
    pub attribute: String,
    pub encoding: String,
    /// `false` for a hash or a provisioner: never evidence of the values.
    pub evidence: bool,
}

#[derive(Clone, Default)]
pub struct TokenSpec {
    /// The input that overrides the module's own token (`k3s_token`, `cluster_token`).
    pub input: Option<String>,
    /// The module's own generator, relative to the module instance (`random_password.k3s_token`).
    pub resource: Option<String>,
}

#[derive(Clone, Default)]
pub struct RestoreSpec {
    /// The module restores the newest snapshot when a cluster is created unless its `autorestore`
    /// key says otherwise (zcompute-k8s); otherwise restore is off unless a restore path is set.
    pub auto: bool,
}

#[derive(Clone, Default)]
pub struct Identity {
    pub input: Option<String>,
    pub default: Option<String>,
}

/// How profiles match a module call: by source, by the variables its module declares, or by the
/// inputs the call passes.
#[derive(Clone, Default)]
pub struct Match {
    /// Registry addresses (`kube-hetzner/kube-hetzner/hcloud`) and repositories
    /// (`github.com/kube-hetzner/terraform-hcloud-kube-hetzner`), compared without scheme,
    /// `git::`, ref, `.git` and subdirectory.
    pub sources: Vec<String>,
    /// Every one of these is declared by the called module (a local copy of the module).
    pub variables: Vec<String>,
    /// Any of these is passed by the call.
    pub inputs: Vec<String>,
    /// Resources of these types are clusters (`rancher2_cluster_v2`): their attributes are the
    /// inputs.
    pub resources: Vec<String>,
}

#[derive(Clone)]
pub struct Profile {
    pub name: String,
    /// The module it describes, as people know it.
    pub module: String,
    pub distribution: Distribution,
    pub builtin: bool,
    pub matcher: Match,
    pub inputs: Vec<InputSpec>,
    /// Values the module sets when the key is absent (catalogue keys); k3s's own otherwise.
    pub defaults: BTreeMap<String, String>,
    /// Keys that are the module's, not k3s flags (`autorestore`).
    pub module_keys: Vec<String>,
    pub rendered: Vec<Rendered>,
    pub token: TokenSpec,
    pub restore: RestoreSpec,
    pub identity: Identity,
    /// The module writes no setting unless this one is non-empty (zifeo: the endpoint).
    pub settings_when: Option<String>,
    /// Settings the module gives no way to set: k3s's default applies (zifeo: `s3-region`).
    pub unsettable: Vec<String>,
    /// Where each fact comes from: repository, file, version.
    pub sources: Vec<String>,
}

/// By name only: a cluster's `Debug` (logs, test failures) says which profile read it, and the
/// declaration's own `Debug` would only add to the WASM.
impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Profile({})", self.name)
    }
}

impl Profile {
    /// Whether the plan's resources may show the values the module received. A profile that
    /// lists where the module renders them, none of it readable (hashes, provisioners), is read
    /// from its inputs alone.
    pub fn reads_rendered(&self) -> bool {
        self.rendered.is_empty() || self.rendered.iter().any(|r| r.evidence)
    }

    /// Where the module renders the settings, as a message may say it.
    pub fn rendered_phrase(&self) -> String {
        let parts: Vec<String> =
            self.rendered.iter().map(|r| format!("{}.{} ({})", r.resource, r.attribute, r.encoding)).collect();
        parts.join(", ")
    }

    /// Every input the settings are read from: the settings inputs, the inputs that enable them,
    /// and those `supplies` values name (`${name}`).
    /// Whether its clusters are resources (their attributes read from the plan) rather than
    /// module calls.
    pub fn is_resource(&self) -> bool {
        !self.matcher.resources.is_empty()
    }

    pub fn input_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.inputs.iter().map(|i| i.name.as_str()).collect();
        for i in &self.inputs {
            out.extend(i.enabled_by.as_ref().map(|(n, _)| n.as_str()));
            for t in i.supplies.values().flatten() {
                out.extend(template_inputs(t));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        out.retain(|n| seen.insert(*n));
        out
    }
}

/// The inputs a `supplies` value names: `x` of each `${x}`.
pub fn template_inputs(t: &str) -> impl Iterator<Item = &str> {
    t.split("${").skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name.trim()))
}

/// Every profile an evaluation uses: the user's first (an in-house wrapper wins over the module it
/// wraps), then the built-in ones.
#[derive(Clone, Debug)]
pub struct Profiles {
    pub all: Vec<Arc<Profile>>,
}

impl Default for Profiles {
    fn default() -> Self {
        Profiles { all: builtin() }
    }
}

impl Profiles {
    pub fn with_user(user: Vec<Profile>) -> Profiles {
        let mut all: Vec<Arc<Profile>> = user.into_iter().map(Arc::new).collect();
        all.extend(builtin());
        Profiles { all }
    }

    pub fn find(&self, name: &str) -> Option<&Arc<Profile>> {
        self.all.iter().find(|p| p.name == name)
    }
}

/// The built-in profiles: parsed once, except in policy.wasm, whose host rewinds the heap between
/// evaluations (a value kept in a static would point at reused memory): there they are parsed
/// anew for each evaluation's options (some 50 µs).
pub fn builtin() -> Vec<Arc<Profile>> {
    #[cfg(not(feature = "opa-abi"))]
    {
        thread_local! {
            static BUILTIN: Vec<Arc<Profile>> = parse_builtin();
        }
        BUILTIN.with(|b| b.clone())
    }
    #[cfg(feature = "opa-abi")]
    parse_builtin()
}

/// Every built-in declaration is valid (a test reads each one); no `expect` here, whose panic
/// message would link error formatting into policy.wasm.
fn parse_builtin() -> Vec<Arc<Profile>> {
    builtin_texts()
        .iter()
        .filter_map(|t| {
            let v: Value = serde_json::from_str(t).ok()?;
            let mut p = parse(&v, "built-in profile").ok()?;
            p.builtin = true;
            Some(Arc::new(p))
        })
        .collect()
}

/// A module source as profiles compare it: lower case, without `git::`, scheme, user, ref, `.git`,
/// subdirectory, and registry host (`registry.terraform.io/`).
pub fn normalize_source(source: &str) -> String {
    let mut s = source.trim().to_ascii_lowercase();
    if let Some(rest) = s.strip_prefix("git::") {
        s = rest.to_string();
    }
    if let Some(i) = s.find("://") {
        s = s[i + 3..].to_string();
    }
    if let Some(rest) = s.strip_prefix("git@") {
        s = rest.replacen(':', "/", 1);
    }
    if let Some(at) = s.find('@').filter(|at| s[..*at].find('/').is_none()) {
        s = s[at + 1..].to_string();
    }
    if let Some(q) = s.find('?') {
        s.truncate(q);
    }
    if let Some(d) = s.find("//") {
        s.truncate(d);
    }
    let s = s.trim_end_matches('/').trim_end_matches(".git");
    let s = s.strip_prefix("registry.terraform.io/").or_else(|| s.strip_prefix("registry.opentofu.org/")).unwrap_or(s);
    s.to_string()
}

impl Match {
    pub fn source_matches(&self, source: &str) -> bool {
        let s = normalize_source(source);
        self.sources.iter().any(|m| normalize_source(m) == s)
    }
}

// ---- the declaration, read and checked -------------------------------------------------------

const PROFILE_KEYS: &[&str] = &[
    "defaults",
    "distribution",
    "identity",
    "inputs",
    "match",
    "module",
    "module_keys",
    "name",
    "rendered",
    "restore",
    "settings_when",
    "sources",
    "token",
    "unsettable",
];
const MATCH_KEYS: &[&str] = &["inputs", "resources", "sources", "variables"];
const INPUT_KEYS: &[&str] =
    &["credential", "enabled_by", "fields", "form", "implies_s3", "name", "path", "replaces", "setting", "supplies"];
const CREDENTIAL_KEYS: &[&str] = &["attribute", "fields", "path", "resource"];
const ENABLED_BY_KEYS: &[&str] = &["default", "input"];
const FORMS: &[&str] = &["flag-map", "flags", "key-map", "object", "restore-path", "value", "yaml"];
const RENDERED_KEYS: &[&str] = &["attribute", "encoding", "evidence", "resource"];
const TOKEN_KEYS: &[&str] = &["input", "resource"];
const RESTORE_KEYS: &[&str] = &["auto"];
const IDENTITY_KEYS: &[&str] = &["default", "input"];

fn data_error(why: String) -> Error {
    Error::Data { why }
}

fn object<'v>(v: &'v Value, at: &str, known: &[&str]) -> Result<&'v serde_json::Map<String, Value>, Error> {
    let Value::Object(m) = v else { return Err(data_error(format!("{at} must be an object"))) };
    check_keys(at, m, known)?;
    Ok(m)
}

fn string(m: &serde_json::Map<String, Value>, at: &str, key: &str) -> Result<Option<String>, Error> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(data_error(format!("{at}.{key} must be a non-empty string"))),
    }
}

fn strings(m: &serde_json::Map<String, Value>, at: &str, key: &str) -> Result<Vec<String>, Error> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => {
            let mut out = Vec::with_capacity(a.len());
            for s in a {
                match s {
                    Value::String(s) if !s.is_empty() => out.push(s.clone()),
                    _ => return Err(data_error(format!("{at}.{key} must be a list of non-empty strings"))),
                }
            }
            Ok(out)
        }
        Some(_) => Err(data_error(format!("{at}.{key} must be a list of strings"))),
    }
}

/// A catalogue key a profile names (a default, a field's target, an `implies_s3` key).
fn catalogue_key(at: &str, k: &str) -> Result<String, Error> {
    if crate::catalogue::key(k).is_some() {
        return Ok(k.to_string());
    }
    let names: Vec<&str> = crate::catalogue::KEYS.iter().map(|k| k.name).collect();
    let hint = nearest(k, &names).map(|n| format!("; did you mean {n:?}?")).unwrap_or_default();
    Err(data_error(format!("{at}: {k:?} is not an etcd setting (flag name without --etcd-){hint}")))
}

/// `fields`: the module's (or resource's) names → settings.
fn fields(m: &serde_json::Map<String, Value>, at: &str, what: &str) -> Result<BTreeMap<String, String>, Error> {
    let at_f = format!("{at}.fields");
    let Some(Value::Object(fields)) = m.get("fields") else {
        return Err(data_error(format!("{at_f} is required for {what}: field → setting")));
    };
    let mut out = BTreeMap::new();
    for (f, k) in fields {
        let Value::String(k) = k else { return Err(data_error(format!("{at_f}.{f} must be a string"))) };
        out.insert(f.clone(), catalogue_key(&format!("{at_f}.{f}"), k)?);
    }
    Ok(out)
}

/// A path: keys and `*` joined by dots.
fn path(m: &serde_json::Map<String, Value>, at: &str) -> Result<Option<Vec<String>>, Error> {
    let Some(p) = string(m, at, "path")? else { return Ok(None) };
    let parts: Vec<String> = p.split('.').map(str::to_string).collect();
    if parts.iter().any(String::is_empty) {
        return Err(data_error(format!("{at}.path {p:?} has an empty step: keys and * joined by dots")));
    }
    Ok(Some(parts))
}

fn input_spec(v: &Value, at: &str) -> Result<InputSpec, Error> {
    let m = object(v, at, INPUT_KEYS)?;
    let name = string(m, at, "name")?.ok_or_else(|| data_error(format!("{at}.name is required")))?;
    let form_name = string(m, at, "form")?.ok_or_else(|| data_error(format!("{at}.form is required")))?;
    let form = match form_name.as_str() {
        "key-map" => Form::KeyMap,
        "flag-map" => Form::FlagMap,
        "yaml" => Form::Yaml,
        "flags" => Form::Flags,
        "restore-path" => Form::RestorePath,
        "value" => match string(m, at, "setting")? {
            Some(k) => Form::Value(catalogue_key(&format!("{at}.setting"), &k)?),
            None => {
                return Err(data_error(format!("{at}.setting is required for the value form: the setting it gives")))
            }
        },
        "object" => Form::Object(fields(m, at, "the object form")?),
        other => {
            let hint = nearest(other, FORMS).map(|n| format!("; did you mean {n:?}?")).unwrap_or_default();
            return Err(data_error(format!("{at}.form {other:?} is not one of {}{hint}", FORMS.join(", "))));
        }
    };
    if m.contains_key("fields") && !matches!(form, Form::Object(_)) {
        return Err(data_error(format!("{at}.fields is only for the object form")));
    }
    if m.contains_key("setting") && !matches!(form, Form::Value(_)) {
        return Err(data_error(format!("{at}.setting is only for the value form")));
    }
    let enabled_by = match m.get("enabled_by").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => {
            let at_e = format!("{at}.enabled_by");
            let e = object(v, &at_e, ENABLED_BY_KEYS)?;
            let input = string(e, &at_e, "input")?.ok_or_else(|| data_error(format!("{at_e}.input is required")))?;
            let default = match e.get("default") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(data_error(format!("{at_e}.default must be true or false"))),
            };
            Some((input, default))
        }
    };
    let replaces = match m.get("replaces") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(data_error(format!("{at}.replaces must be true or false"))),
    };
    let mut supplies = BTreeMap::new();
    if let Some(v) = m.get("supplies").filter(|v| !v.is_null()) {
        let Value::Object(d) = v else { return Err(data_error(format!("{at}.supplies must be an object"))) };
        for (k, val) in d {
            let key = catalogue_key(&format!("{at}.supplies"), k)?;
            let value = match val {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                _ => {
                    return Err(data_error(format!(
                    "{at}.supplies.{k} must be a string (`${{input}}` allowed) or null (made by the module at apply)"
                )))
                }
            };
            supplies.insert(key, value);
        }
    }
    let implies_s3 = match string(m, at, "implies_s3")?.as_deref() {
        None => Implies::Never,
        Some("non-empty") => Implies::NonEmpty,
        Some(k) => Implies::WhenKey(catalogue_key(&format!("{at}.implies_s3"), k)?),
    };
    let path = path(m, at)?;
    let credential = match m.get("credential").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => {
            let at_c = format!("{at}.credential");
            let c = object(v, &at_c, CREDENTIAL_KEYS)?;
            let required = |k: &str| string(c, &at_c, k)?.ok_or_else(|| data_error(format!("{at_c}.{k} is required")));
            Some(CredentialSpec {
                attribute: required("attribute")?,
                resource: required("resource")?,
                path: self::path(c, &at_c)?.unwrap_or_default(),
                fields: fields(c, &at_c, "a credential")?,
            })
        }
    };
    Ok(InputSpec { name, path, form, implies_s3, enabled_by, replaces, supplies, credential })
}

/// Reads one profile declaration, checking it whole: an unknown key names the nearest known one.
pub fn parse(v: &Value, at: &str) -> Result<Profile, Error> {
    let m = object(v, at, PROFILE_KEYS)?;
    let name = string(m, at, "name")?.ok_or_else(|| data_error(format!("{at}.name is required")))?;
    let at = format!("{at} {name:?}");
    let at = at.as_str();
    let distribution = match string(m, at, "distribution")?.as_deref() {
        None | Some("k3s") => Distribution::K3s,
        Some("rke2") => Distribution::Rke2,
        Some(other) => return Err(data_error(format!("{at}.distribution {other:?} is not k3s or rke2"))),
    };
    let matcher = match m.get("match") {
        Some(v) => {
            let mm = object(v, &format!("{at}.match"), MATCH_KEYS)?;
            Match {
                sources: strings(mm, &format!("{at}.match"), "sources")?,
                variables: strings(mm, &format!("{at}.match"), "variables")?,
                inputs: strings(mm, &format!("{at}.match"), "inputs")?,
                resources: strings(mm, &format!("{at}.match"), "resources")?,
            }
        }
        None => return Err(data_error(format!("{at}.match is required (sources, variables, inputs or resources)"))),
    };
    let calls = !(matcher.sources.is_empty() && matcher.variables.is_empty() && matcher.inputs.is_empty());
    if !calls && matcher.resources.is_empty() {
        return Err(data_error(format!("{at}.match matches nothing: give sources, variables, inputs or resources")));
    }
    if calls && !matcher.resources.is_empty() {
        return Err(data_error(format!(
            "{at}.match: resources cannot be matched together with module calls (sources, variables, inputs): declare two profiles"
        )));
    }
    let mut inputs = Vec::new();
    match m.get("inputs") {
        Some(Value::Array(a)) if !a.is_empty() => {
            for (i, v) in a.iter().enumerate() {
                inputs.push(input_spec(v, &format!("{at}.inputs[{i}]"))?);
            }
        }
        _ => return Err(data_error(format!("{at}.inputs must be a non-empty list of {{name, form}}"))),
    }
    let mut defaults = BTreeMap::new();
    if let Some(v) = m.get("defaults").filter(|v| !v.is_null()) {
        let Value::Object(d) = v else { return Err(data_error(format!("{at}.defaults must be an object"))) };
        for (k, val) in d {
            let key = catalogue_key(&format!("{at}.defaults"), k)?;
            let Value::String(s) = val else {
                return Err(data_error(format!("{at}.defaults.{k} must be a string (the value the module sets)")));
            };
            defaults.insert(key, s.clone());
        }
    }
    let module_keys = strings(m, at, "module_keys")?;
    for k in &module_keys {
        if crate::catalogue::key(k).is_none_or(|c| !c.module) {
            return Err(data_error(format!(
                "{at}.module_keys: {k:?} is not a module key this tool knows (autorestore, cluster-reset-restore-path)"
            )));
        }
    }
    let mut rendered = Vec::new();
    match m.get("rendered") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                let at = format!("{at}.rendered[{i}]");
                let r = object(v, &at, RENDERED_KEYS)?;
                let required = |k: &str| string(r, &at, k)?.ok_or_else(|| data_error(format!("{at}.{k} is required")));
                rendered.push(Rendered {
                    resource: required("resource")?,
                    attribute: required("attribute")?,
                    encoding: string(r, &at, "encoding")?.unwrap_or_else(|| "plain".into()),
                    evidence: match r.get("evidence") {
                        None => true,
                        Some(Value::Bool(b)) => *b,
                        Some(_) => return Err(data_error(format!("{at}.evidence must be true or false"))),
                    },
                });
            }
        }
        Some(_) => return Err(data_error(format!("{at}.rendered must be a list"))),
    }
    let token = match m.get("token").filter(|v| !v.is_null()) {
        Some(v) => {
            let t = object(v, &format!("{at}.token"), TOKEN_KEYS)?;
            TokenSpec {
                input: string(t, &format!("{at}.token"), "input")?,
                resource: string(t, &format!("{at}.token"), "resource")?,
            }
        }
        None => TokenSpec::default(),
    };
    let restore = match m.get("restore").filter(|v| !v.is_null()) {
        Some(v) => {
            let r = object(v, &format!("{at}.restore"), RESTORE_KEYS)?;
            RestoreSpec {
                auto: match r.get("auto") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => return Err(data_error(format!("{at}.restore.auto must be true or false"))),
                },
            }
        }
        None => RestoreSpec::default(),
    };
    if restore.auto && !module_keys.iter().any(|k| k == "autorestore") {
        return Err(data_error(format!(
            "{at}.restore.auto needs \"autorestore\" in module_keys (how it is turned off)"
        )));
    }
    let identity = match m.get("identity").filter(|v| !v.is_null()) {
        Some(v) => {
            let i = object(v, &format!("{at}.identity"), IDENTITY_KEYS)?;
            Identity {
                input: string(i, &format!("{at}.identity"), "input")?,
                default: string(i, &format!("{at}.identity"), "default")?,
            }
        }
        None => Identity::default(),
    };
    let settings_when = match string(m, at, "settings_when")? {
        Some(k) => Some(catalogue_key(&format!("{at}.settings_when"), &k)?),
        None => None,
    };
    let mut unsettable = Vec::new();
    for k in strings(m, at, "unsettable")? {
        unsettable.push(catalogue_key(&format!("{at}.unsettable"), &k)?);
    }
    Ok(Profile {
        name,
        module: string(m, at, "module")?.unwrap_or_default(),
        distribution,
        builtin: false,
        matcher,
        inputs,
        defaults,
        module_keys,
        rendered,
        token,
        restore,
        identity,
        settings_when,
        unsettable,
        sources: strings(m, at, "sources")?,
    })
}

/// The user's profiles (`etcd_backup.profiles`): a list of declarations with unique names that
/// do not shadow a built-in one.
pub fn parse_user(v: &Value) -> Result<Vec<Profile>, Error> {
    let Value::Array(a) = v else {
        return Err(data_error("etcd_backup.profiles must be a list of profile declarations".into()));
    };
    let mut out: Vec<Profile> = Vec::new();
    for (i, p) in a.iter().enumerate() {
        let p = parse(p, &format!("etcd_backup.profiles[{i}]"))?;
        if out.iter().any(|q| q.name == p.name) || builtin().iter().any(|q| q.name == p.name) {
            return Err(data_error(format!(
                "etcd_backup.profiles[{i}]: the name {:?} is already taken (see `etcd-backup-policy profiles`)",
                p.name
            )));
        }
        out.push(p);
    }
    Ok(out)
}

/// The list `etcd-backup-policy profiles` prints: name, module, distribution, what it reads.
pub fn listing(profiles: &Profiles) -> Vec<Value> {
    profiles
        .all
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.name,
                "module": p.module,
                "distribution": p.distribution.as_str(),
                "builtin": p.builtin,
                "inputs": p.inputs.iter().map(|i| format!("{} ({})", i.place(), i.form.as_str())).collect::<Vec<_>>(),
                "token": p.token.input,
                "restore": if p.restore.auto { "on unless autorestore says otherwise" } else { "off unless a restore path is set" },
                "rendered": if p.reads_rendered() { "read from the plan's resources too" } else { "inputs only (the module renders them into hashes or provisioners)" },
                "sources": p.sources,
            })
        })
        .collect()
}

/// What `explain profiles` prints: the declaration's schema.
pub const SCHEMA_DOC: &str = include_str!("SCHEMA.md");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_is_valid_and_cites_its_sources() {
        for t in builtin_texts() {
            let v: Value = serde_json::from_str(t).unwrap();
            parse(&v, "built-in profile").unwrap();
        }
        let all = builtin();
        assert_eq!(all.len(), builtin_texts().len());
        let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.dedup();
        assert_eq!(names.len(), sorted.len(), "unique names");
        for p in &all {
            assert!(!p.sources.is_empty(), "{} cites its sources", p.name);
            assert!(!p.module.is_empty(), "{} names its module", p.name);
        }
    }

    #[test]
    fn sources_compare_without_scheme_ref_and_subdirectory() {
        let m = Match {
            sources: vec!["github.com/kube-hetzner/terraform-hcloud-kube-hetzner".into()],
            ..Default::default()
        };
        for s in [
            "git::https://github.com/kube-hetzner/terraform-hcloud-kube-hetzner.git?ref=v2.18.4",
            "github.com/kube-hetzner/terraform-hcloud-kube-hetzner",
            "git@github.com:kube-hetzner/terraform-hcloud-kube-hetzner.git",
            "git::ssh://git@github.com/Kube-Hetzner/terraform-hcloud-kube-hetzner//modules/host?ref=main",
        ] {
            assert!(m.source_matches(s), "{s}");
        }
        assert!(!m.source_matches("github.com/kube-hetzner/terraform-hcloud-kube-hetzner-fork"));
        let r = Match { sources: vec!["kube-hetzner/kube-hetzner/hcloud".into()], ..Default::default() };
        assert!(r.source_matches("registry.terraform.io/kube-hetzner/kube-hetzner/hcloud"));
    }

    #[test]
    fn a_declaration_with_a_typo_names_the_nearest_key() {
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"]}, "inputz": []});
        let e = parse(&v, "p").unwrap_err().to_string();
        assert!(e.contains("\"inputz\"") && e.contains("did you mean \"inputs\""), "{e}");
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"]},
            "inputs": [{"name": "s3", "form": "object", "fields": {"bucket": "s3-buckt"}}]});
        let e = parse(&v, "p").unwrap_err().to_string();
        assert!(e.contains("did you mean \"s3-bucket\""), "{e}");
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"]}, "inputs": [{"name": "s3", "form": "flagmap"}]});
        let e = parse(&v, "p").unwrap_err().to_string();
        assert!(e.contains("did you mean \"flag-map\""), "{e}");
    }

    #[test]
    fn a_value_input_names_its_setting_and_supplies_name_inputs() {
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"]},
            "inputs": [{"name": "retention", "form": "value"}]});
        assert!(parse(&v, "p").unwrap_err().to_string().contains("setting is required"));
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"]},
            "inputs": [{"name": "ep", "form": "value", "setting": "s3-endpoint",
                        "enabled_by": {"input": "native", "default": "yes"}}]});
        assert!(parse(&v, "p").unwrap_err().to_string().contains("enabled_by.default must be true or false"));
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"]}, "unsettable": ["s3-regoin"],
            "inputs": [{"name": "ep", "form": "value", "setting": "s3-endpoint"}]});
        assert!(parse(&v, "p").unwrap_err().to_string().contains("did you mean \"s3-region\""));
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"]},
            "inputs": [{"name": "ep", "form": "value", "setting": "s3-endpoint",
                        "enabled_by": {"input": "native", "default": true},
                        "supplies": {"s3-bucket": "${name}-${env}-snapshots", "s3-secret-key": null}}]});
        let p = parse(&v, "p").unwrap();
        assert_eq!(p.input_names(), ["ep", "native", "name", "env"]);
        assert_eq!(p.inputs[0].supplies["s3-secret-key"], None);
    }

    #[test]
    fn a_resource_profile_matches_resources_only_and_names_its_credential() {
        let v = serde_json::json!({"name": "x", "match": {"sources": ["a/b/c"], "resources": ["r"]},
            "inputs": [{"name": "s3", "form": "yaml"}]});
        assert!(parse(&v, "p").unwrap_err().to_string().contains("declare two profiles"));
        let v = serde_json::json!({"name": "x", "match": {"resources": ["r"]},
            "inputs": [{"name": "s3", "form": "object", "fields": {"bucket": "s3-bucket"},
                        "credential": {"attribute": "cred", "resource": "c", "fields": {"key": "s3-acess-key"}}}]});
        assert!(parse(&v, "p").unwrap_err().to_string().contains("did you mean \"s3-access-key\""));
        let builtin = builtin();
        let rancher = builtin.iter().find(|p| p.is_resource()).unwrap();
        assert_eq!(rancher.matcher.resources, ["rancher2_cluster_v2"]);
        assert_eq!(rancher.inputs[0].credential.as_ref().unwrap().resource, "rancher2_cloud_credential");
    }

    #[test]
    fn a_user_profile_cannot_take_a_builtin_name() {
        let v = serde_json::json!([{"name": "kube-hetzner", "match": {"sources": ["a/b/c"]}, "inputs": [{"name": "x", "form": "yaml"}]}]);
        assert!(parse_user(&v).unwrap_err().to_string().contains("already taken"));
    }
}
