//! What the `.tf` files given with `--config` say about a cluster call's inputs (SPEC §2,
//! source 5): the block that calls the cluster module — in the root module or in a local module
//! under it — and the variables it uses, followed up through the calling blocks to the root
//! variables. Where the files do not hold a block, a wrapper that hands `var.X` down unchanged is
//! seen through, as the plan records it.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{as_module_string, bare_variable, call_input, map_from_json, ClusterCall, Input};
use crate::catalogue::is_secret_key;
use crate::config::{self, normalize, Config, Eval, Located};
use crate::model::{Backup, Provenance, Resolved, TokenState, Value};
use crate::plan::{Expression, Plan};

pub(super) struct Files<'x, 'p, 'a> {
    plan: &'x Plan<'a>,
    config: &'x Config,
    call: &'x ClusterCall<'p, 'a>,
    /// The directory each call of the chain is written in (`""`: the root module); `None` inside
    /// a module from a remote source that the manifest does not place.
    dirs: Vec<Option<String>>,
}

/// A variable's value as the files or the plan tell it.
enum Var<'x> {
    /// An expression in the files, with the level of the call whose block holds it.
    Files(usize, &'x config::Input),
    /// A value from the plan, with where it came from and whether it is sensitive.
    Json(Json, Provenance, bool),
}

fn file_provenance(l: &Located) -> Provenance {
    Provenance::ConfigurationFile { file: l.file.clone(), line: l.line }
}

fn mark_sensitive(b: Backup) -> Backup {
    match b {
        Backup::Keys(keys) => Backup::Keys(
            keys.into_iter()
                .map(|(k, mut r)| {
                    r.sensitive = true;
                    (k, r)
                })
                .collect(),
        ),
        other => other,
    }
}

impl<'x, 'p, 'a> Files<'x, 'p, 'a> {
    pub(super) fn new(plan: &'x Plan<'a>, config: &'x Config, call: &'x ClusterCall<'p, 'a>) -> Self {
        // The call at level i is written in the module of key path[..i]: where `terraform init`
        // put it (the manifest, when given), else its caller's local source joined to the
        // caller's own directory.
        let mut dirs: Vec<Option<String>> = Vec::with_capacity(call.chain.len());
        for i in 0..call.chain.len() {
            let joined = match i.checked_sub(1) {
                None => Some(String::new()),
                Some(p) => dirs[p]
                    .as_ref()
                    .zip(call.chain[p].local_source())
                    .map(|(d, source)| normalize(&format!("{d}/{source}"))),
            };
            dirs.push(config.module_dirs.get(&call.path[..i].join(".")).cloned().or(joined));
        }
        Files { plan, config, call, dirs }
    }

