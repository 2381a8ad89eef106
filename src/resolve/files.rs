//! What the Terraform configuration (`--config`) says about one instance of a cluster call:
//! the configuration evaluated along the chain of module instances (`config::eval`), turned into
//! the resolver's values with their provenance — a position in a file, or a root variable.

use std::collections::BTreeMap;

use super::calls::ClusterCall;
use crate::catalogue::is_secret_key;
use crate::config::eval::{module_string, Found, Origin, Unknown};
use crate::config::{Configuration, Evaluated, Pos};
use crate::error::Error;
use crate::model::{Backup, Provenance, Resolved, TokenState, Value};
use crate::plan::Plan;

pub(super) struct Files<'x, 'p, 'a> {
    plan: &'x Plan<'a>,
    config: &'x Configuration,
    call: &'x ClusterCall<'p, 'a>,
    /// Each of the profile's inputs evaluated, in the profile's order (the first one's also gives
    /// the token and the module block); empty when the files do not hold the call.
    evaluated: Vec<(String, Evaluated)>,
}

/// Plan JSON does not record the workspace, and guessing "default" would check another stack's
/// location.
const WORKSPACE_NOTE: &str = "use(s) terraform.workspace, which plan JSON does not record: pass --workspace NAME \
     (or set TF_WORKSPACE; Atlantis: --workspace \"$WORKSPACE\")";

pub fn provenance_at(pos: &Pos) -> Provenance {
    Provenance::ConfigurationFile { file: pos.file.clone(), line: pos.line, column: pos.column, computed: false }
}

impl<'x, 'p, 'a> Files<'x, 'p, 'a> {
    pub(super) fn new(
        plan: &'x Plan<'a>,
        config: &'x Configuration,
        call: &'x ClusterCall<'p, 'a>,
        steps: &[crate::address::Step],
        deleted: bool,
    ) -> Result<Self, Error> {
        // An instance this plan deletes is no longer in the configuration (a removed for_each key).
        #[allow(unused_mut)] // filled only by the build with the configuration reader
        let mut evaluated = Vec::new();
        #[cfg(feature = "config")]
        if config.given && !deleted {
            let token = call.profile.token.input.as_deref().unwrap_or("");
            for input in call.profile.input_names() {
                match config.evaluate(plan, &call.path, steps, &[input, token])? {
                    Some(e) => evaluated.push((input.to_string(), e)),
                    None => break,
                }
            }
        }
        // A build without the reader never has a configuration (Options refuses one).
        #[cfg(not(feature = "config"))]
        let _ = (steps, deleted);
        Ok(Files { plan, config, call, evaluated })
    }

