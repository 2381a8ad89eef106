// The plan-review page and the <etcd-backup-report> element in headless Chromium (Debian's
// chromium driven by playwright-core): plans evaluated in the page, nothing sent anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(pkgDir, '..', 'tests', 'fixtures');
const secrets = readFileSync(join(fixtures, 'secrets.txt'), 'utf8').split('\n').filter(Boolean);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

let server;
let origin;
let browser;

before(async () => {
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(pkgDir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openViewer() {
  const page = await browser.newPage();
  const foreign = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin)) foreign.push(r.url());
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/viewer/index.html`);
  return { page, foreign, errors };
}

const cards = (page) =>
  page.evaluate(() =>
    [...document.getElementById('report').shadowRoot.querySelectorAll('.card')].map((c) => ({
      cluster: c.dataset.cluster,
      location: c.querySelector('[data-field=location]').textContent,
      window: c.querySelector('[data-field=window]').textContent,
      restore: c.querySelector('[data-field=restore]').textContent,
      token: c.querySelector('[data-field=token]').textContent,
      findings: [...c.querySelectorAll('li.deny, li.warn')].map((l) => l.querySelector('.rule').textContent),
    })),
  );

test('a dropped fleet plan renders one card per cluster with its findings, all in the page', async () => {
  const { page, foreign, errors } = await openViewer();
  await page.setInputFiles('#files', [join(fixtures, 'fleet-shared', 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 3);
  const c = await cards(page);
  assert.deepEqual(c.map((x) => x.cluster), ['module.k8s["blue"]', 'module.k8s["green"]', 'module.k8s["red"]']);
  assert.equal(c[0].location, 'aws / fleet-etcd / fleet');
  assert.equal(c[0].restore, 'on');
  assert.equal(c[0].window, '84d local, 2d12h in S3');
  assert.ok(c[0].findings.includes('DENY EB201 shared-backup-location'));
  const summary = await page.evaluate(() => document.getElementById('report').shadowRoot.querySelector('.summary').textContent);
  assert.match(summary, /^FAIL: 1 plan\(s\), 3 cluster\(s\): 3 deny, 3 warn$/);
  assert.deepEqual(foreign, [], 'no request leaves the page');
  assert.deepEqual(errors, []);
  await page.close();
});

test('plan plus .tf files resolve a first create; no secret reaches the page', async () => {
  const { page } = await openViewer();
  const dir = join(fixtures, 'first-create-missing-bucket');
  await page.setInputFiles('#files', [join(dir, 'plan.json'), join(dir, 'main.tf')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 1);
  const [card] = await cards(page);
  assert.ok(card.findings.includes('DENY EB101 required-key-missing'), card.findings.join());
  assert.equal(card.token, 'unverified');
  const html = await page.evaluate(() => document.documentElement.outerHTML + document.getElementById('report').shadowRoot.innerHTML);
  for (const s of secrets) assert.ok(!html.includes(s), 'a fixture secret reached the page');
  await page.close();
});

test('a chosen Terraform directory resolves a map written in a local module, like --config DIR', async () => {
  const { page } = await openViewer();
  const dir = join(fixtures, 'local-module');
  await page.setInputFiles('#dir', dir);
  await page.setInputFiles('#files', [join(dir, 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 1);
  const [card] = await cards(page);
  assert.ok(card.findings.includes('DENY EB101 required-key-missing'), card.findings.join());
  const html = await page.evaluate(() => document.documentElement.outerHTML + document.getElementById('report').shadowRoot.innerHTML);
  for (const s of secrets) assert.ok(!html.includes(s), 'a fixture secret reached the page');
  await page.close();
});

test('a chosen directory includes the modules terraform init downloaded', async () => {
  const { page } = await openViewer();
  const dir = join(fixtures, 'remote-module');
  await page.setInputFiles('#dir', dir);
  await page.setInputFiles('#files', [join(dir, 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 1);
  const [card] = await cards(page);
  assert.ok(card.findings.includes('DENY EB101 required-key-missing'), card.findings.join());
  await page.close();
});

test('pasted text that is not a plan shows the one-line error', async () => {
  const { page } = await openViewer();
  await page.fill('#paste', '{"format_version": "1.2", "resource_changes": [');
  await page.click('#check');
  await page.waitForFunction(() => document.getElementById('error').textContent.length > 0);
  assert.match(await page.textContent('#error'), /\(pasted\): not valid JSON/);
  await page.close();
});

test('the element is embeddable on its own and renders plan text as text', async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}/viewer/index.html`);
  const html = await page.evaluate(async () => {
    await import('./element.js');
    const e = document.createElement('etcd-backup-report');
    document.body.append(e);
    e.report = {
      summary: { plans: 1, clusters: 1, deny: 0, warn: 0 },
      findings: [],
      clusters: [{ address: '<img src=x onerror=alert(1)>', plan: 'p', action: 'create', backup: 'not-set', restore: false, token: { status: 'known' }, keys: {} }],
    };
    return e.shadowRoot.innerHTML;
  });
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!html.includes('<img'));
  await page.close();
});
