#!/usr/bin/env node
// etcd-backup-policy command line (SPEC §6). Exit codes follow conftest: 0 passed, 1 the policy
// failed, 2 the input or the command line is wrong (one line on stderr, never a stack trace).
import './cli-tier.js';
import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { isConfigFile, isSkippedDir, MANIFEST } from './config-files.js';

const USAGE = `usage:
  etcd-backup-policy [check] PLAN.json... [--config DIR]... [--workspace NAME]... [--data FILE]...
                     [--format F] [--stack NAME] [--output FILE] [--fail-on deny|warn|never] [--rule ID=deny|warn|off]...
                     [--source-root DIR] [--rule-docs-url URL]
  etcd-backup-policy fingerprint PLAN.json... [--config DIR] [--merge baseline.json] > baseline.json
  etcd-backup-policy inventory PLAN.json... --stack NAME [--merge inventory.json] > inventory.json
  etcd-backup-policy rules
  etcd-backup-policy profiles [--data FILE]... [--format text|json]
  etcd-backup-policy explain RULE | explain profiles
  etcd-backup-policy --help | --version

PLAN.json is \`terraform show -json PLANFILE\` output (or a Spacelift plan-policy input); - reads stdin.
fingerprint and inventory also read a state: \`terraform show -json\` without a plan file.
--stack NAME names the current stack: an inventory entry is this very cluster only when its stack
and address both match (EB203); a Spacelift-wrapped plan names its own stack.
--config DIR reads the root module's .tf and .tf.json files, those of the local modules under it
and those terraform init downloaded (.terraform/modules), and evaluates them per module instance
as Terraform does: what the plan JSON loses (a first create of the module). Give it once per plan,
in the order of the plans; a configuration that contradicts its plan is exit 2. The other files of
DIR (up to 1 MiB each) are what file() and templatefile() read; a path outside DIR is exit 2.
--workspace NAME is the workspace the plan was made in (terraform.workspace; plan JSON does not
record it): once for all plans or once per plan; default $TF_WORKSPACE. Without it a value that
uses terraform.workspace is unknown, never "default" by guess. Atlantis: --workspace "$WORKSPACE".
--source-root DIR is the repository root (default: the current directory): SARIF results and GitHub
annotations name the .tf files by their path in it. With --format github, $GITHUB_STEP_SUMMARY (when
set) gets the Markdown report. --rule-docs-url URL is where docs/rules/ of this package is published
(e.g. https://github.com/ORG/etcd-backup-policy/blob/v0.1.0/docs/rules): SARIF rules link URL/ID.md.
Example, from the Terraform directory:
  terraform show -json plan.out > plan.json && etcd-backup-policy check plan.json --config .
Formats: text (default), json, opa, sarif, junit, github, markdown, atlantis.
--format atlantis is for Atlantis's custom policy check (custom_policy_check: true): the output
starts with FAIL exactly when the gate fails (per --fail-on), names the rule IDs, and the exit code
is always 0, also when the plan cannot be checked (then the output is a FAIL line with the reason):
Atlantis may drop the output of a step that exits non-zero, which would pass the plan unchecked.
Exit codes: 0 passed, 1 the policy failed, 2 bad input or command line.`;

class UsageError extends Error {}

// Exit codes are set, never forced with process.exit: a forced exit can cut piped stdout short
// (Node writes to pipes asynchronously), and a gate must read the whole report.
function fail(message) {
  // Only the first line: engine messages are one line already, anything else is cut to one.
  process.stderr.write(`etcd-backup-policy: ${String(message).split('\n')[0]}\n`);
  process.exitCode = 2;
}

const COMMANDS = ['check', 'fingerprint', 'inventory', 'rules', 'profiles', 'explain'];

// node:util parseArgs (Node >= 18.3): `--flag value`, `--flag=value`, repeatable flags, and `-`
// as a positional (stdin).
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  data: { type: 'string', multiple: true, default: [] },
  merge: { type: 'string' },
  config: { type: 'string', multiple: true, default: [] },
  workspace: { type: 'string', multiple: true, default: [] },
  stack: { type: 'string' },
  'source-root': { type: 'string', default: '.' },
  format: { type: 'string', short: 'f', default: 'text' },
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string', default: 'deny' },
  'rule-docs-url': { type: 'string' },
  rule: { type: 'string', multiple: true, default: [] },
};

function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // Node's messages name the option; keep the first sentence, never a stack trace.
    throw new UsageError(String(e.message).split('. ')[0].replace(/^Option '/, "option '"));
  }
  const { values: v, positionals } = parsed;
  const a = {
    command: 'check',
    plans: [...positionals],
    data: v.data,
    format: v.format,
    output: v.output ?? null,
    failOn: v['fail-on'],
    rules: {},
    merge: v.merge ?? null,
    configs: v.config,
    // Terraform itself takes the workspace from TF_WORKSPACE when it is set.
    workspaces: v.workspace.length > 0 ? v.workspace : process.env.TF_WORKSPACE ? [process.env.TF_WORKSPACE] : [],
    stack: v.stack ?? null,
    sourceRoot: v['source-root'],
    ruleDocsUrl: v['rule-docs-url'] ?? null,
  };
  if (COMMANDS.includes(a.plans[0])) a.command = a.plans.shift();
  if (v.help) a.command = 'help';
  else if (v.version) a.command = 'version';
  if (!['deny', 'warn', 'never'].includes(a.failOn)) throw new UsageError('--fail-on takes deny, warn or never');
  for (const spec of v.rule) {
    const m = /^([A-Za-z0-9-]+)=(deny|warn|off)$/.exec(spec);
    if (!m) throw new UsageError('--rule takes ID=deny|warn|off, e.g. --rule EB108=deny');
    a.rules[m[1].toUpperCase()] = m[2];
  }
  return a;
}

