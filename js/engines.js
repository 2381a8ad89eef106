// The two WASM engines and their memories, set by the entry points (index.js, browser.js, the
// CommonJS build) and used by api.js; kept out of api.js so that the public API does not export
// them. Two engines, one crate: `pkg/` without the Terraform configuration reader (every call)
// and `pkg-config/` with it (hcl-rs: 40 % of the WASM), instantiated only for a call given a
// `config`. Same API; each has its own memory.
import * as coreBindings from './pkg/etcd_backup_policy.js';
import * as configBindings from './pkg-config/etcd_backup_policy.js';

const engines = {
  core: { bindings: coreBindings, memory: null, load: null },
  config: { bindings: configBindings, memory: null, load: null },
};

/**
 * The entry points hand over each instantiated engine (`initSync`'s or `init`'s result): its
 * memory is where plans are read straight into. `which` is `core` or `config`.
 */
export function setEngine(which, instance) {
  engines[which].memory = instance.memory;
}

/** How an entry point instantiates the configuration engine on first use, synchronously (Node). */
export function setConfigLoader(load) {
  engines.config.load = load;
}

/** The engine for a call, with or without the configuration reader; loads the latter on first use. */
export function engine(withConfig) {
  const e = withConfig ? engines.config : engines.core;
  if (e.memory === null) {
    if (e.load === null) {
      const err = new Error('the configuration reader is not loaded: `await loadConfigReader()` before passing `config` (browser)');
      err.code = 'EBP_USAGE';
      throw err;
    }
    setEngine('config', e.load());
  }
  return e;
}

