// Source of dist/opa.cjs (bundled by esbuild as CommonJS).
import './index.js';

export * from '../opa-core.js';
