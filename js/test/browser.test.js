// The plan-review page and the <etcd-backup-report> element in headless Chromium (Debian's
// chromium driven by playwright-core): plans evaluated in the page, nothing sent anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { readFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
      // /fixtures/… serves the test plans from the same origin (for ?plan=URL).
      const file = path.startsWith('/fixtures/') ? join(fixtures, path.slice('/fixtures/'.length)) : join(pkgDir, path);
      const body = await readFile(file);
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

async function openViewer(query = '', viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const foreign = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin)) foreign.push(r.url());
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/viewer/index.html${query}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
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

// Screenshots of the page, kept as test artifacts (js/test/artifacts/, not committed).
const artifacts = join(pkgDir, 'test', 'artifacts');
mkdirSync(artifacts, { recursive: true });

/** The picture's edges, and what the report says they must be. */
const edges = (page) =>
  page.evaluate(() => {
    const el = document.getElementById('report');
    const drawn = [...el.shadowRoot.querySelectorAll('svg.fleet path.edge')].map((p) => [p.dataset.cluster, p.dataset.location, p.classList.contains('conflict')]);
    const conflicts = new Set(el.report.findings.filter((f) => ['EB201', 'EB202', 'EB203'].includes(f.rule)).map((f) => f.cluster));
    const expected = el.report.clusters.filter((c) => c.location).map((c) => [c.address, `${c.location.service}/${c.location.bucket}/${c.location.folder}`, conflicts.has(c.address)]);
    return { drawn, expected };
  });

test('?plan=URL opens a same-origin plan; the fleet picture has the report\'s edges, collisions in red', async () => {
  for (const [name, viewport] of [['1280x800', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    const { page, foreign, errors } = await openViewer('?plan=/fixtures/fleet-nested/plan.json', viewport);
    await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('svg.fleet path.edge').length > 0);
    const { drawn, expected } = await edges(page);
    // Drawn next to their locations: the same edges, in the picture's order.
    assert.deepEqual(drawn.map(String).sort(), expected.map(String).sort());
    assert.ok(drawn.some((e) => e[2]) && drawn.some((e) => !e[2]), 'some edges red, some not');
    const restoreMarks = await page.evaluate(() => document.getElementById('report').shadowRoot.querySelectorAll('svg.fleet circle.node.restore').length);
    assert.ok(restoreMarks > 0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(artifacts, `viewer-fleet-${name}.png`), fullPage: true });
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
    await page.close();
  }
  const { page, foreign } = await openViewer('?plan=http://example.com/plan.json');
  await page.waitForFunction(() => document.getElementById('error').textContent.length > 0);
  assert.match(await page.textContent('#error'), /only plans from this page's own origin/);
  assert.deepEqual(foreign, [], 'a foreign plan URL is never fetched');
  await page.close();
});

test('a drop of several plans and a Terraform directory evaluates them together', async () => {
  const { page, errors } = await openViewer();
  page.on('console', (m) => errors.push(m.text()));
  const plans = ['fleet-first-create-collide', 'seed'].map((c) => ({ name: `${c}.json`, text: readFileSync(join(fixtures, c, 'plan.json'), 'utf8') }));
  const tf = readFileSync(join(fixtures, 'fleet-first-create-collide', 'main.tf'), 'utf8');
  await page.evaluate(({ plans, tf }) => {
    const files = plans.map((p) => new File([p.text], p.name, { type: 'application/json' }));
    // A directory entry as Chromium hands it over (FileSystemDirectoryEntry), holding main.tf.
    const fileEntry = { isFile: true, isDirectory: false, name: 'main.tf', file: (ok) => ok(new File([tf], 'main.tf')) };
    const hidden = { isFile: false, isDirectory: true, name: '.terraform', createReader: () => ({ readEntries: (ok) => ok([]) }) };
    let served = false;
    const dirEntry = { isFile: false, isDirectory: true, name: 'stack', createReader: () => ({ readEntries: (ok) => { const batch = served ? [] : [fileEntry, hidden]; served = true; ok(batch); } }) };
    const items = [...files.map((f) => ({ webkitGetAsEntry: () => ({ isFile: true, isDirectory: false, name: f.name }) })), { webkitGetAsEntry: () => dirEntry }];
    const ev = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(ev, 'dataTransfer', { value: { items, files } });
    document.getElementById('drop').dispatchEvent(ev);
  }, { plans, tf });
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 4 || document.getElementById('error').textContent).catch(() => {});
  assert.equal(await page.textContent('#error'), '');
  const c = await cards(page);
  assert.ok(c[0].findings.includes('DENY EB201 shared-backup-location'), 'the dropped directory is the first plan\'s configuration');
  assert.equal(c[3].cluster, 'module.k8s');
  assert.deepEqual(errors, []);
  await page.close();
});

