// Browser and bundler entry point (ESM): fetches the WASM next to this file. Bundlers (Vite,
// webpack 5, esbuild) recognise `new URL(..., import.meta.url)` and ship the .wasm as an asset.
import init from './pkg/etcd_backup_policy.js';

await init({ module_or_path: new URL('./pkg/etcd_backup_policy_bg.wasm', import.meta.url) });

export * from './api.js';
