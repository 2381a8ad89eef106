// Imported first by cli.js, before the WASM is compiled: the command line runs V8's baseline
// WebAssembly tier (Liftoff) only. A one-shot command gains little from the optimising tier,
// whose background compilation competes for the CPU and is waited for at exit: measured on this
// project's plans (make bench, 2 cores), 1 MB 0.32 -> 0.12 s, 100 MB 0.73 -> 0.41-0.55 s and
// 235 -> 171 MB peak RSS; only 10 000 clusters, all engine work, is slower (0.85 -> 0.97 s).
// Only the CLI does this: the library leaves the flags of its host's process alone.
import { setFlagsFromString } from 'node:v8';

try {
  setFlagsFromString('--liftoff-only');
} catch {
  // A runtime without V8's flags runs with its default tiers: slower to finish, same result.
}
