// WASM-in-Node evaluation time next to JSON.parse of the same text (SPEC §8). After a warm-up of
// at least 3 runs and 500 ms (V8 compiles WASM with a baseline tier first and optimises it in the
// background; a 1 MB plan is over before that finishes), the two are timed in turns, at least 20
// rounds and 1 s, and the best of each is kept: measured in turns, both see the same machine
// (CPU clock, heap), which keeps the ratio steady where separate runs drift apart.
// Also printed, as the floor any eager report has: JSON.parse of the report's own text. SPEC §4's
// report lists every cluster with its keys, so with many clusters it is larger than the plan, and
// handing it to JS as an object costs at least that parse.
// Usage: node bench/bench.mjs FILE...
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { evaluate } from '../js/index.js';

/** Best time of each function, timed in turns; and the first function's last result. */
function bestInTurns(...fs) {
  const best = fs.map(() => Infinity);
  let out;
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < 500; i++) fs.forEach((f) => f());
  const start = performance.now();
  for (let i = 0; i < 20 || performance.now() - start < 1000; i++) {
    fs.forEach((f, k) => {
      const t = performance.now();
      const r = f();
      best[k] = Math.min(best[k], performance.now() - t);
      if (k === 0) out = r;
    });
  }
  return [best, out];
}

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const [[wasmMs, parseMs], report] = bestInTurns(() => evaluate(bytes), () => JSON.parse(bytes.toString('utf8')));
  const reportText = JSON.stringify(report);
  const [[reportParseMs]] = bestInTurns(() => JSON.parse(reportText));
  console.log(JSON.stringify({
    file, mb: +(bytes.length / 1048576).toFixed(1), clusters: report.summary.clusters,
    json_parse_ms: +parseMs.toFixed(1), wasm_ms: +wasmMs.toFixed(1), ratio: +(wasmMs / parseMs).toFixed(2),
    report_mb: +(reportText.length / 1048576).toFixed(1), report_parse_ms: +reportParseMs.toFixed(1),
    report_floor: +(reportParseMs / parseMs).toFixed(2),
  }));
}
