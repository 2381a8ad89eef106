// Source of dist/index.cjs (bundled by esbuild as CommonJS): the same API, instantiated
// synchronously so that `require('etcd-backup-policy')` returns it ready to use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../pkg/etcd_backup_policy.js';
import { initSync as initConfigSync } from '../pkg-config/etcd_backup_policy.js';
import { setEngine, setConfigLoader } from '../engines.js';

// In the bundle, __dirname is dist/.
setEngine('core', initSync({ module: readFileSync(join(__dirname, '..', 'pkg', 'etcd_backup_policy_bg.wasm')) }));
setConfigLoader(() => initConfigSync({ module: readFileSync(join(__dirname, '..', 'pkg-config', 'etcd_backup_policy_bg.wasm')) }));

export * from '../api.js';
export { planFile } from '../plan-file.js';
