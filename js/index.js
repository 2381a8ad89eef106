// Node entry point (ESM): instantiates the WASM synchronously from the package's own files; the
// engine with the configuration reader only on the first call given a `config`.
import { readFileSync } from 'node:fs';
import { initSync } from './pkg/etcd_backup_policy.js';
import { initSync as initConfigSync } from './pkg-config/etcd_backup_policy.js';
import { setEngine, setConfigLoader } from './engines.js';

setEngine('core', initSync({ module: readFileSync(new URL('./pkg/etcd_backup_policy_bg.wasm', import.meta.url)) }));
setConfigLoader(() => initConfigSync({ module: readFileSync(new URL('./pkg-config/etcd_backup_policy_bg.wasm', import.meta.url)) }));

export * from './api.js';
export { planFile } from './plan-file.js';
