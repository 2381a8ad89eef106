// The plan-review page: reads dropped, chosen or pasted files locally and evaluates them in WASM.
import { loadConfigReader, render } from '../browser.js';
import './element.js';
import { configPath as configFilePath, isConfigFile, isSkippedDir, MAX_OTHER_FILE, otherPath } from '../config-files.js';

const $ = (id) => document.getElementById(id);
// The page runs: the file:// notice is not needed (index.html shows it only if this never runs).
$('served').remove();

// What is loaded, each in its own slot; the list under the inputs shows them with remove
// buttons. New plans replace the plans before them (a file chosen after a paste does not add to
// it); the directory and the data document replace their own slot.
/**
 * Plans: {name, data}, data a Blob (a chosen, dropped or fetched file) or pasted text. A Blob
 * goes to the worker by reference and is read there: the page's thread never copies a big plan.
 */
let plans = [];
/** The Terraform directory: {name, files: {path: text}} (paths as --config DIR names them). */
let dir = null;
/** `.tf` files chosen or dropped beside plans (no directory): {name: text}. */
let looseConfig = {};
/** The data document (what --data gives the CLI): {name, text}. */
let data = null;
// What the last run evaluated, for "Copy as Markdown".
let last = null;

/** A file chosen with the directory picker, as `--config DIR` names it, or null (config-files.js). */
function configPath(f) {
  // The first part is the chosen directory's own name.
  return configFilePath(f.webkitRelativePath.split('/').slice(1).join('/'));
}

/** Another file of the directory (what file() reads): its text, or null when too large or not text. */
async function otherText(f) {
  if (f.size > MAX_OTHER_FILE) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await f.arrayBuffer());
  } catch {
    return null;
  }
}

/** Chosen or dropped files: plans replace the plans; `.tf` files beside them are their config. */
async function takeFiles(list) {
  const chosen = [...list];
  if (chosen.length === 0) return;
  plans = [];
  looseConfig = {};
  for (const f of chosen) {
    if (isConfigFile(f.name)) looseConfig[f.name] = await f.text();
    else plans.push({ name: f.name, data: f });
  }
  $('paste').value = '';
}

function renderLoaded() {
  const items = [];
  const item = (label, remove) => {
    const li = document.createElement('li');
    li.textContent = label;
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = '×';
    b.setAttribute('aria-label', `remove ${label}`);
    b.addEventListener('click', () => {
      remove();
      run();
    });
    li.append(b);
    items.push(li);
  };
  plans.forEach((p, i) => item(`plan: ${p.name}`, () => plans.splice(i, 1)));
  for (const name of Object.keys(looseConfig)) item(`configuration file: ${name}`, () => delete looseConfig[name]);
  if (dir) item(`Terraform directory: ${dir.name} (${Object.keys(dir.files).length} files)`, () => (dir = null));
  if (data) item(`data document: ${data.name}`, () => (data = null));
  $('loaded').replaceChildren(...items);
}

/** Shows a report (or none) and announces its verdict. */
function show(report) {
  $('report').report = report;
  $('verdict').textContent = report ? $('report').verdictText : '';
  last = report ? last : null;
  $('copy').disabled = !report;
}

// Evaluations run in a worker (worker.js): the page keeps answering while a big plan is read.
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const workerReady = new Promise((resolve) => worker.addEventListener('message', (e) => e.data.ready && resolve(), { once: true }));
let runs = 0;
/** The worker's answer for these plans: {report, bad, good, options} or {error}. */
async function evaluateInWorker(plans, options) {
  await workerReady;
  const id = ++runs;
  return new Promise((resolve) => {
    const listen = (e) => {
      if (e.data.id !== id) return;
      worker.removeEventListener('message', listen);
      resolve(e.data);
    };
    worker.addEventListener('message', listen);
    worker.postMessage({ id, plans, options });
  });
}

async function run() {
  renderLoaded();
  $('error').textContent = '';
  const config = { ...(dir?.files ?? {}), ...looseConfig };
  if (plans.length === 0) {
    show(null);
    return;
  }
  const sent = plans.map((p) => p.data);
  const names = plans.map((p) => p.name);
  // The Terraform directory is the first plan's configuration; the others are checked without one
  // (one configuration per plan: the engine refuses a single one for several plans).
  const options = { names, config: Object.keys(config).length ? plans.map((_, i) => (i === 0 ? config : null)) : undefined };
  try {
    if (data) {
      try {
        options.data = JSON.parse(data.text);
      } catch {
        throw new Error(`data document ${data.name} is not valid JSON`);
      }
    }
    $('status').textContent = 'checking…';
    const id = runs + 1;
    const answer = await evaluateInWorker(sent, options);
    // A later run has started meanwhile: its answer is the one to show.
    if (id !== runs) return;
    $('status').textContent = '';
    if (answer.error) throw new Error(answer.error);
    last = { plans: answer.good.map((i) => sent[i]), options: answer.options };
    show(answer.report);
    if (answer.bad.length) $('error').textContent = `${answer.bad.join('\n')}\n(the report above is of the other plans)`;
  } catch (e) {
    last = null;
    show(null);
    $('error').textContent = e.message;
  }
}

