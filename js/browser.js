// Browser and bundler entry point (ESM): fetches the WASM next to this file. Vite and webpack 5
// recognise `new URL(..., import.meta.url)` and ship the .wasm as an asset (esbuild: see README).
// The engine with the configuration reader is fetched by `loadConfigReader()`, once, before a
// call given a `config`.
import init from './pkg/etcd_backup_policy.js';
import initConfig from './pkg-config/etcd_backup_policy.js';
import { setEngine } from './engines.js';

setEngine('core', await init({ module_or_path: new URL('./pkg/etcd_backup_policy_bg.wasm', import.meta.url) }));

let configReader = null;
/** Fetches and instantiates the engine that reads the Terraform configuration (once). */
export function loadConfigReader() {
  configReader ??= initConfig({ module_or_path: new URL('./pkg-config/etcd_backup_policy_bg.wasm', import.meta.url) }).then(
    (e) => setEngine('config', e),
    (err) => {
      configReader = null; // a failed fetch can be retried
      throw err;
    },
  );
  return configReader;
}

export * from './api.js';