// Enough for a monorepo's modules; a DIR beyond it is almost certainly not a root module.
const MAX_CONFIG_FILES = 5000;
// The other files of DIR are what file() and templatefile() read: text up to 1 MiB each, 32 MiB in
// all. A larger or binary file, or one past the total, is passed as null (it exists, its content is
// unknown), so fileexists() stays right and file() of it is unknown, never empty.
const MAX_OTHER_FILE = 1 << 20;
const MAX_OTHER_TOTAL = 32 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });


/**
 * The `.tf` files of DIR and of its subdirectories (the local modules it calls), as
 * `{relative/path.tf: text}`. Hidden directories (.terraform, .git) and node_modules are skipped,
 * symlinks are not followed. When `terraform init` has run in DIR, its module manifest and the
 * `.tf` files of the modules it lists elsewhere (downloaded into .terraform/modules, or local
 * paths outside DIR) are read too.
 */
function readConfig(dir) {
  const files = {};
  let count = 0;
  let otherBytes = 0;
  const add = (path) => {
    if (++count > MAX_CONFIG_FILES) throw new UsageError(`--config directory ${dir} holds more than ${MAX_CONFIG_FILES} .tf files: point it at the root module`);
    files[path] = readFileSync(join(dir, path), 'utf8');
  };
  const addOther = (path) => {
    let text = null;
    try {
      const size = statSync(join(dir, path)).size;
      if (size <= MAX_OTHER_FILE && otherBytes + size <= MAX_OTHER_TOTAL) {
        text = utf8.decode(readFileSync(join(dir, path)));
        otherBytes += size;
      }
    } catch {
      text = null; // unreadable or not UTF-8 (Terraform's file() refuses it too): unknown
    }
    files[path] = text;
  };
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      throw new UsageError(`cannot read --config directory ${join(dir, rel)}: ${e.code ?? 'error'}`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!isSkippedDir(e.name)) walk(path);
      } else if (e.isFile() && isConfigFile(e.name)) {
        add(path);
      } else if (e.isFile()) {
        addOther(path);
      }
    }
  };
  walk('');
  let manifest = null;
  try {
    files[MANIFEST] = readFileSync(join(dir, MANIFEST), 'utf8');
    manifest = JSON.parse(files[MANIFEST]);
  } catch {
    // No `terraform init` here, or a manifest the engine will report as unreadable.
  }
  for (const m of Array.isArray(manifest?.Modules) ? manifest.Modules : []) {
    const rel = typeof m?.Dir === 'string' ? posix.normalize(m.Dir.replaceAll('\\', '/')) : null;
    if (!rel || !(rel.startsWith('.terraform/') || rel.startsWith('../'))) continue; // the walk has the rest
    let names = [];
    try {
      names = readdirSync(join(dir, rel), { withFileTypes: true }).filter((e) => e.isFile() && isConfigFile(e.name)).map((e) => e.name).sort();
    } catch {
      continue; // listed but gone: its blocks are simply not known
    }
    for (const n of names) if (!(`${rel}/${n}` in files)) add(`${rel}/${n}`);
  }
  if (!Object.keys(files).some((p) => !p.includes('/') && isConfigFile(p))) throw new UsageError(`--config directory ${dir} has no .tf or .tf.json files`);
  return files;
}

/**
 * A plan argument: a regular file goes straight into the engine's memory (no JS copy of a 100 MB
 * plan); stdin and pipes (`<(terraform show -json plan.out)`, whose size is unknown) are read whole.
 */
function readPlan(api, path) {
  if (path === '-') return readInput(path, 'plan');
  let regular;
  try {
    regular = statSync(path).isFile();
  } catch (e) {
    throw new UsageError(`cannot read plan ${path}: ${e.code ?? 'error'}`);
  }
  return regular ? api.planFile(path) : readInput(path, 'plan');
}

