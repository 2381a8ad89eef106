// Node entry point (ESM): instantiates the WASM synchronously from the package's own file.
import { readFileSync } from 'node:fs';
import { initSync } from './pkg/etcd_backup_policy.js';
import { setMemory } from './api.js';

setMemory(initSync({ module: readFileSync(new URL('./pkg/etcd_backup_policy_bg.wasm', import.meta.url)) }).memory);

export * from './api.js';
export { planFile } from './plan-file.js';
