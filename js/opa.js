// Node entry point of `etcd-backup-policy/opa` (ESM).
import './index.js';

export * from './opa-core.js';
