// The npm package as a user gets it: `npm pack`, installed into an empty project, then `import`,
// `require`, `npx`, the TypeScript types, every output format, and the OPA adapter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import { XMLParser } from 'fast-xml-parser';
import esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');
const fixtures = join(pkgDir, '..', 'tests', 'fixtures');
const plan = (c) => join(fixtures, c, 'plan.json');
const secrets = readFileSync(join(fixtures, 'secrets.txt'), 'utf8').split('\n').filter(Boolean);
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let project;
let tarball;

before(() => {
  project = mkdtempSync(join(tmpdir(), 'ebp-consumer-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', project], { cwd: pkgDir, env: npmEnv, encoding: 'utf8' }));
  tarball = join(project, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const f of ['pkg/etcd_backup_policy_bg.wasm', 'pkg-config/etcd_backup_policy_bg.wasm', 'dist/policy.wasm', 'dist/bundle.tar.gz', 'dist/index.d.cts', 'dist/opa.d.cts',
    'README.md', 'LICENSE', 'policies/conftest/etcd_backup.rego', 'policies/atlantis/repos.yaml', 'policies/atlantis/Dockerfile']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('node_modules/')), files.join(' '));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-package-lock', tarball], { cwd: project, env: npmEnv, stdio: 'pipe' });
});

after(() => rmSync(project, { recursive: true, force: true }));

function node(args, opts = {}) {
  return spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...opts });
}

test('the package declares no install scripts and no runtime dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'etcd-backup-policy', 'package.json'), 'utf8'));
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(pkg.scripts?.[s], undefined, s);
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.engines.node, '>=18');
});

test('import (ESM) and require (CommonJS) of the installed tarball', () => {
  const esm = node(['--input-type=module', '-e', `
    import { evaluate, rules } from 'etcd-backup-policy';
    import { loadPolicy } from 'etcd-backup-policy/opa';
    import { readFileSync } from 'node:fs';
    const r = evaluate(readFileSync(${JSON.stringify(plan('missing-bucket'))}));
    const p = await loadPolicy();
    console.log(r.findings[0].rule, rules().length > 20, p.evaluate(readFileSync(${JSON.stringify(plan('missing-bucket'))}, 'utf8'))[0].result.length);
  `]);
  assert.equal(esm.status, 0, esm.stderr);
  assert.equal(esm.stdout.trim(), 'EB101 true 1');
  const cjs = node(['-e', `
    const { evaluate } = require('etcd-backup-policy');
    const { loadPolicySync } = require('etcd-backup-policy/opa');
    const r = evaluate(require('fs').readFileSync(${JSON.stringify(plan('missing-bucket'))}));
    console.log(r.findings[0].rule, loadPolicySync().evaluate(require(${JSON.stringify(plan('missing-bucket'))}), 'etcd_backup/report')[0].result.summary.deny);
  `]);
  assert.equal(cjs.status, 0, cjs.stderr);
  assert.equal(cjs.stdout.trim(), 'EB101 1');
});

test('npx etcd-backup-policy runs the installed CLI', () => {
  const r = spawnSync('npx', ['--offline', '--no-install', 'etcd-backup-policy', '--version'], { cwd: project, encoding: 'utf8', env: npmEnv });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^etcd-backup-policy 0\.1\.0$/m);
  const check = spawnSync('npx', ['--offline', '--no-install', 'etcd-backup-policy', 'check', plan('missing-bucket')], { cwd: project, encoding: 'utf8', env: npmEnv });
  assert.equal(check.status, 1);
  assert.match(check.stdout, /EB101/);
});

test('a bundler resolves the browser build: no Node built-ins, the .wasm as an asset', () => {
  // esbuild stands in for any bundler honouring the "browser" export condition.
  writeFileSync(join(project, 'app.js'), "import { evaluate } from 'etcd-backup-policy';\nimport { loadPolicy } from 'etcd-backup-policy/opa';\nimport 'etcd-backup-policy/viewer';\nexport { evaluate, loadPolicy };\n");
  const { metafile: meta } = esbuild.buildSync({
    entryPoints: [join(project, 'app.js')], absWorkingDir: project, bundle: true, format: 'esm', platform: 'browser',
    loader: { '.wasm': 'file' }, outdir: join(project, 'out'), metafile: true, logLevel: 'silent',
  });
  const inputs = Object.keys(meta.inputs);
  assert.ok(inputs.some((i) => i.endsWith('etcd-backup-policy/browser.js')), inputs.join(' '));
  assert.ok(!inputs.some((i) => i.endsWith('etcd-backup-policy/index.js') || i.includes('dist/')), 'the Node build stays out of a browser bundle');
  assert.ok(!readFileSync(join(project, 'out', 'app.js'), 'utf8').includes('node:fs'));
});

