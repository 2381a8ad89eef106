// WASM-in-Node evaluation time next to JSON.parse of the same text (SPEC §8): best of 10 after
// a warm-up of at least 3 runs and 500 ms each (V8 compiles WASM with a baseline tier first and
// optimises it in the background; a 1 MB plan is over before that finishes).
// Usage: node bench/bench.mjs FILE...
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { evaluate } from '../js/index.js';

function best(f) {
  let b = Infinity;
  let out;
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < 500; i++) f();
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    out = f();
    b = Math.min(b, performance.now() - t);
  }
  return [b, out];
}

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const [parseMs] = best(() => JSON.parse(bytes.toString('utf8')));
  const [wasmMs, report] = best(() => evaluate(bytes));
  console.log(JSON.stringify({ file, mb: +(bytes.length / 1048576).toFixed(1), clusters: report.summary.clusters, json_parse_ms: +parseMs.toFixed(1), wasm_ms: +wasmMs.toFixed(1), ratio: +(wasmMs / parseMs).toFixed(2) }));
}
