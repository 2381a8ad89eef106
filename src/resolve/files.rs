//! What the Terraform configuration (`--config`) says about one instance of a cluster call:
//! the configuration evaluated along the chain of module instances (`config::eval`), turned into
//! the resolver's values with their provenance — a position in a file, or a root variable.

use std::collections::BTreeMap;

use super::calls::{ClusterCall, BACKUP};
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
    evaluated: Option<Evaluated>,
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
        #[cfg(feature = "config")]
        let evaluated = if config.given && !deleted {
            config.evaluate(plan, &call.path, steps, &[BACKUP, super::calls::TOKEN])?
        } else {
            None
        };
        // A build without the reader never has a configuration (Options refuses one).
        #[cfg(not(feature = "config"))]
        let evaluated = {
            let _ = (steps, deleted);
            None
        };
        Ok(Files { plan, config, call, evaluated })
    }

    pub(super) fn call(&self) -> &'x ClusterCall<'p, 'a> {
        self.call
    }

    /// Where findings about keys that are absent point: the `etcd_backup` argument, else the
    /// cluster's module block, when the files hold it.
    pub(super) fn block(&self) -> Option<Pos> {
        self.evaluated.as_ref().map(|e| e.backup_at.clone().unwrap_or_else(|| e.block.clone()))
    }

    /// Where findings about the token point: the `cluster_token` argument, else the module block.
    pub(super) fn token_at(&self) -> Option<Pos> {
        self.evaluated.as_ref().map(|e| e.token_at.clone().unwrap_or_else(|| e.block.clone()))
    }

    /// Whether the files hold an expression for the cluster call's input.
    pub(super) fn has(&self, name: &str) -> bool {
        match &self.evaluated {
            Some(e) if name == BACKUP => e.backup.is_some(),
            Some(e) => e.token.is_some(),
            None => false,
        }
    }

    /// Appended to an unresolved reason: whether, and how, `--config` would resolve it.
    pub(super) fn hint(&self, name: &str) -> &'static str {
        match (self.config.given, self.evaluated.is_some(), self.has(name)) {
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
        let Some(e) = &self.evaluated else { return Vec::new() };
        let keys = e.backup.iter().flatten().flat_map(|m| m.iter().map(|(k, f)| (k.as_str(), f)));
        let names: Vec<&str> = keys
            .chain(e.token.iter().map(|f| (super::calls::TOKEN, f)))
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

    /// The cluster call's map input as the files tell it.
    pub(super) fn backup(&self, _name: &str) -> Option<Backup> {
        let e = self.evaluated.as_ref()?;
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
        let f = self.evaluated.as_ref()?.token.as_ref()?;
        if matches!(f.value, Some(hcl::Value::Null)) {
            return Some(TokenState::NotSet);
        }
        let mut r = self.resolved(f, name);
        r.sensitive = true;
        Some(TokenState::Resolved(r))
    }
}