test('an esbuild bundle runs with the .wasm copied next to it, as the README says', async () => {
  // esbuild does not follow `new URL('./pkg/…wasm', import.meta.url)`: the README's step copies it.
  writeFileSync(join(project, 'page.js'), "export { evaluate, loadConfigReader } from 'etcd-backup-policy';\n");
  esbuild.buildSync({ entryPoints: [join(project, 'page.js')], absWorkingDir: project, bundle: true, format: 'esm', platform: 'browser', outfile: join(project, 'web', 'page.mjs'), logLevel: 'silent' });
  for (const dir of ['pkg', 'pkg-config']) {
    mkdirSync(join(project, 'web', dir), { recursive: true });
    cpSync(join(project, 'node_modules', 'etcd-backup-policy', dir, 'etcd_backup_policy_bg.wasm'), join(project, 'web', dir, 'etcd_backup_policy_bg.wasm'));
  }
  // A browser's fetch of the asset URL, served from the directory the bundle is in.
  const r = node(['--input-type=module', '-e', `
    import { readFileSync } from 'node:fs';
    import { fileURLToPath, pathToFileURL } from 'node:url';
    const fetched = [];
    globalThis.fetch = async (u) => { fetched.push(String(u).split('/').slice(-2).join('/')); return new Response(readFileSync(fileURLToPath(u)), { headers: { 'content-type': 'application/wasm' } }); };
    const { evaluate, loadConfigReader } = await import(pathToFileURL(${JSON.stringify(join(project, 'web', 'page.mjs'))}));
    console.log(evaluate(readFileSync(${JSON.stringify(plan('missing-bucket'))}, 'utf8')).findings[0].rule);
    console.log(fetched.join(' '));
    // The configuration reader is a second engine: fetched only when asked for.
    const first = readFileSync(${JSON.stringify(plan('first-create-missing-bucket'))}, 'utf8');
    const config = { 'main.tf': readFileSync(${JSON.stringify(join(fixtures, 'first-create-missing-bucket', 'main.tf'))}, 'utf8') };
    try { evaluate(first, { config }); console.log('no error'); } catch (e) { console.log(e.code); }
    await loadConfigReader();
    console.log(fetched.join(' '));
    console.log(evaluate(first, { config }).deny.map((d) => d.slice(-7)).join(' '));
  `]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['EB101', 'pkg/etcd_backup_policy_bg.wasm', 'EBP_USAGE',
    'pkg/etcd_backup_policy_bg.wasm pkg-config/etcd_backup_policy_bg.wasm', '[EB101] [EB110] [EB110]']);
});

// The same usage file type-checks in a CommonJS project (`module: node16`, where an ES-module-only
// .d.ts fails with TS1479) and in an ES module project (`nodenext`), each a fresh directory with
// the package installed from the tarball.
for (const [kind, type, mod] of [['CommonJS', 'commonjs', 'node16'], ['ES module', 'module', 'nodenext']]) {
  test(`TypeScript in a ${kind} project (module: ${mod}) checks with tsc, including opa-wasm compatibility`, () => {
    const dir = join(project, `ts-${type}`);
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `ts-${type}`, version: '1.0.0', private: true, type }));
    execFileSync('npm', ['install', '--offline', '--no-package-lock', tarball], { cwd: dir, env: npmEnv, stdio: 'pipe' });
    // opa-wasm's own types, to compare the adapter against.
    cpSync(join(pkgDir, 'node_modules', '@open-policy-agent'), join(dir, 'node_modules', '@open-policy-agent'), { recursive: true });
    cpSync(join(here, 'types', 'usage.ts'), join(dir, 'usage.ts'));
    const tsconfig = JSON.parse(readFileSync(join(here, 'types', 'tsconfig.json'), 'utf8'));
    tsconfig.compilerOptions.module = mod;
    tsconfig.compilerOptions.moduleResolution = mod;
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(pkgDir, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}

