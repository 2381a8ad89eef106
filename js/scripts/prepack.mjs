// npm runs this before `npm pack`: the package's README, LICENSE and gate policies live at the
// repository root; the tarball carries copies (gitignored in js/).
import { cpSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const js = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(js, '..');
for (const f of ['README.md', 'LICENSE']) cpSync(join(root, f), join(js, f));
rmSync(join(js, 'policies'), { recursive: true, force: true });
cpSync(join(root, 'policies'), join(js, 'policies'), { recursive: true });
