// The plan-review page: reads dropped, chosen or pasted files locally and evaluates them in WASM.
import { evaluate, loadConfigReader, render } from '../browser.js';
import './element.js';
import { configPath as configFilePath, isConfigFile, isSkippedDir, MAX_OTHER_FILE, otherPath } from '../config-files.js';

const $ = (id) => document.getElementById(id);
let files = [];
let dirFiles = [];
// The data document (what --data gives the CLI): baseline, inventory, rule overrides, profiles.
let dataFile = null;
// Plans fetched from this page's own origin (`?plan=URL`, repeatable): [name, bytes].
let fetched = [];
// Config files from a dropped directory: {path: text}, paths as --config DIR names them.
let droppedConfig = {};
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

async function run() {
  $('error').textContent = '';
  const plans = [];
  const names = [];
  const config = {};
  for (const f of dirFiles) {
    const path = configPath(f);
    const other = path ? null : otherPath(f.webkitRelativePath.split('/').slice(1).join('/'));
    if (path) config[path] = await f.text();
    else if (other) config[other] = await otherText(f);
  }
  Object.assign(config, droppedConfig);
  for (const [name, bytes] of fetched) {
    plans.push(bytes);
    names.push(name);
  }
  for (const f of files) {
    if (isConfigFile(f.name)) config[f.name] = await f.text();
    else {
      plans.push(new Uint8Array(await f.arrayBuffer()));
      names.push(f.name);
    }
  }
  if ($('paste').value.trim()) {
    plans.push($('paste').value);
    names.push('(pasted)');
  }
  if (plans.length === 0) return;
  // The Terraform directory is the first plan's configuration; the others are checked without one
  // (one configuration per plan: the engine refuses a single one for several plans).
  const options = { names, config: Object.keys(config).length ? plans.map((_, i) => (i === 0 ? config : null)) : undefined };
  try {
    if (dataFile) {
      try {
        options.data = JSON.parse(await dataFile.text());
      } catch {
        throw new Error(`data document ${dataFile.name} is not valid JSON`);
      }
    }
    if (options.config) await loadConfigReader();
    $('report').report = evaluate(plans, options);
    last = { plans, options };
    $('copy').disabled = false;
  } catch (e) {
    $('report').report = null;
    last = null;
    $('copy').disabled = true;
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
    fetched.push([url.pathname.split('/').pop() || 'plan.json', new Uint8Array(await res.arrayBuffer())]);
  }
  if (urls.length > 0) await run();
}

$('copy').addEventListener('click', async () => {
  if (!last) return;
  const md = render(last.plans, last.options, 'markdown');
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

$('files').addEventListener('change', (e) => {
  files = [...e.target.files];
  run();
});
$('data').addEventListener('change', (e) => {
  dataFile = e.target.files[0] ?? null;
  run();
});
$('dir').addEventListener('change', (e) => {
  dirFiles = [...e.target.files];
  run();
});
$('check').addEventListener('click', run);
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  // Several plans and a Terraform directory may come in one drop.
  const entries = [...(e.dataTransfer.items ?? [])].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  droppedConfig = {};
  for (const entry of entries.filter((x) => x.isDirectory)) await readDirectory(entry, '', droppedConfig);
  files = [...e.dataTransfer.files].filter((f) => !entries.some((x) => x.isDirectory && x.name === f.name));
  run();
});
// The WASM is instantiated and every control listens: tests and scripts may drive the page now.
document.documentElement.dataset.ready = 'true';
fetchPlans();
