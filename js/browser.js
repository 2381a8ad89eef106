// Browser and bundler entry point (ESM): fetches the WASM next to this file. Vite and webpack 5
// recognise `new URL(..., import.meta.url)` and ship the .wasm as an asset (esbuild: see README).
import init from './pkg/etcd_backup_policy.js';
import { setMemory } from './api.js';

setMemory((await init({ module_or_path: new URL('./pkg/etcd_backup_policy_bg.wasm', import.meta.url) })).memory);

export * from './api.js';
