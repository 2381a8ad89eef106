// The README's screenshots of the plan-review page (docs/viewer-*.png): a fleet plan with shared
// and nested folders, at desktop and phone sizes, in Debian's chromium (as the browser tests).
// Usage: node js/scripts/screenshots.mjs   (make screenshots)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(pkgDir, '..', 'tests', 'fixtures');
const docs = join(pkgDir, '..', 'docs');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(path.startsWith('/fixtures/') ? join(fixtures, path.slice('/fixtures/'.length)) : join(pkgDir, path));
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
for (const [name, viewport] of [['1280', { width: 1280, height: 900 }], ['390', { width: 390, height: 844 }]]) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${origin}/viewer/index.html?plan=/fixtures/fleet-nested/plan.json`);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length > 0);
  // The report's first screen: the verdict, the shared locations and the picture.
  await page.evaluate(() => document.getElementById('verdict').scrollIntoView());
  await page.screenshot({ path: join(docs, `viewer-${name}.png`) });
  await page.close();
}
await browser.close();
server.close();
console.log('wrote docs/viewer-1280.png, docs/viewer-390.png');