test('etcd-backup-policy/policy.wasm resolves to the OPA-ABI policy and loads in opa-wasm', () => {
  const r = node(['-e', `
    const { loadPolicy } = require(${JSON.stringify(join(pkgDir, 'node_modules', '@open-policy-agent', 'opa-wasm'))});
    const { readFileSync } = require('node:fs');
    const path = require.resolve('etcd-backup-policy/policy.wasm');
    loadPolicy(readFileSync(path)).then((p) => {
      const deny = p.evaluate(JSON.parse(readFileSync(${JSON.stringify(plan('missing-bucket'))})), 'etcd_backup/deny')[0].result;
      console.log(path.endsWith('dist/policy.wasm'), deny.length, deny[0].endsWith('[EB101]'));
    });
  `]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'true 1 true');
});

const FORMATS = ['text', 'json', 'opa', 'sarif', 'junit', 'github', 'markdown'];
const cli = join(pkgDir, 'cli.js');
const runCli = (args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('every format: exit 1 on a failing plan, 0 on a passing one, never a secret', () => {
  for (const format of FORMATS) {
    const failing = runCli([plan('first-create-missing-bucket'), '--config', join(fixtures, 'first-create-missing-bucket'), '--format', format]);
    assert.equal(failing.status, 1, `${format}: ${failing.stderr}`);
    assert.ok(failing.stdout.length > 0);
    const passing = runCli([plan('seed'), '--config', join(fixtures, 'seed'), '--format', format]);
    assert.equal(passing.status, 0, `${format}: ${passing.stderr}`);
    for (const s of secrets) {
      assert.ok(!failing.stdout.includes(s) && !passing.stdout.includes(s), `${format} leaks a fixture secret`);
    }
  }
});

test('SARIF validates against the SARIF 2.1.0 JSON schema', () => {
  const schema = JSON.parse(readFileSync(join(pkgDir, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }).compile(schema);
  assert.ok(!validate({ version: '2.1.0', runs: [{ results: [] }] }), 'the schema really validates (a run needs a tool)');
  for (const c of ['rules-fire', 'seed', 'unrelated']) {
    const sarif = JSON.parse(runCli([plan(c), '--format', 'sarif']).stdout);
    assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 1));
    assert.equal(sarif.version, '2.1.0');
  }
  const sarif = JSON.parse(runCli([plan('rules-fire'), '--format', 'sarif']).stdout);
  const result = sarif.runs[0].results.find((r) => r.ruleId === 'EB107');
  assert.equal(result.level, 'error');
  assert.equal(sarif.runs[0].tool.driver.rules[result.ruleIndex].id, 'EB107');
  assert.match(sarif.runs[0].tool.driver.rules[result.ruleIndex].help.text, /robfig/);
  // helpUri: each rule's published document (docs/rules/ID.md), when the caller says where that is.
  assert.equal(sarif.runs[0].tool.driver.rules[0].helpUri, undefined, 'no made-up URL');
  const docs = 'https://github.com/example/etcd-backup-policy/blob/v0.1.0/docs/rules/';
  const linked = JSON.parse(runCli([plan('rules-fire'), '--format', 'sarif', '--rule-docs-url', docs]).stdout);
  assert.ok(validate(linked), JSON.stringify(validate.errors, null, 1));
  for (const rule of linked.runs[0].tool.driver.rules) {
    assert.equal(rule.helpUri, `${docs}${rule.id}.md`);
    assert.equal(readFileSync(join(pkgDir, '..', 'docs', 'rules', `${rule.id}.md`), 'utf8'), rule.help.markdown);
  }
  const bad = runCli([plan('rules-fire'), '--format', 'sarif', '--rule-docs-url', 'docs/rules']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /rule_docs_url \(--rule-docs-url\) must be an absolute http\(s\) URL/);
});

