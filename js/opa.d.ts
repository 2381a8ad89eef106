import type { Plan } from './index.js';

export declare const ENTRYPOINTS: Readonly<{ 'etcd_backup/deny': 0; 'etcd_backup/warn': 1; 'etcd_backup/report': 2 }>;

/** The surface of @open-policy-agent/opa-wasm's LoadedPolicy. */
export interface LoadedPolicy {
  entrypoints: { [name: string]: number };
  setData(data: object | ArrayBuffer): void;
  evaluate(input: Plan | ArrayBuffer, entrypoint?: number | string): Array<{ result: any }>;
  evalBool(input: object): boolean;
}

export declare function loadPolicy(
  regoWasm?: unknown,
  memoryDescriptor?: number | WebAssembly.MemoryDescriptor,
  customBuiltins?: { [builtinName: string]: Function },
): Promise<LoadedPolicy>;

export declare function loadPolicySync(
  regoWasm?: unknown,
  memoryDescriptor?: number | WebAssembly.MemoryDescriptor,
  customBuiltins?: { [builtinName: string]: Function },
): LoadedPolicy;
