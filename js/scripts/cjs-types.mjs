// Writes dist/index.d.cts and dist/opa.d.cts next to the CommonJS build: a `"type": "module"`
// package's .d.ts files describe ES modules, and a CommonJS TypeScript project (`module: node16`)
// that requires them fails with TS1479. The declarations are the same; only the relative import
// points at the CommonJS twin.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const js = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(js, 'dist'), { recursive: true });
for (const name of ['index', 'opa']) {
  const text = readFileSync(join(js, `${name}.d.ts`), 'utf8').replaceAll("from './index.js'", "from './index.cjs'");
  writeFileSync(join(js, 'dist', `${name}.d.cts`), `// Generated from ../${name}.d.ts by scripts/cjs-types.mjs.\n${text}`);
}