test('SARIF for code scanning: the .tf line as a repository path, fingerprints that survive moved lines', () => {
  const schema = JSON.parse(readFileSync(join(pkgDir, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }).compile(schema);
  const repo = mkdtempSync(join(tmpdir(), 'ebp-sarif-'));
  const dir = join(repo, 'infra', 'prod');
  mkdirSync(dir, { recursive: true });
  cpSync(join(fixtures, 'first-create-missing-bucket'), dir, { recursive: true });
  const sarifOf = () => JSON.parse(spawnSync(process.execPath, [cli, 'check', join(dir, 'plan.json'), '--config', dir, '--source-root', repo, '--format', 'sarif'], { encoding: 'utf8' }).stdout);
  const before = sarifOf();
  assert.ok(validate(before), JSON.stringify(validate.errors, null, 1));
  const eb110 = before.runs[0].results.find((r) => r.ruleId === 'EB110');
  assert.deepEqual(eb110.locations[0].physicalLocation, { artifactLocation: { uri: 'infra/prod/main.tf', uriBaseId: '%SRCROOT%' }, region: { startLine: 27, startColumn: 21 } });
  const eb101 = before.runs[0].results.find((r) => r.ruleId === 'EB101');
  assert.equal(eb101.locations[0].physicalLocation.region.startLine, 23, 'an absent key points at the etcd_backup argument');
  const rules = before.runs[0].tool.driver.rules;
  assert.ok(rules.every((r) => /^\d+\.\d$/.test(r.properties['security-severity']) && r.properties.tags.length > 0));
  assert.ok(rules.find((r) => r.id === 'EB110').properties.tags.includes('security'));
  // Lines that only move keep every fingerprint.
  writeFileSync(join(dir, 'main.tf'), `# moved\n\n${readFileSync(join(dir, 'main.tf'), 'utf8')}`);
  const after = sarifOf();
  assert.equal(after.runs[0].results.find((r) => r.ruleId === 'EB110').locations[0].physicalLocation.region.startLine, 29);
  assert.deepEqual(after.runs[0].results.map((r) => r.partialFingerprints), before.runs[0].results.map((r) => r.partialFingerprints));
  // Without --config: the plan file and the cluster as a logical location.
  const plain = JSON.parse(runCli([plan('missing-bucket'), '--format', 'sarif']).stdout);
  assert.ok(validate(plain));
  assert.equal(plain.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, plan('missing-bucket'));
  assert.equal(plain.runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName, 'module.k8s');
  rmSync(repo, { recursive: true, force: true });
});

test('GitHub annotations: file, line, col and title; at most 10 per type, the rest in a notice and the job summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebp-gh-'));
  const summary = join(dir, 'summary.md');
  const one = spawnSync(process.execPath, [cli, plan('first-create-missing-bucket'), '--config', join(fixtures, 'first-create-missing-bucket'), '--source-root', fixtures, '--format', 'github'], { encoding: 'utf8' });
  assert.match(one.stdout, /^::error file=first-create-missing-bucket\/main\.tf,line=27,col=21,title=EB110 hardcoded-credential::/m);
  // A fleet of 30 clusters with many findings each.
  const p = JSON.parse(readFileSync(plan('literal'), 'utf8'));
  const call = p.configuration.root_module.module_calls.k8s;
  p.configuration.root_module.module_calls = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, { ...call, expressions: { etcd_backup: { constant_value: { s3: 'true', 's3-folder': '/x/' } } } }]));
  p.resource_changes = [];
  p.planned_values = {};
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(p));
  const r = spawnSync(process.execPath, [cli, join(dir, 'fleet.json'), '--format', 'github'], { encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
  assert.equal(r.status, 1);
  const lines = r.stdout.split('\n');
  assert.equal(lines.filter((l) => l.startsWith('::error ')).length, 10);
  assert.equal(lines.filter((l) => l.startsWith('::warning ')).length, 10);
  const notice = lines.filter((l) => l.startsWith('::notice '));
  assert.equal(notice.length, 1);
  const report = JSON.parse(runCli([join(dir, 'fleet.json'), '--format', 'json']).stdout);
  assert.match(notice[0], new RegExp(`::${report.findings.length - 20} more finding`));
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^### etcd-backup-policy: ❌ failed/);
  assert.equal((md.match(/<details/g) ?? []).length, 30);
  rmSync(dir, { recursive: true, force: true });
});