    pub(super) fn call(&self) -> &'x ClusterCall<'p, 'a> {
        self.call
    }

    fn last(&self) -> usize {
        self.call.chain.len().saturating_sub(1)
    }

    /// The files' expression for input `name` of the call at `level`, and the level it was found
    /// at: the call's own block, or the block a wrapper hands `var.X` down from unchanged.
    fn input(&self, level: usize, name: &str) -> Option<(usize, &'x config::Input)> {
        let block = self.dirs.get(level)?.as_ref().and_then(|dir| {
            let key = (dir.clone(), self.call.path.get(level)?.clone());
            self.config.modules.get(&key)
        });
        if let Some(block) = block {
            return block.inputs.get(name).map(|i| (level, i));
        }
        let up = level.checked_sub(1)?;
        let x = bare_variable(&Expression::parse(self.call.chain[level].expressions.get(name)?))?;
        self.input(up, &x)
    }

    /// Whether the files hold an expression for the cluster call's input.
    pub(super) fn has(&self, name: &str) -> bool {
        self.input(self.last(), name).is_some()
    }

    /// Appended to an unresolved reason: whether, and how, `--config` would resolve it.
    pub(super) fn hint(&self, name: &str) -> &'static str {
        match (self.config.given, self.has(name)) {
            (true, true) => "; the configuration files do not tell it either",
            (true, false) => {
                "; the configuration files given do not hold the module block that sets it (for a module from a \
                 remote source, run terraform init in DIR first: --config reads what it downloaded)"
            }
            (false, _) => "; --config DIR (the root module's .tf files) would resolve its literal keys",
        }
    }

    /// The cluster call's map input as the files tell it.
    pub(super) fn backup(&self, name: &str) -> Option<Backup> {
        let (level, input) = self.input(self.last(), name)?;
        self.map_at(level, input)
    }

    /// The cluster call's token as the files tell it.
    pub(super) fn token(&self, name: &str) -> Option<TokenState> {
        match self.input(self.last(), name)? {
            (_, config::Input::Value(Located { eval: Eval::Literal(Json::Null), .. })) => Some(TokenState::NotSet),
            (level, config::Input::Value(l)) => self.scalar_at(level, l, name).map(|mut r| {
                r.sensitive = true;
                TokenState::Resolved(r)
            }),
            _ => None,
        }
    }

    fn map_at(&self, level: usize, input: &config::Input) -> Option<Backup> {
        match input {
            config::Input::Map(m) => {
                let keys: BTreeMap<String, Resolved> =
                    m.iter().filter_map(|(k, l)| self.scalar_at(level, l, k).map(|r| (k.clone(), r))).collect();
                Some(if keys.is_empty() { Backup::NotSet { provenance: None } } else { Backup::Keys(keys) })
            }
            config::Input::Value(l) => match &l.eval {
                Eval::Literal(Json::Null) => Some(Backup::NotSet { provenance: Some(file_provenance(l)) }),
                Eval::Var(x) => self.variable_map(level, x),
                _ => None,
            },
            config::Input::Merged(parts) => {
                let mut keys = BTreeMap::new();
                for part in parts {
                    match self.map_at(level, part)? {
                        Backup::Keys(k) => keys.extend(k),
                        Backup::NotSet { .. } => {}
                        Backup::Unresolved { .. } => return None,
                    }
                }
                Some(if keys.is_empty() { Backup::NotSet { provenance: None } } else { Backup::Keys(keys) })
            }
            config::Input::Opaque => None,
        }
    }

    /// What `var.x` is in the module the call at `level` is written in, and whether that module
    /// declares it `sensitive` (a root variable's own flag is in the value's provenance).
    fn variable(&self, level: usize, x: &str) -> Option<(Var<'x>, bool)> {
        if level == 0 {
            let sensitive = self.plan.variable_is_sensitive(x);
            let prov = Provenance::Variable { name: x.to_string(), declared_sensitive: sensitive };
            return Some((Var::Json(self.plan.variable(x).ok().flatten()?, prov, sensitive), false));
        }
        let declared = self.call.chain[level - 1].module.variables.get(x);
        let v = match self.input(level - 1, x) {
            Some((l, input)) => Var::Files(l, input),
            // An unreadable hand-down was already reported by the plan's own resolution.
            None => match call_input(self.plan, &self.call.chain[..level], x).unwrap_or(Input::Opaque) {
                Input::Literal(v) | Input::Default(v) => Var::Json(v, Provenance::Configuration, false),
                Input::Variable { name, value, sensitive } => {
                    Var::Json(value, Provenance::Variable { name, declared_sensitive: sensitive }, sensitive)
                }
                Input::Absent => Var::Json(declared?.default.clone()?, Provenance::Configuration, false),
                Input::Opaque | Input::Keys(_) => return None,
            },
        };
        Some((v, declared.is_some_and(|v| v.sensitive)))
    }

    /// `var.x` as a map. A value that is not a map says the reading was wrong: the plan records
    /// `{ k = var.x }` with the same references as `var.x`, so a hand-down seen in the plan alone
    /// may be an object constructor.
    fn variable_map(&self, level: usize, x: &str) -> Option<Backup> {
        let (v, declared_sensitive) = self.variable(level, x)?;
        let b = match v {
            Var::Files(l, input) => self.map_at(l, input)?,
            Var::Json(v, prov, sensitive) => {
                (v.is_object() || v.is_null()).then(|| map_from_json(&v, &prov, sensitive))?
            }
        };
        Some(if declared_sensitive { mark_sensitive(b) } else { b })
    }

    fn scalar_at(&self, level: usize, l: &Located, key: &str) -> Option<Resolved> {
        let secret = is_secret_key(key);
        let here = |value| Resolved { value, provenance: file_provenance(l), sensitive: secret };
        Some(match &l.eval {
            Eval::Literal(Json::Null) => return None,
            Eval::Literal(v) => here(as_module_string(v).map(Value::Known).unwrap_or(Value::Unknown)),
            Eval::Var(x) => match self.variable_scalar(level, x, key) {
                Some(mut r) => {
                    r.sensitive |= secret;
                    r
                }
                None => here(Value::Unknown),
            },
            Eval::Unknown => here(Value::Unknown),
        })
    }

    /// `var.x` as a single value; `None` when nothing tells it.
    fn variable_scalar(&self, level: usize, x: &str, key: &str) -> Option<Resolved> {
        let (v, declared_sensitive) = self.variable(level, x)?;
        let mut r = match v {
            Var::Files(l, config::Input::Value(loc)) => self.scalar_at(l, loc, key)?,
            Var::Files(..) => return None,
            Var::Json(v, provenance, sensitive) => {
                Resolved { value: Value::Known(as_module_string(&v)?), provenance, sensitive }
            }
        };
        r.sensitive |= declared_sensitive;
        Some(r)
    }
}