function readInput(path, what) {
  try {
    return path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${e.code ?? 'error'}`);
  }
}

async function main() {
  let args;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (e) {
    throw new UsageError(`${e.message} (see --help)`);
  }
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    const pkg = createRequire(import.meta.url)('./package.json');
    process.stdout.write(`${pkg.name} ${pkg.version}\n`);
    return 0;
  }
  const api = await import('./index.js');
  if (args.command === 'rules') {
    for (const r of api.rules()) process.stdout.write(`${r.id}  ${r.name.padEnd(30)} ${r.severity.padEnd(5)} ${r.summary}\n`);
    return 0;
  }
  if (args.command === 'profiles') {
    // The module profiles clusters are read through: --data's own first, then the built-in ones.
    if (!['text', 'json'].includes(args.format)) throw new UsageError('profiles takes --format text or json');
    const data = args.data.map((f) => {
      try {
        return JSON.parse(readInput(f, 'data file').toString('utf8'));
      } catch (e) {
        if (e instanceof UsageError) throw e;
        throw new UsageError(`data file ${f} is not valid JSON`);
      }
    });
    const list = api.profiles({ data });
    if (args.format === 'json') {
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    for (const p of list) {
      process.stdout.write(`${p.name.padEnd(20)} ${p.distribution.padEnd(5)} ${p.builtin ? 'built-in' : 'data    '} ${p.module}\n`);
      process.stdout.write(`${' '.repeat(21)}inputs: ${p.inputs.join(', ')}; token: ${p.token ?? 'made by the module'}; restore: ${p.restore}; ${p.rendered}\n`);
    }
    process.stdout.write('A module no profile reads fails the gate (EB004): `etcd-backup-policy explain profiles` tells how to declare one.\n');
    return 0;
  }
  if (args.command === 'explain') {
    if (args.plans.length !== 1) throw new UsageError('explain takes one rule ID, e.g. explain EB101 (or explain profiles)');
    process.stdout.write(api.explain(args.plans[0]));
    return 0;
  }
  if (args.plans.length === 0) throw new UsageError('no plan given (see --help)');
  if (args.plans.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const readJson = (f, what) => {
    const text = readInput(f, what).toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      throw new UsageError(`${what} ${f} is not valid JSON`);
    }
  };
  const plans = args.plans.map((p) => readPlan(api, p));
  const names = args.plans.map((p) => (p === '-' ? '(stdin)' : p));
  if (args.configs.length > 0 && args.configs.length !== args.plans.length) throw new UsageError(`${args.configs.length} --config for ${args.plans.length} plan(s): give one per plan, in the same order`);
  if (args.workspaces.length > 1 && args.workspaces.length !== args.plans.length) throw new UsageError(`${args.workspaces.length} --workspace for ${args.plans.length} plan(s): give one for all plans or one per plan`);
  const config = args.configs.length === 0 ? null : args.configs.map(readConfig);
  const workspace = args.workspaces.length === 0 ? null : args.workspaces;
  // Runs the engine; a configuration that does not belong to its plan names its directory too.
  const engine = (run) => {
    try {
      return run();
    } catch (e) {
      if (e?.code === 'EBP_CONFIG') {
        const i = names.findIndex((n) => e.message.startsWith(`${n}:`));
        if (i >= 0 && i < args.configs.length) e.message = `${e.message} (--config ${args.configs[i]})`;
      }
      throw e;
    }
  };
  if (args.command === 'fingerprint' || args.command === 'inventory') {
    const merge = args.merge === null ? null : readJson(args.merge, args.command === 'inventory' ? 'inventory' : 'baseline');
    const doc = engine(() => api[args.command](plans, { names, merge, config, stack: args.stack, workspace }));
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (args.output !== null) writeFileSync(args.output, text);
    else process.stdout.write(text);
    return 0;
  }
  const data = args.data.map((f) => readJson(f, 'data file'));
  const toFile = args.output !== null;
  const color = !toFile && args.format === 'text' && process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  // Each configuration directory as a repository path, for SARIF and annotations.
  const sourceRoots = args.configs.map((d) => relative(resolve(args.sourceRoot), resolve(d)).split(sep).join('/'));
  const options = { data, rules: args.rules, names, color, config, stack: args.stack, workspace, sourceRoots, failOn: args.failOn, ruleDocsUrl: args.ruleDocsUrl };
  const { text, summary } = engine(() => api.check(plans, options, args.format));
  if (args.format === 'github' && process.env.GITHUB_STEP_SUMMARY) {
    // GitHub shows 10 annotations per type: the job summary lists every finding.
    appendFileSync(process.env.GITHUB_STEP_SUMMARY, api.render(plans, options, 'markdown'));
  }
  if (toFile) writeFileSync(args.output, text);
  else process.stdout.write(text);
  if (args.failOn === 'never' || args.format === 'atlantis') return 0;
  if (summary.deny > 0) return 1;
  if (args.failOn === 'warn' && summary.warn > 0) return 1;
  return 0;
}

/** `--format atlantis` anywhere on the command line (even one that does not parse). */
function atlantisFormat(argv) {
  return argv.some((a, i) => a === '--format=atlantis' || a === '-f=atlantis' || ((a === '--format' || a === '-f') && argv[i + 1] === 'atlantis'));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    const message = e instanceof Error ? e.message : e;
    fail(message);
    if (atlantisFormat(process.argv.slice(2))) {
      // Atlantis reads only the output: an error must read as a failure there, with exit 0.
      process.stdout.write(`FAIL - etcd-backup-policy: the plan could not be checked: ${String(message).split('\n')[0]}\n`);
      process.exitCode = 0;
    }
  },
);