test('Markdown PR comment: a table per cluster, collapsible findings with file:line, cut to fit a comment', () => {
  const md = runCli([plan('first-create-missing-bucket'), '--config', join(fixtures, 'first-create-missing-bucket'), '--format', 'markdown']).stdout;
  assert.match(md, /\| Cluster \| Action \| Location \| Schedule \| Retention window \| Restore \| Token \| Findings \|/);
  assert.match(md, /\| `module\.k8s` \| create \| incomplete \|.*\| on \| unverified \| ❌ 3, ⚠️ 1 \|/);
  assert.match(md, /<details open><summary><code>module\.k8s<\/code>: 4 finding\(s\)<\/summary>/);
  assert.match(md, /\| ❌ EB110 hardcoded-credential \| `s3-access-key` \| `[^`]*first-create-missing-bucket\/main\.tf:27` \|/);
  // 1 500 clusters: far more than a comment holds.
  const dir = mkdtempSync(join(tmpdir(), 'ebp-md-'));
  const p = JSON.parse(readFileSync(plan('literal'), 'utf8'));
  const call = p.configuration.root_module.module_calls.k8s;
  p.configuration.root_module.module_calls = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, { ...call, expressions: { etcd_backup: { constant_value: { s3: 'true' } } } }]));
  p.resource_changes = [];
  p.planned_values = {};
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(p));
  const big = runCli([join(dir, 'fleet.json'), '--format', 'markdown']).stdout;
  assert.ok(big.length <= 65536, `${big.length} characters`);
  assert.match(big, /> \d+ more finding\(s\) not shown: a comment holds at most 65536 characters/);
  rmSync(dir, { recursive: true, force: true });
});

test('JUnit XML has one failure per deny and parses as XML', () => {
  const r = runCli([plan('rules-fire'), '--format', 'junit']);
  const report = JSON.parse(runCli([plan('rules-fire'), '--format', 'json']).stdout);
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
  const suite = xml.testsuites.testsuite;
  const cases = [suite.testcase].flat();
  assert.equal(cases.filter((c) => c.failure).length, report.summary.deny);
  assert.equal(Number(xml.testsuites.failures), report.summary.deny);
  assert.equal(Number(suite.tests), cases.length);
});

test('GitHub annotations are single workflow-command lines', () => {
  const out = runCli([plan('rules-fire'), '--format', 'github']).stdout.trim().split('\n');
  const commands = out.filter((l) => l.startsWith('::'));
  assert.ok(commands.length > 10);
  for (const l of commands) assert.match(l, /^::(?:(?:error|warning) file=[^,:]+,|notice )title=[^,:]+::[^\n]+$/);
  assert.ok(commands.some((l) => l.includes('%0AFix: ')));
});

test('Markdown is a PR comment with a cluster table and a findings table', () => {
  const md = runCli([plan('fleet-shared'), '--format', 'markdown']).stdout;
  assert.match(md, /^### etcd-backup-policy: ❌ failed/);
  assert.match(md, /\| Cluster \| Action \| Location/);
  assert.match(md, /\| ❌ EB201 shared-backup-location \| `s3-folder` \|/);
  assert.ok(!md.includes('<bucket>'));
});

test('text output is coloured only on a terminal, and never with NO_COLOR', () => {
  const pty = (env) =>
    spawnSync('python3', ['-c', 'import pty, sys; pty.spawn(sys.argv[1:])', process.execPath, cli, plan('missing-bucket')], { encoding: 'utf8', env });
  const base = { ...process.env };
  delete base.NO_COLOR;
  assert.match(pty(base).stdout, /\x1b\[1;31mDENY/);
  assert.doesNotMatch(pty({ ...base, NO_COLOR: '1' }).stdout, /\x1b\[/);
  assert.doesNotMatch(runCli([plan('missing-bucket')]).stdout, /\x1b\[/);
});

test('--help and --version', () => {
  const h = runCli(['--help']);
  assert.equal(h.status, 0);
  for (const word of ['check', 'fingerprint', 'rules', 'explain', '--config', '--data', '--format', '--fail-on', '--rule', '--output']) assert.ok(h.stdout.includes(word), word);
  assert.match(runCli(['--version']).stdout, /^etcd-backup-policy \d+\.\d+\.\d+/);
});
