// Source of dist/index.cjs (bundled by esbuild as CommonJS): the same API, instantiated
// synchronously so that `require('etcd-backup-policy')` returns it ready to use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../pkg/etcd_backup_policy.js';
import { setMemory } from '../api.js';

// In the bundle, __dirname is dist/.
setMemory(initSync({ module: readFileSync(join(__dirname, '..', 'pkg', 'etcd_backup_policy_bg.wasm')) }).memory);

export * from '../api.js';
export { planFile } from '../plan-file.js';