test('each card tells where each value came from; Copy as Markdown works from the keyboard', async () => {
  const { page } = await openViewer();
  const dir = join(fixtures, 'first-create-missing-bucket');
  await page.setInputFiles('#files', [join(dir, 'plan.json'), join(dir, 'main.tf')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 1);
  const values = await page.evaluate(() => {
    const root = document.getElementById('report').shadowRoot;
    const cell = (attr, k) => root.querySelector(`[${attr}="${k}"]`)?.textContent;
    return { key: cell('data-value', 's3-access-key'), from: cell('data-from', 's3-access-key'), folder: cell('data-value', 's3-folder'), at: root.querySelector('[data-source]')?.textContent };
  });
  assert.deepEqual(values, { key: '(sensitive)', from: 'main.tf:27', folder: 'first-missing', at: 'at main.tf:23' });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await page.focus('#check');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'copy');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('status').textContent.length > 0);
  const md = await page.inputValue('#markdown');
  assert.match(md, /^### etcd-backup-policy: ❌ failed/);
  assert.match(md, /main\.tf:27/);
  for (const s of secrets) assert.ok(!md.includes(s));
  await page.screenshot({ path: join(artifacts, 'viewer-values-1280x800.png'), fullPage: true });
  await page.close();
});

test('a data document with a module profile reads an in-house module in the page; without it, EB004', async () => {
  const { page, foreign, errors } = await openViewer();
  const summary = () => page.evaluate(() => document.getElementById('report').shadowRoot.querySelector('.summary')?.textContent ?? '');
  await page.setInputFiles('#files', [join(fixtures, 'inhouse-k3s', 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 2);
  let c = await cards(page);
  assert.deepEqual(c[0].findings, ['DENY EB004 cluster-not-read']);
  await page.setInputFiles('#data', [join(fixtures, 'inhouse-k3s', 'profile.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelector('[data-field=profile]')?.textContent === 'acme-k3s');
  c = await cards(page);
  assert.deepEqual(c.map((x) => x.location), ['minio.acme.internal:9000 / acme-etcd / k3s', 'minio.acme.internal:9000 / acme-etcd / k3s']);
  assert.ok(c[0].findings.includes('DENY EB201 shared-backup-location'), c[0].findings.join());
  assert.match(await summary(), /^FAIL: /);
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a plan with no cluster is not a green PASS in the page', async () => {
  const { page } = await openViewer();
  await page.setInputFiles('#files', [join(fixtures, 'unrelated', 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelector('.summary'));
  const s = await page.evaluate(() => {
    const el = document.getElementById('report').shadowRoot.querySelector('.summary');
    return { text: el.textContent, verdict: el.dataset.verdict, color: getComputedStyle(el).color, role: el.getAttribute('role') };
  });
  assert.match(s.text, /^NOTHING CHECKED: no k3s\/RKE2 cluster found: nothing was checked/);
  assert.equal(s.verdict, 'nothing-checked');
  assert.notEqual(s.color, 'rgb(6, 118, 71)', 'not the pass green');
  assert.match(await page.textContent('#verdict'), /^NOTHING CHECKED: /, 'the page\'s live region says it too');
  await page.close();
});

const shadowText = (page) => page.evaluate(() => document.getElementById('report').shadowRoot.textContent);

test('a first create alone is INCOMPLETE in amber, and its fixes name the page\'s inputs, not CLI options', async () => {
  const { page } = await openViewer();
  await page.setInputFiles('#files', [join(fixtures, 'first-create', 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelector('.card'));
  const s = await page.evaluate(() => {
    const el = document.getElementById('report').shadowRoot.querySelector('.summary');
    return { text: el.textContent, color: getComputedStyle(el).color };
  });
  assert.match(s.text, /^INCOMPLETE: .*add the Terraform directory/);
  assert.equal(s.color, 'rgb(181, 71, 8)', 'amber');
  const text = await shadowText(page);
  assert.doesNotMatch(text, /--config|--data/, 'no CLI option in the page');
  assert.match(text, /add the Terraform directory \(its \.tf files\) with the directory input above/);
  assert.match(text, /add it with the data document input above/);
  await page.close();
});

test('the verdict is announced: a live region present before the report, filled after', async () => {
  const { page } = await openViewer();
  const region = () => page.evaluate(() => {
    const v = document.getElementById('verdict');
    return v && { live: v.getAttribute('aria-live'), role: v.getAttribute('role'), text: v.textContent, inLight: v.getRootNode() === document };
  });
  assert.deepEqual(await region(), { live: 'polite', role: 'status', text: '', inLight: true });
  await page.setInputFiles('#files', [join(fixtures, 'fleet-shared', 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('verdict').textContent.length > 0);
  assert.match((await region()).text, /^FAIL: 1 plan\(s\), 3 cluster\(s\)/);
  await page.close();
});

test('a new input replaces the last one; the loaded list has remove and Clear', async () => {
  const { page } = await openViewer('?plan=/fixtures/fleet-shared/plan.json');
  const count = () => page.evaluate(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length);
  const loaded = () => page.$$eval('#loaded li', (l) => l.map((x) => x.firstChild.textContent));
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 3);
  // A file chosen after ?plan= is the plan now, not a second one (5 clusters before).
  await page.setInputFiles('#files', [join(fixtures, 'seed', 'plan.json')]);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length !== 3);
  assert.equal(await count(), 1);
  assert.deepEqual(await loaded(), ['plan: plan.json']);
  // A paste after a file: the paste is the plan ("2 plans" before).
  await page.fill('#paste', readFileSync(join(fixtures, 'missing-bucket', 'plan.json'), 'utf8'));
  await page.click('#check');
  await page.waitForFunction(() => /1 plan\(s\), 1 cluster/.test(document.getElementById('verdict').textContent));
  assert.deepEqual(await loaded(), ['plan: (pasted)']);
  await page.setInputFiles('#data', [join(fixtures, 'inhouse-k3s', 'profile.json')]);
  await page.waitForFunction(() => document.querySelectorAll('#loaded li').length === 2);
  assert.deepEqual(await loaded(), ['plan: (pasted)', 'data document: profile.json']);
  await page.click('#loaded li:nth-child(2) button');
  assert.deepEqual(await loaded(), ['plan: (pasted)']);
  await page.click('#clear');
  assert.deepEqual(await loaded(), []);
  assert.equal(await count(), 0);
  assert.equal(await page.textContent('#verdict'), '');
  await page.close();
});

test('one bad file among good ones: the good ones\' report, and the bad one named', async () => {
  const { page } = await openViewer();
  const dir = mkdtempSync(join(tmpdir(), 'ebp-viewer-'));
  const bad = join(dir, 'broken.json');
  writeFileSync(bad, '{"format_version": "1.2", "resource_changes": [');
  await page.setInputFiles('#files', [join(fixtures, 'fleet-shared', 'plan.json'), bad]);
  await page.waitForFunction(() => document.getElementById('error').textContent.length > 0);
  assert.match(await page.textContent('#error'), /broken\.json: not valid JSON/);
  assert.equal(await page.evaluate(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length), 3);
  await page.close();
});

test('files dropped anywhere on the page are read', async () => {
  const { page } = await openViewer();
  const text = readFileSync(join(fixtures, 'seed', 'plan.json'), 'utf8');
  await page.evaluate((text) => {
    const files = [new File([text], 'seed.json', { type: 'application/json' })];
    const ev = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(ev, 'dataTransfer', { value: { items: [{ webkitGetAsEntry: () => ({ isFile: true, isDirectory: false, name: 'seed.json' }) }], files } });
    document.querySelector('h1').dispatchEvent(ev);
  }, text);
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 1);
  await page.close();
});

test('opened from file://, the page says how to serve it', async () => {
  const page = await browser.newPage();
  await page.goto(`file://${join(pkgDir, 'viewer', 'index.html')}`);
  await page.waitForFunction(() => getComputedStyle(document.getElementById('served')).visibility === 'visible', null, { timeout: 5000 });
  assert.match(await page.textContent('#served'), /python3 -m http\.server 8000 -d node_modules\/etcd-backup-policy/);
  await page.close();
  const { page: served } = await openViewer();
  assert.equal(await served.$('#served'), null, 'over http the notice is gone');
  await served.close();
});

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map((x) => {
      const v = Number(x) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('marks and borders have 3:1 contrast; the picture\'s nodes are reachable by keyboard and lead to their card', async () => {
  const { page } = await openViewer('?plan=/fixtures/fleet-nested/plan.json');
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('path.edge:not(.conflict)').length > 0);
  const colors = await page.evaluate(() => {
    const root = document.getElementById('report').shadowRoot;
    const warn = root.querySelector('li.warn');
    const edge = root.querySelector('path.edge:not(.conflict)');
    return {
      warn: [getComputedStyle(warn).borderLeftColor, getComputedStyle(warn).backgroundColor],
      edge: [getComputedStyle(edge).stroke, getComputedStyle(root.querySelector('svg.fleet')).backgroundColor],
      drop: [getComputedStyle(document.getElementById('drop')).borderTopColor, getComputedStyle(document.body).backgroundColor === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : getComputedStyle(document.body).backgroundColor],
    };
  });
  for (const [what, [fg, bg]] of Object.entries(colors)) {
    assert.ok(contrast(fg, bg) >= 3, `${what}: ${fg} on ${bg} is ${contrast(fg, bg).toFixed(2)}:1`);
  }
  // Tab from the last control reaches the picture's first node; Enter goes to its card.
  await page.focus('#copy');
  let label = '';
  for (let i = 0; i < 40 && !label.includes('go to its card'); i++) {
    await page.keyboard.press('Tab');
    label = await page.evaluate(() => document.getElementById('report').shadowRoot.activeElement?.getAttribute('aria-label') ?? '');
  }
  const cluster = label.match(/^(module\.k8s\["[\w-]+"\]) .*writes to .*go to its card$/)?.[1];
  assert.ok(cluster, label);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.activeElement?.classList.contains('card'));
  assert.equal(await page.evaluate(() => document.getElementById('report').shadowRoot.activeElement.dataset.cluster), cluster);
  await page.close();
});

/** A report of `n` clusters, the last `shared` pairs of them on shared locations (as EB201 says). */
function syntheticReport(n, shared) {
  const clusters = [];
  const findings = [];
  for (let i = 0; i < n; i++) {
    const pair = i >= n - 2 * shared;
    const folder = pair ? `zz-shared-${Math.floor((i - (n - 2 * shared)) / 2)}` : `c${String(i).padStart(3, '0')}`;
    const address = `module.k8s["c${String(i).padStart(3, '0')}"]`;
    clusters.push({ address, plan: 'fleet.json', action: 'update', backup: 'configured', location: { service: 'aws', bucket: 'fleet-etcd', folder }, restore: false, token: { status: 'unchanged' }, keys: {} });
    if (pair) findings.push({ rule: 'EB201', name: 'shared-backup-location', severity: 'deny', cluster: address, plan: 'fleet.json', message: `${address}: shared`, remediation: 'give every cluster its own s3-folder' });
  }
  return { summary: { plans: 1, clusters: n, deny: findings.length, warn: 0, verdict: 'fail' }, findings, clusters };
}

test('300 clusters: the shared locations and failing clusters come first, each a way to its card, and a failing-only filter', async () => {
  const { page } = await openViewer('', { width: 1280, height: 900 });
  await page.evaluate((r) => { document.getElementById('report').report = r; }, syntheticReport(300, 12));
  const layout = await page.evaluate(() => {
    const root = document.getElementById('report').shadowRoot;
    const top = (sel) => root.querySelector(sel)?.getBoundingClientRect().top;
    return { triage: top('.triage'), fleet: top('svg.fleet'), firstConflict: root.querySelector('.conflicts li')?.getBoundingClientRect().bottom, conflicts: root.querySelectorAll('.conflicts li').length, failing: root.querySelectorAll('.triage ul.failing li').length };
  });
  assert.ok(layout.triage < layout.fleet, `the lists (${layout.triage}) are above the picture (${layout.fleet})`);
  assert.ok(layout.firstConflict < 900, `the first shared location is on the first screen (${layout.firstConflict})`);
  assert.equal(layout.conflicts, 12);
  assert.equal(layout.failing, 24);
  // Locations next to their clusters: every edge of a shared location is (nearly) level.
  const slopes = await page.evaluate(() => [...document.getElementById('report').shadowRoot.querySelectorAll('path.edge.conflict')].map((p) => {
    const n = p.getAttribute('d').match(/-?\d+(\.\d+)?/g).map(Number);
    return Math.abs(n[n.length - 1] - n[1]);
  }));
  assert.ok(Math.max(...slopes) <= 26, `edges span ${Math.max(...slopes)} units at most`);
  await page.evaluate(() => document.getElementById('report').shadowRoot.querySelector('.conflicts button').click());
  assert.equal(await page.evaluate(() => document.getElementById('report').shadowRoot.activeElement?.dataset.cluster), 'module.k8s["c276"]');
  await page.evaluate(() => document.getElementById('report').shadowRoot.querySelector('input.only-failing').click());
  const visible = await page.evaluate(() => {
    const cards = [...document.getElementById('report').shadowRoot.querySelectorAll('.card')];
    return { shown: cards.filter((c) => getComputedStyle(c).display !== 'none').length, failing: cards.filter((c) => c.classList.contains('failing')).length, body: document.getElementById('report').shadowRoot.querySelector('.body').className };
  });
  assert.deepEqual(visible, { shown: 24, failing: 24, body: 'body only-failing' });
  await page.close();
});

test('layout: no sideways page scroll with two plans, no mid-word breaks, readable picture text on a phone, nested folders shown inside their parent', async () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const { page } = await openViewer('?plan=/fixtures/fleet-nested/plan.json&plan=/fixtures/rules-fire/plan.json', viewport);
    await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length > 5);
    const m = await page.evaluate(() => {
      const root = document.getElementById('report').shadowRoot;
      const fleet = root.querySelector('svg.fleet');
      const text = fleet.querySelector('text');
      return {
        overflow: document.documentElement.scrollWidth - innerWidth,
        cardsOverflow: [...root.querySelectorAll('.card')].filter((c) => c.scrollWidth > c.clientWidth + 1).length,
        wordBreak: getComputedStyle(root.querySelector('dd')).wordBreak,
        textPx: parseFloat(getComputedStyle(text).fontSize) * fleet.getBoundingClientRect().width / 900,
        locations: [...fleet.querySelectorAll('text[data-location]')].map((t) => [t.dataset.location, t.firstChild.textContent, Number(t.getAttribute('x'))]),
      };
    });
    assert.ok(m.overflow <= 0, `${viewport.width}: the page scrolls sideways by ${m.overflow}px`);
    assert.equal(m.cardsOverflow, 0, 'no text overflows its card');
    assert.notEqual(m.wordBreak, 'break-all');
    assert.ok(m.textPx >= 11.9, `${viewport.width}: picture text is ${m.textPx.toFixed(1)}px`);
    const root = m.locations.find(([k]) => k.endsWith('/'));
    if (root) assert.match(root[1], /\(bucket root\)$/, 'the bucket root is named as on the cards');
    const nested = m.locations.find(([, label]) => label.startsWith('└ '));
    assert.ok(nested, 'a nested folder is drawn inside its parent');
    assert.ok(nested[2] > m.locations[0][2]);
    await page.screenshot({ path: join(artifacts, `viewer-two-plans-${viewport.width}.png`), fullPage: true });
    await page.close();
  }
});

/** Starts (or restarts) collecting the page's long tasks (over 50 ms, as Chromium reports them). */
const watchLongTasks = (page) => page.evaluate(() => {
  window.longTasks = [];
  window.longTaskObserver ??= new PerformanceObserver((l) => window.longTasks.push(...l.getEntries().filter((e) => e.startTime >= (window.watchFrom ?? 0)).map((e) => Math.round(e.duration))));
  window.longTaskObserver.observe({ type: 'longtask' });
});

test('10 000 clusters: the page renders them without a freeze over 250 ms, and a big plan is read off the page\'s thread', async () => {
  const { page, errors } = await openViewer('', { width: 1280, height: 900 });
  await watchLongTasks(page);
  const start = Date.now();
  await page.evaluate((r) => { document.getElementById('report').report = r; }, syntheticReport(10000, 100));
  await page.waitForFunction(() => document.getElementById('report').shadowRoot.querySelectorAll('.card').length === 10000, null, { timeout: 120000 });
  const rendered = Date.now() - start;
  // A click while the cards are drawn is answered, and the picture has only what needs a look.
  const picture = await page.evaluate(() => document.getElementById('report').shadowRoot.querySelectorAll('svg.fleet a').length);
  assert.equal(picture, 200);
  let tasks = await page.evaluate(() => window.longTasks);
  assert.ok(Math.max(0, ...tasks) < 250, `longest task ${Math.max(...tasks)} ms (all: ${tasks.join(', ')}; ${rendered} ms in all)`);
  // A 40 MB plan: the page's thread only hands it over.
  const dir = mkdtempSync(join(tmpdir(), 'ebp-viewer-'));
  const big = join(dir, 'big.json');
  const rc = (i) => `{"address":"terraform_data.n[${i}]","mode":"managed","type":"terraform_data","name":"n","index":${i},"change":{"actions":["create"],"before":null,"after":{"input":"${'x'.repeat(500)}"},"after_unknown":{"id":true}}}`;
  writeFileSync(big, `{"format_version":"1.2","terraform_version":"1.11.4","resource_changes":[${Array.from({ length: 70000 }, (_, i) => rc(i)).join(',')}],"configuration":{"root_module":{}}}`);
  // Handing the file to the page is the test driver's work (in the page's thread): watched from
  // the moment the page has it. Its report replaces the 10 000 clusters' one.
  // (Entries reach an observer later than their task: the driver's one is told by its start.)
  await page.evaluate(() => document.getElementById('files').addEventListener('change', () => {
    window.watchFrom = performance.now();
    window.longTasks = [];
  }, { capture: true, once: true }));
  await page.setInputFiles('#files', [big]);
  await page.waitForFunction(() => /NOTHING CHECKED/.test(document.getElementById('verdict').textContent), null, { timeout: 120000 });
  tasks = await page.evaluate(() => window.longTasks);
  assert.ok(Math.max(0, ...tasks) < 250, `longest task while reading the plan: ${Math.max(...tasks)} ms (all: ${tasks.join(', ')})`);
  assert.deepEqual(errors, []);
  await page.close();
});