    pub(super) fn call(&self) -> &'x ClusterCall<'p, 'a> {
        self.call
    }

    /// Where findings about keys that are absent point: the `etcd_backup` argument, else the
    /// cluster's module block, when the files hold it.
    pub(super) fn block(&self) -> Option<Pos> {
        self.first().map(|e| e.backup_at.clone().unwrap_or_else(|| e.block.clone()))
    }

    fn first(&self) -> Option<&Evaluated> {
        self.evaluated.first().map(|(_, e)| e)
    }

    fn of(&self, name: &str) -> Option<&Evaluated> {
        self.evaluated.iter().find(|(n, _)| n == name).map(|(_, e)| e)
    }

    /// Where findings about the token point: the `cluster_token` argument, else the module block.
    pub(super) fn token_at(&self) -> Option<Pos> {
        self.first().map(|e| e.token_at.clone().unwrap_or_else(|| e.block.clone()))
    }

    /// Whether the files hold an expression for the cluster call's input (a settings input, or
    /// the profile's token input).
    pub(super) fn has(&self, name: &str) -> bool {
        if self.call.profile.token.input.as_deref() == Some(name) {
            return self.first().is_some_and(|e| e.token.is_some());
        }
        self.of(name).is_some_and(|e| e.backup.is_some())
    }

    /// Appended to an unresolved reason: whether, and how, `--config` would resolve it.
    pub(super) fn hint(&self, name: &str) -> &'static str {
        match (self.config.given, !self.evaluated.is_empty(), self.has(name)) {
            (true, _, true) => {
                "; the configuration files do not tell it either (it depends on values known only at apply)"
            }
            (true, true, false) => "; the configuration's module block does not set it",
            (true, false, _) => {
                "; the configuration files given do not hold every module on the way to it (for a module from a \
                 remote source, run terraform init in DIR first: --config reads what it downloaded)"
            }
            (false, _, _) => "; --config DIR (the Terraform directory) would evaluate it",
        }
    }

    /// Why values the files give are unknown, where the plan cannot tell it.
    pub(super) fn notes(&self) -> Vec<String> {
        let Some(e) = self.first() else { return Vec::new() };
        let token = self.call.profile.token.input.as_deref().unwrap_or("token");
        let keys = self
            .evaluated
            .iter()
            .flat_map(|(_, e)| e.backup.iter().flatten())
            .flat_map(|m| m.iter().map(|(k, f)| (k.as_str(), f)));
        let wholes = self.evaluated.iter().filter_map(|(n, e)| e.whole.as_ref().map(|f| (n.as_str(), f)));
        let names: Vec<&str> = keys
            .chain(wholes)
            .chain(e.token.iter().map(|f| (token, f)))
            .filter(|(_, f)| f.unknown == Some(Unknown::Workspace))
            .map(|(k, _)| k)
            .collect();
        if names.is_empty() {
            return Vec::new();
        }
        vec![format!("{} {WORKSPACE_NOTE}", names.join(", "))]
    }

    fn resolved(&self, f: &Found, key: &str) -> Resolved {
        let value = match &f.value {
            Some(v) => module_string(v).map(Value::Known).unwrap_or(Value::Unknown),
            None => Value::Unknown,
        };
        let provenance = match &f.origin {
            Origin::At(pos) => provenance_at(pos),
            Origin::Computed(pos) => Provenance::ConfigurationFile {
                file: pos.file.clone(),
                line: pos.line,
                column: pos.column,
                computed: true,
            },
            Origin::Root { name, .. } => {
                Provenance::Variable { name: name.clone(), declared_sensitive: self.plan.variable_is_sensitive(name) }
            }
        };
        Resolved { value, provenance, sensitive: f.sensitive || is_secret_key(key) }
    }

    /// A settings input evaluated whole, as JSON (`None` inside when unknown until apply), with
    /// where it is written: the text of a `yaml` or `flags` input, or what a profile's `path`
    /// selects in. Only the build with the
    /// configuration reader has files to evaluate.
    #[cfg(feature = "config")]
    pub(super) fn whole_json(&self, name: &str) -> Option<(Option<serde_json::Value>, Resolved)> {
        let f = self.of(name)?.whole.as_ref()?;
        let json = f.value.as_ref().and_then(|v| serde_json::to_value(v).ok());
        let mut r = self.resolved(f, name);
        r.value = Value::Unknown;
        Some((json, r))
    }

    #[cfg(not(feature = "config"))]
    pub(super) fn whole_json(&self, _: &str) -> Option<(Option<serde_json::Value>, Resolved)> {
        None
    }

    /// A settings input as the files tell it, key by key as the module names them.
    pub(super) fn backup(&self, name: &str) -> Option<Backup> {
        let e = self.of(name)?;
        let keys = e.backup.as_ref()?.as_ref()?;
        if keys.is_empty() {
            return Some(Backup::NotSet { provenance: Some(provenance_at(&e.block)) });
        }
        let keys: BTreeMap<String, Resolved> =
            crate::order::map(keys.iter().map(|(k, f)| (k.clone(), self.resolved(f, k))));
        Some(Backup::Keys(keys))
    }

    /// The cluster call's token as the files tell it.
    pub(super) fn token(&self, name: &str) -> Option<TokenState> {
        let f = self.first()?.token.as_ref()?;
        if matches!(f.value, Some(hcl::Value::Null)) {
            return Some(TokenState::NotSet);
        }
        let mut r = self.resolved(f, name);
        r.sensitive = true;
        Some(TokenState::Resolved(r))
    }
}
