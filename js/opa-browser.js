// Browser and bundler entry point of `etcd-backup-policy/opa` (ESM).
import './browser.js';

export * from './opa-core.js';
