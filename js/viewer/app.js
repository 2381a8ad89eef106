// The plan-review page: reads dropped, chosen or pasted files locally and evaluates them in WASM.
import { evaluate } from '../browser.js';
import './element.js';

const $ = (id) => document.getElementById(id);
let files = [];
let dirFiles = [];

const MANIFEST = '.terraform/modules/modules.json';

/**
 * A file chosen with the directory picker, as `--config DIR` names it (`platform/main.tf`), or
 * null when `--config` would not read it: hidden directories and node_modules are skipped, except
 * what `terraform init` downloaded into .terraform/modules, with its manifest.
 */
function configPath(f) {
  const parts = f.webkitRelativePath.split('/').slice(1); // the chosen directory's own name
  const path = parts.join('/');
  if (path === MANIFEST) return path;
  const dirs = path.startsWith('.terraform/modules/') ? parts.slice(2, -1) : parts.slice(0, -1);
  const hidden = dirs.some((p) => p.startsWith('.') || p === 'node_modules');
  return !hidden && (f.name.endsWith('.tf') || f.name.endsWith('.tf.json')) ? path : null;
}

async function run() {
  $('error').textContent = '';
  const plans = [];
  const names = [];
  const config = {};
  for (const f of dirFiles) {
    const path = configPath(f);
    if (path) config[path] = await f.text();
  }
  for (const f of files) {
    if (f.name.endsWith('.tf') || f.name.endsWith('.tf.json')) config[f.name] = await f.text();
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
  try {
    $('report').report = evaluate(plans, { names, config: Object.keys(config).length ? config : undefined });
  } catch (e) {
    $('report').report = null;
    $('error').textContent = e.message;
  }
}

$('files').addEventListener('change', (e) => {
  files = [...e.target.files];
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
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  files = [...e.dataTransfer.files];
  run();
});
