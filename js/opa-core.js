// An OPA-WASM-compatible face for the engine: `loadPolicy()` resolves to an object with the surface
// of @open-policy-agent/opa-wasm's LoadedPolicy (`entrypoints`, `setData`, `evaluate` returning a
// result set `[{ result }]`), so a host written for compiled Rego policies runs this one unchanged.
import { check } from './api.js';

export const ENTRYPOINTS = Object.freeze({ 'etcd_backup/deny': 0, 'etcd_backup/warn': 1, 'etcd_backup/report': 2 });
const NAMES = Object.keys(ENTRYPOINTS);

function fromBuffer(x) {
  // opa-wasm accepts an ArrayBuffer holding JSON text for both input and data.
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return x;
}

class LoadedPolicy {
  constructor() {
    this.entrypoints = { ...ENTRYPOINTS };
    this.data = null;
  }

  /** The OPA data document: `{ etcd_backup: { inventory, baseline, rules, min_retention_window } }`. */
  setData(data) {
    const d = fromBuffer(data);
    this.data = d instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(d)) : d;
  }

  /**
   * Evaluates a plan (object, JSON text, bytes or ArrayBuffer; a Spacelift plan-policy input is
   * unwrapped) at an entrypoint given by name or ID (default: the first, `etcd_backup/deny`).
   */
  evaluate(input, entrypoint = 0) {
    const name = typeof entrypoint === 'number' ? NAMES[entrypoint] : entrypoint;
    if (!Object.hasOwn(ENTRYPOINTS, name ?? '')) {
      // The same words as opa-wasm, so hosts that match on them keep working.
      throw new Error(`entrypoint ${entrypoint} is not valid in this instance`);
    }
    const report = JSON.parse(check(fromBuffer(input), { data: this.data }, 'json').text);
    const result = name === 'etcd_backup/deny' ? report.deny : name === 'etcd_backup/warn' ? report.warn : report;
    return [{ result }];
  }

  /** opa-wasm's deprecated boolean form: true when nothing is denied. */
  evalBool(input) {
    return this.evaluate(input, 'etcd_backup/deny')[0].result.length === 0;
  }
}

/**
 * Resolves to the loaded policy. The arguments of opa-wasm's `loadPolicy(wasm, memory, builtins)`
 * are accepted and ignored: the engine is built in.
 */
export async function loadPolicy(_regoWasm, _memoryDescriptor, _customBuiltins) {
  return new LoadedPolicy();
}

export function loadPolicySync(_regoWasm, _memoryDescriptor, _customBuiltins) {
  return new LoadedPolicy();
}