/** A dropped directory's Terraform files, read like --config DIR (hidden directories skipped). */
async function readDirectory(entry, prefix = '', out = {}) {
  const entries = await new Promise((resolve, reject) => {
    const reader = entry.createReader();
    const all = [];
    const next = () => reader.readEntries((batch) => (batch.length ? (all.push(...batch), next()) : resolve(all)), reject);
    next();
  });
  for (const e of entries) {
    const path = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) {
      if (!isSkippedDir(e.name)) await readDirectory(e, path, out);
    } else if (isConfigFile(e.name)) {
      out[path] = await new Promise((resolve, reject) => e.file((f) => f.text().then(resolve, reject), reject));
    } else {
      out[path] = await new Promise((resolve, reject) => e.file((f) => otherText(f).then(resolve, reject), reject));
    }
  }
  return out;
}

/** `?plan=URL` (repeatable): fetched from this page's own origin only — nothing leaves it. */
async function fetchPlans() {
  const urls = new URLSearchParams(location.search).getAll('plan');
  const fetched = [];
  for (const u of urls) {
    const url = new URL(u, location.href);
    if (url.origin !== location.origin) {
      $('error').textContent = `${u}: only plans from this page's own origin are opened (nothing leaves the browser)`;
      return;
    }
    const res = await fetch(url);
    if (!res.ok) {
      $('error').textContent = `${u}: HTTP ${res.status}`;
      return;
    }
    fetched.push({ name: url.pathname.split('/').pop() || 'plan.json', data: await res.blob() });
  }
  if (fetched.length > 0) {
    plans = fetched;
    await run();
  }
}

$('copy').addEventListener('click', async () => {
  if (!last) return;
  // Rendered here, on a click: the configuration's reader is fetched for it only then.
  if (last.options.config) await loadConfigReader();
  const bytes = await Promise.all(last.plans.map(async (p) => (typeof p === 'string' ? p : new Uint8Array(await p.arrayBuffer()))));
  const md = render(bytes, last.options, 'markdown');
  $('markdown').value = md;
  $('markdown').hidden = false;
  try {
    await navigator.clipboard.writeText(md);
    $('status').textContent = 'copied';
  } catch {
    // No clipboard (permissions, plain http): the text is selected for copying by hand.
    $('markdown').select();
    $('status').textContent = 'select and copy the text below';
  }
});

$('files').addEventListener('change', async (e) => {
  await takeFiles(e.target.files);
  e.target.value = '';
  run();
});
$('data').addEventListener('change', async (e) => {
  const f = e.target.files[0];
  e.target.value = '';
  if (f) data = { name: f.name, text: await f.text() };
  run();
});
$('dir').addEventListener('change', async (e) => {
  const chosen = [...e.target.files];
  e.target.value = '';
  if (chosen.length === 0) return;
  const files = {};
  for (const f of chosen) {
    const rel = f.webkitRelativePath.split('/').slice(1).join('/');
    const path = configPath(f);
    const other = path ? null : otherPath(rel);
    if (path) files[path] = await f.text();
    else if (other) files[other] = await otherText(f);
  }
  dir = { name: chosen[0].webkitRelativePath.split('/')[0] || 'directory', files };
  run();
});
$('check').addEventListener('click', () => {
  // A paste replaces the plans loaded before it.
  const text = $('paste').value;
  if (text.trim()) {
    plans = [{ name: '(pasted)', data: text }];
    looseConfig = {};
  }
  run();
});
$('clear').addEventListener('click', () => {
  plans = [];
  dir = null;
  looseConfig = {};
  data = null;
  $('paste').value = '';
  $('markdown').hidden = true;
  $('status').textContent = '';
  run();
});

// Files may be dropped anywhere on the page.
const root = document.documentElement;
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  root.classList.add('over');
});
document.addEventListener('dragleave', (e) => {
  if (!e.relatedTarget) root.classList.remove('over');
});
document.addEventListener('drop', async (e) => {
  e.preventDefault();
  root.classList.remove('over');
  // Several plans and a Terraform directory may come in one drop.
  const entries = [...(e.dataTransfer.items ?? [])].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  const dirs = entries.filter((x) => x.isDirectory);
  if (dirs.length) {
    const files = {};
    for (const entry of dirs) await readDirectory(entry, '', files);
    dir = { name: dirs.map((d) => d.name).join(', '), files };
  }
  await takeFiles([...e.dataTransfer.files].filter((f) => !dirs.some((x) => x.name === f.name)));
  run();
});
// The WASM is instantiated and every control listens: tests and scripts may drive the page now.
document.documentElement.dataset.ready = 'true';
fetchPlans();
