// The CLI and the API as a user runs them, over the real-Terraform fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, mkdtempSync, writeFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, render, rules, explain, fingerprint, inventory, planFile, PlanSource, profiles } from '../index.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'cli.js');
const fixtures = join(here, '..', '..', 'tests', 'fixtures');
const plan = (c) => join(fixtures, c, 'plan.json');
const secrets = readFileSync(join(fixtures, 'secrets.txt'), 'utf8').split('\n').filter(Boolean);
const cases = readdirSync(fixtures).filter((c) => existsSync(plan(c))).sort();

function run(args, input) {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('seed example passes with exit 0', () => {
  const r = run(['check', plan('seed'), '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  assert.equal(report.summary.deny, 0);
  // Only the reminder that nothing confirms the token of a newly created cluster.
  assert.deepEqual(report.findings.map((f) => f.rule), ['EB303']);
  assert.equal(report.clusters[0].keys['s3-bucket'].value, 'my-etcd-backups');
});

test('missing s3-bucket fails with exit 1 and names the key', () => {
  const r = run([plan('missing-bucket'), '--format', 'json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.out);
  assert.equal(report.findings[0].rule, 'EB101');
  assert.equal(report.findings[0].key, 's3-bucket');
});

test('an unrelated real plan gives no finding and exit 0, and says that nothing was checked', () => {
  const r = run([plan('unrelated')]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^NOTHING CHECKED: no k3s\/RKE2 cluster found: nothing was checked; 1 plan, 0 clusters: 0 deny, 0 warn$/m);
  assert.doesNotMatch(r.out, /^PASS/m);
  for (const format of ['markdown', 'github', 'atlantis', 'junit', 'sarif', 'json']) {
    const f = run([plan('unrelated'), '--format', format]);
    assert.equal(f.code, 0, format);
    assert.match(f.out, /no k3s\/RKE2 cluster found: nothing was checked/, format);
  }
});

test('profiles lists the built-in module profiles and those of --data; explain profiles is the schema', () => {
  const r = run(['profiles']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^zcompute-k8s .*zadarastorage\/terraform-zcompute-k8s$/m);
  assert.match(r.out, /^kube-hetzner .*kube-hetzner\/terraform-hcloud-kube-hetzner$/m);
  const acme = join(fixtures, 'inhouse-k3s', 'profile.json');
  const j = run(['profiles', '--data', acme, '--format', 'json']);
  assert.equal(j.code, 0, j.err);
  const list = JSON.parse(j.out);
  assert.equal(list[0].name, 'acme-k3s');
  assert.equal(list[0].builtin, false);
  assert.ok(list.filter((p) => p.builtin).every((p) => p.sources.length > 0));
  const e = run(['explain', 'profiles']);
  assert.equal(e.code, 0);
  assert.match(e.out, /inputs\[\]\.form/);
  const bad = mkdtempSync(join(tmpdir(), 'ebp-profile-'));
  const doc = JSON.parse(readFileSync(acme, 'utf8'));
  doc.etcd_backup.profiles[0].inputs[0].fields.bucket = 's3-buckt';
  writeFileSync(join(bad, 'data.json'), JSON.stringify(doc));
  const b = run(['profiles', '--data', join(bad, 'data.json')]);
  assert.equal(b.code, 2);
  assert.match(b.err, /did you mean "s3-bucket"/);
  assert.equal(b.err.trim().split('\n').length, 1);
});

test('an in-house module: EB004 without its profile, checked through it with --data (plan alone and --config)', () => {
  const without = run([plan('inhouse-k3s'), '--format', 'json']);
  assert.equal(without.code, 1);
  assert.deepEqual(JSON.parse(without.out).findings.map((f) => f.rule), ['EB004', 'EB004']);
  const acme = join(fixtures, 'inhouse-k3s', 'profile.json');
  for (const extra of [[], ['--config', join(fixtures, 'inhouse-k3s')]]) {
    const r = run([plan('inhouse-k3s'), '--data', acme, '--format', 'json', ...extra]);
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out);
    assert.deepEqual([...new Set(report.findings.map((f) => f.rule))], ['EB201']);
    assert.deepEqual(report.clusters.map((c) => c.profile), ['acme-k3s', 'acme-k3s']);
    assert.ok(report.findings.every((f) => f.profile === 'acme-k3s'));
  }
  // The same through the JS API, with the data document as an object.
  const data = JSON.parse(readFileSync(acme, 'utf8'));
  const report = evaluate(readFileSync(plan('inhouse-k3s')), { data });
  assert.equal(report.clusters[0].location.service, 'minio.acme.internal:9000');
  assert.equal(profiles({ data })[0].name, 'acme-k3s');
});

test('the data document schema in the package accepts the fixtures\' documents and rejects a typo', async () => {
  const { default: Ajv } = await import('ajv');
  const schema = JSON.parse(readFileSync(join(here, '..', 'schema', 'data.schema.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true }).compile(schema);
  const acme = JSON.parse(readFileSync(join(fixtures, 'inhouse-k3s', 'profile.json'), 'utf8'));
  assert.ok(validate(acme), JSON.stringify(validate.errors));
  const baseline = fingerprint(readFileSync(plan('seed')));
  assert.ok(validate(baseline), JSON.stringify(validate.errors));
  // The forms and paths the built-in profiles use (identiops-k3s's, as a user would copy them).
  const withPaths = structuredClone(acme);
  withPaths.etcd_backup.profiles[0].inputs.push(
    { name: 'node_pools', path: '*.cluster_init_action.reset_restore_path', form: 'restore-path' },
    { name: 'servers', path: '*.flags', form: 'flags' },
  );
  assert.ok(validate(withPaths), JSON.stringify(validate.errors));
  assert.equal(profiles({ data: withPaths })[0].inputs.length, 3, 'and the engine reads the same declaration');
  // Every built-in declaration (src/profiles/*.rs), as a user would copy one.
  const dir = join(here, '..', '..', 'src', 'profiles');
  const builtins = readdirSync(dir).filter((f) => f.endsWith('.rs') && f !== 'mod.rs');
  assert.ok(builtins.length >= 7);
  for (const f of builtins) {
    const text = readFileSync(join(dir, f), 'utf8').match(/PROFILE: &str = r#*"([\s\S]*?)"#+;/)[1];
    const doc = { etcd_backup: { profiles: [JSON.parse(text)] } };
    assert.ok(validate(doc), `${f}: ${JSON.stringify(validate.errors)}`);
  }
  const typo = structuredClone(acme);
  typo.etcd_backup.profiles[0].inputs[0].form = 'objekt';
  assert.equal(validate(typo), false);
  const unknown = structuredClone(acme);
  unknown.etcd_backup.profile = [];
  assert.equal(validate(unknown), false);
});

test('a truncated plan on stdin gives exit 2 and one line', () => {
  const text = readFileSync(plan('seed'), 'utf8');
  const r = run(['check', '-'], text.slice(0, text.length / 2));
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /^etcd-backup-policy: \(stdin\): not valid JSON/);
  assert.doesNotMatch(r.err, /at .*\.js/);
});

test('bad command lines and unreadable files give exit 2 and one line', () => {
  for (const args of [['--bogus'], [], ['x.json', '--format'], [plan('seed'), '--format', 'yaml'], ['/nonexistent.json'], [plan('seed'), '--rule', 'EB999=deny'], [plan('seed'), '--fail-on', 'sometimes']]) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

test('plan from stdin works like a file', () => {
  const r = run(['-', '--format', 'json'], readFileSync(plan('missing-bucket')));
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.out).findings[0].plan, '(stdin)');
});

test('--rule, --data and --fail-on change the verdict', () => {
  assert.equal(run([plan('missing-bucket'), '--rule', 'EB101=warn']).code, 0);
  assert.equal(run([plan('missing-bucket'), '--rule', 'EB101=warn', '--fail-on', 'warn']).code, 1);
  assert.equal(run([plan('missing-bucket'), '--fail-on', 'never']).code, 0);
  const dir = mkdtempSync(join(tmpdir(), 'ebp-'));
  const data = join(dir, 'data.json');
  writeFileSync(data, JSON.stringify({ etcd_backup: { rules: { EB101: 'off' } } }));
  const r = run([plan('missing-bucket'), '--data', data, '--format', 'json']);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out).findings.filter((f) => f.rule === 'EB101'), []);
});

test('--output writes the report to a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebp-'));
  const out = join(dir, 'r.json');
  const r = run([plan('missing-bucket'), '--format', 'opa', '--output', out]);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).deny.length, 1);
});

test('no fixture secret in any output of any fixture', () => {
  assert.ok(secrets.length >= 6);
  for (const c of cases) {
    for (const [format, config] of [['text', false], ['json', false], ['opa', false], ['text', true], ['json', true]]) {
      // With --config the .tf files (literal secrets in some) are read as well.
      const r = run([plan(c), '--format', format, ...(config ? ['--config', join(fixtures, c)] : [])]);
      // In any letter case: a location or a key may lower-case what it holds.
      const [out, err] = [r.out.toLowerCase(), r.err.toLowerCase()];
      for (const s of secrets.map((x) => x.toLowerCase())) {
        assert.ok(!out.includes(s) && !err.includes(s), `${c} ${format}${config ? ' --config' : ''} leaks a secret`);
      }
    }
  }
});

test('evaluate takes a string, bytes, an object or several plans', () => {
  const text = readFileSync(plan('missing-bucket'), 'utf8');
  const fromString = evaluate(text);
  assert.equal(fromString.findings[0].rule, 'EB101');
  assert.deepEqual(evaluate(new TextEncoder().encode(text)).findings, fromString.findings);
  assert.deepEqual(evaluate(JSON.parse(text)).findings, fromString.findings);
  const fleet = evaluate([readFileSync(plan('seed')), text], { names: ['a.json', 'b.json'] });
  assert.equal(fleet.summary.plans, 2);
  assert.deepEqual(fleet.findings.filter((f) => f.rule === 'EB101').map((f) => f.plan), ['b.json']);
});

test('engine errors are Errors with a message, not traps', () => {
  assert.throws(() => evaluate('{"format_version": "7.1"}'), (e) => e instanceof Error && /unsupported plan format_version "7.1"/.test(e.message));
  assert.throws(() => evaluate('{'), (e) => e instanceof Error && /not valid JSON/.test(e.message));
  assert.throws(() => evaluate(42), TypeError);
  // The module still works after an error.
  assert.equal(evaluate(readFileSync(plan('seed'))).summary.clusters, 1);
});

test('rules and explain', () => {
  const ids = rules().map((r) => r.id);
  assert.ok(ids.includes('EB101'));
  assert.match(explain('EB101'), /required-key-missing/);
  assert.throws(() => explain('EB999'), /unknown rule/);
  assert.match(render(readFileSync(plan('seed')), {}, 'text'), /PASS/);
});

test('fingerprint writes a baseline that check --data uses: same token passes, another fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebp-'));
  const baseline = join(dir, 'baseline.json');
  const fp = run(['fingerprint', plan('seed'), '--output', baseline]);
  assert.equal(fp.code, 0, fp.err);
  const doc = JSON.parse(readFileSync(baseline, 'utf8'));
  assert.ok(doc.etcd_backup.baseline['aws/my-etcd-backups/cluster-name'].token_sha256.startsWith('sha256:'));
  for (const s of secrets) assert.ok(!readFileSync(baseline, 'utf8').includes(s));
  const same = JSON.parse(run([plan('seed'), '--data', baseline, '--format', 'json']).out);
  assert.deepEqual(same.findings, []);
  assert.equal(same.clusters[0].token.status, 'unchanged');
  const other = run([plan('seed-other-token'), '--data', baseline, '--format', 'json']);
  assert.equal(other.code, 1);
  assert.ok(JSON.parse(other.out).findings.some((f) => f.rule === 'EB301'));
  // --merge keeps what the old baseline had.
  const merged = JSON.parse(run(['fingerprint', plan('for-each'), '--merge', baseline]).out);
  assert.equal(Object.keys(merged.etcd_backup.baseline).length, 3);
});

test('fingerprint from the API', () => {
  const doc = fingerprint(readFileSync(plan('seed')));
  assert.deepEqual(Object.keys(doc.etcd_backup.baseline), ['aws/my-etcd-backups/cluster-name']);
  assert.deepEqual(evaluate(readFileSync(plan('seed')), { data: doc }).findings, []);
});

test('--config resolves a first-create plan: EB002 without it, EB101 with it, no literal secret shown', () => {
  const without = run([plan('first-create-missing-bucket'), '--format', 'json']);
  assert.equal(without.code, 0);
  const w = JSON.parse(without.out);
  // The map is unknown, so restore may happen (unknown counts as on): EB303 reminds of the token.
  assert.deepEqual(w.findings.map((f) => f.rule), ['EB002', 'EB303']);
  assert.match(w.findings[0].message, /--config DIR/);
  const withConfig = run([plan('first-create-missing-bucket'), '--config', join(fixtures, 'first-create-missing-bucket'), '--format', 'json']);
  assert.equal(withConfig.code, 1);
  const r = JSON.parse(withConfig.out);
  assert.ok(r.findings.some((f) => f.rule === 'EB101' && f.key === 's3-bucket'));
  for (const s of secrets) assert.ok(!withConfig.out.includes(s));
  assert.equal(run([plan('seed'), '--config', '/nonexistent-dir']).code, 2);
});

test('--config reads the modules terraform init downloaded, as its manifest lists them', () => {
  const r = run([plan('remote-module'), '--config', join(fixtures, 'remote-module'), '--format', 'json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.out);
  assert.deepEqual(report.findings.filter((f) => f.severity === 'deny').map((f) => [f.rule, f.key]), [['EB101', 's3-region'], ['EB110', 's3-access-key']]);
  assert.equal(report.clusters[0].keys['s3-bucket'].from, '.terraform/modules/platform/main.tf:20');
});

test('--config reads the local modules under DIR, not hidden directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebp-config-'));
  cpSync(join(fixtures, 'local-module'), dir, { recursive: true });
  // A stray module block in .terraform/ (where Terraform keeps downloaded modules) must not count.
  mkdirSync(join(dir, '.terraform', 'platform'), { recursive: true });
  writeFileSync(join(dir, '.terraform', 'platform', 'main.tf'), 'module "k8s" {\n  etcd_backup = { s3 = "false" }\n}\n');
  const r = run([join(dir, 'plan.json'), '--config', dir, '--format', 'json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.out);
  assert.deepEqual(report.findings.filter((f) => f.severity === 'deny').map((f) => [f.rule, f.key]), [['EB101', 's3-endpoint'], ['EB110', 's3-access-key']]);
  assert.equal(report.clusters[0].keys.s3.from, 'platform/main.tf:30');
  for (const s of secrets) assert.ok(!r.out.includes(s));
  rmSync(dir, { recursive: true, force: true });
});

// Fail closed (issue 11): each case as the CLI user sees it.

test('fail closed: unknown restore, renamed clusters and destroy plans give the right exit codes', () => {
  const verdict = (c) => {
    const r = run([plan(c), '--format', 'json']);
    return [r.code, [...new Set(JSON.parse(r.out).findings.filter((f) => f.severity === 'deny').map((f) => f.rule))]];
  };
  assert.deepEqual(verdict('restore-unknown'), [1, ['EB301']]);
  assert.deepEqual(verdict('renamed-cluster'), [1, ['EB301']]);
  assert.deepEqual(verdict('for-each-renamed'), [1, ['EB301']]);
  assert.deepEqual(verdict('renamed-cluster-same-token'), [0, []]);
  assert.deepEqual(verdict('destroy'), [0, []]);
});

test('URL credentials appear in no format, no --output file and no fingerprint, in any letter case', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebp-urls-'));
  const outputs = [];
  for (const format of ['text', 'json', 'opa', 'sarif', 'junit', 'github', 'markdown']) {
    const file = join(dir, `out.${format}`);
    const r = run([plan('url-credentials'), '--format', format, '--output', file]);
    assert.equal(r.code, 1, r.err);
    outputs.push(readFileSync(file, 'utf8'), r.out, r.err);
  }
  outputs.push(run(['fingerprint', plan('url-credentials')]).out, run(['inventory', plan('url-credentials'), '--stack', 's']).out);
  const all = outputs.join('\n').toLowerCase();
  for (const s of secrets) assert.ok(!all.includes(s.toLowerCase()), `leaks ${s.slice(0, 4)}…`);
  assert.match(all, /\(sensitive\)@minio\.example\.com/);
  rmSync(dir, { recursive: true, force: true });
});

test('--stack: an inventory entry of another stack with the same address is denied (EB203)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebp-inv-'));
  const inv = join(dir, 'inventory.json');
  // The inventory command writes the stack's entries; the same stack then passes, another fails.
  const w = run(['inventory', plan('seed'), '--stack', 'prod', '--output', inv]);
  assert.equal(w.code, 0, w.err);
  assert.deepEqual(JSON.parse(readFileSync(inv, 'utf8')).etcd_backup.inventory.map((e) => [e.stack, e.cluster]), [['prod', 'module.k8s']]);
  const eb203 = (...extra) => {
    const r = run([plan('seed'), '--data', inv, '--format', 'json', ...extra]);
    return [r.code, JSON.parse(r.out).findings.filter((f) => f.rule === 'EB203').length];
  };
  assert.deepEqual(eb203('--stack', 'prod'), [0, 0]);
  assert.deepEqual(eb203('--stack', 'staging'), [1, 1]);
  assert.deepEqual(eb203(), [1, 1], 'without --stack no entry is this cluster');
  // --merge keeps other stacks and replaces this one's; a state document works as a plan does.
  const state = join(dir, 'state.json');
  writeFileSync(state, JSON.stringify({ format_version: '1.0', values: JSON.parse(readFileSync(plan('for-each'), 'utf8')).planned_values }));
  const merged = run(['inventory', state, '--stack', 'fleet', '--merge', inv]);
  assert.equal(merged.code, 0, merged.err);
  assert.deepEqual(JSON.parse(merged.out).etcd_backup.inventory.map((e) => [e.stack, e.cluster]), [
    ['fleet', 'module.k8s["prod"]'],
    ['fleet', 'module.k8s["staging"]'],
    ['prod', 'module.k8s'],
  ]);
  const fp = run(['fingerprint', state]);
  assert.equal(Object.keys(JSON.parse(fp.out).etcd_backup.baseline).length, 2);
  assert.equal(run(['inventory', plan('seed')]).code, 2, 'an inventory needs a stack');
  assert.deepEqual(inventory(readFileSync(plan('seed')), { stack: 'prod' }), JSON.parse(readFileSync(inv, 'utf8')));
  rmSync(dir, { recursive: true, force: true });
});

test('a malformed data document is exit 2 naming the key, and a thrown error with a code in JS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebp-data-'));
  const data = join(dir, 'data.json');
  writeFileSync(data, JSON.stringify({ etcd_backup: { baselines: {} } }));
  const r = run([plan('seed'), '--data', data]);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim().split('\n').length, 1);
  assert.match(r.err, /unknown key "baselines"; did you mean "baseline"/);
  assert.throws(() => evaluate(readFileSync(plan('seed')), { data: { etcd_backup: { inventory: [{ bucket: 'b' }] } } }), (e) => e.code === 'EBP_DATA' && /inventory\[0\] has no cluster/.test(e.message));
  assert.throws(() => evaluate('{"format_version": "1.2", "resource_changes": {}}'), (e) => e.code === 'EBP_PLAN');
  rmSync(dir, { recursive: true, force: true });
});

test('an unreadable cluster resource is exit 2 with one line, never a pass', () => {
  const p = JSON.parse(readFileSync(plan('seed'), 'utf8'));
  p.resource_changes.find((rc) => rc.address.includes('launch_configuration')).change.after = 'garbage';
  const r = run(['-', '--format', 'json'], JSON.stringify(p));
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(r.err, /^etcd-backup-policy: \(stdin\): cannot be checked: .*launch_configuration.*`after` has the wrong type[^\n]*\n$/);
});

test('piped output is complete: more than 1 MB through a pipe parses', () => {
  // A fleet of 1500 clusters, each missing most required keys: thousands of findings.
  const p = JSON.parse(readFileSync(plan('literal'), 'utf8'));
  const call = p.configuration.root_module.module_calls.k8s;
  p.configuration.root_module.module_calls = {};
  for (let i = 0; i < 1500; i++) {
    p.configuration.root_module.module_calls[`k${i}`] = { ...call, expressions: { etcd_backup: { constant_value: { s3: 'true' } } } };
  }
  p.resource_changes = [];
  p.planned_values = {};
  const dir = mkdtempSync(join(tmpdir(), 'ebp-pipe-'));
  const file = join(dir, 'fleet.json');
  writeFileSync(file, JSON.stringify(p));
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${cli}" check "${file}" --format json | cat`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.stdout.length > 1 << 20, `only ${r.stdout.length} bytes`);
  const report = JSON.parse(r.stdout);
  assert.equal(report.clusters.length, 1500);
  assert.equal(report.deny.length, report.summary.deny);
  rmSync(dir, { recursive: true, force: true });
});

// --config evaluated per instance and per plan (issue 12).

test('--config once per plan: a for_each fleet is caught on its first create, a .tf.json root reads', () => {
  const r = run([plan('fleet-first-create-collide'), plan('fleet-first-create'), '--config', join(fixtures, 'fleet-first-create-collide'), '--config', join(fixtures, 'fleet-first-create'), '--format', 'json']);
  assert.equal(r.code, 1, r.err);
  const report = JSON.parse(r.out);
  assert.deepEqual(report.findings.filter((f) => f.severity === 'deny').map((f) => [f.rule, f.cluster]), [['EB201', 'module.k8s["alpha"]'], ['EB201', 'module.k8s["beta"]']]);
  assert.equal(report.findings.filter((f) => f.rule === 'EB002').length, 0);
  assert.deepEqual(report.findings[0].source, { file: 'main.tf', line: 39, column: 21 }, 's3-folder = each.value');
  // A directory with only .tf.json files.
  const j = run([plan('tf-json-root'), '--config', join(fixtures, 'tf-json-root'), '--format', 'json']);
  assert.equal(j.code, 0, j.err);
  assert.equal(JSON.parse(j.out).clusters[0].keys['s3-bucket'].from, 'main.tf.json:16');
  // The API takes one configuration per plan too.
  const files = (c) => Object.fromEntries(readdirSync(join(fixtures, c)).filter((f) => f.endsWith('.tf')).map((f) => [f, readFileSync(join(fixtures, c, f), 'utf8')]));
  const api = evaluate([readFileSync(plan('seed')), readFileSync(plan('fleet-first-create-collide'))], { config: [null, files('fleet-first-create-collide')] });
  assert.equal(api.findings.filter((f) => f.rule === 'EB201').length, 2);
});

test('a --config that does not belong to its plan is exit 2 naming the plan and the directory', () => {
  const r = run([plan('for-each'), '--config', join(fixtures, 'fleet-first-create')]);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err.trim().split('\n').length, 1);
  assert.match(r.err, /for-each\/plan\.json: the configuration given for it does not belong to it: .*\(--config .*fleet-first-create\)$/m);
  assert.throws(() => evaluate(readFileSync(plan('for-each')), { config: { 'main.tf': 'module "other" {\n  source = "./x"\n}\n' } }), (e) => e.code === 'EBP_CONFIG');
  const two = run([plan('seed'), '--config', join(fixtures, 'seed'), '--config', join(fixtures, 'seed')]);
  assert.equal(two.code, 2);
  assert.match(two.err, /2 --config for 1 plan/);
});

test('--format atlantis: FAIL first exactly when the gate fails, exit 0 even when the plan cannot be read', () => {
  const failing = run(['check', plan('missing-bucket'), '--format', 'atlantis']);
  assert.equal(failing.code, 0, failing.err);
  assert.match(failing.out, /^FAIL - etcd-backup-policy: .*\(EB101\)/);
  const passing = run(['check', plan('seed'), '--format', 'atlantis']);
  assert.equal(passing.code, 0);
  assert.match(passing.out, /^PASS - /);
  assert.match(run(['check', plan('seed'), '--format', 'atlantis', '--fail-on', 'warn']).out, /^FAIL - .*\(EB303\)/);
  assert.match(run(['check', plan('missing-bucket'), '--format', 'atlantis', '--fail-on', 'never']).out, /^PASS - [^\n]*\nDENY - /);
  for (const args of [['check', join(fixtures, 'nope.json'), '--format', 'atlantis'], ['check', '-', '--format=atlantis'], ['check', plan('seed'), '--bogus', '--format', 'atlantis']]) {
    const r = run(args, '');
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, /^FAIL - etcd-backup-policy: the plan could not be checked: /, args.join(' '));
    assert.equal(r.err.split('\n').filter(Boolean).length, 1);
  }
});

test('a plan from a pipe (process substitution) is read whole, a directory is exit 2', () => {
  // bash's process substitution hands the CLI a /dev/fd path to a pipe, whose size is 0.
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cli}" check <(cat "${plan('missing-bucket')}") --format opa`], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(JSON.parse(r.stdout).deny[0], /\[EB101\]$/);
  const dir = run(['check', fixtures]);
  assert.equal(dir.code, 2);
  assert.equal(dir.err.split('\n').filter(Boolean).length, 1, dir.err);
});

test('the engine without the configuration reader refuses a config instead of checking without it', async () => {
  // index.js routes a call with `config` to pkg-config/; the engine every other call uses must
  // fail closed if it is ever handed one directly.
  const core = await import('../pkg/etcd_backup_policy.js');
  assert.throws(() => new core.Evaluation(JSON.stringify({ config: { 'main.tf': 'module "k8s" {}' } })), (e) => e.code === 'EBP_USAGE' && /configuration reader/.test(e.message));
  assert.doesNotThrow(() => new core.Evaluation(JSON.stringify({ config: null })).free());
  // Through the API the same call is checked with the configuration.
  const first = readFileSync(plan('first-create-missing-bucket'), 'utf8');
  const config = { 'main.tf': readFileSync(join(fixtures, 'first-create-missing-bucket', 'main.tf'), 'utf8') };
  assert.deepEqual(evaluate(first).findings.map((f) => f.rule), ['EB002', 'EB303']);
  assert.deepEqual(evaluate(first, { config }).findings.map((f) => f.rule), ['EB101', 'EB110', 'EB110', 'EB303']);
});

test('both engines give the same outputs for every plan, whatever the order of the keys in its objects', async () => {
  // The CLI and the API use the engine with the configuration reader only when given a `config`:
  // without one, the two must not differ in any output. (serde_json's `preserve_order`, which the
  // reader needs for .tf.json files, is on in both: without it in the other engine, inventories
  // and SARIF came out with their keys sorted.) A plan built by hand, in any key order, is judged
  // as the one Terraform wrote with sorted keys.
  const { engine } = await import('../engines.js');
  const { FORMATS } = await import('../api.js');
  const opts = JSON.stringify({ stack: 'order-test' });
  const outputs = (bindings, text) => {
    const ev = new bindings.Evaluation(opts);
    try {
      ev.addPlan('plan.json', new TextEncoder().encode(text));
      return [ev.reportJson(), ev.fingerprintJson(''), ev.inventoryJson(''), ...FORMATS.map((f) => ev.render(f))];
    } finally {
      ev.free();
    }
  };
  const reversed = (v) => (Array.isArray(v) ? v.map(reversed)
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v);
  for (const c of cases) {
    const text = readFileSync(plan(c), 'utf8');
    const want = outputs(engine(false).bindings, text);
    const shuffled = JSON.stringify(reversed(JSON.parse(text)));
    assert.ok(outputs(engine(true).bindings, text).every((o, i) => o === want[i]), `${c}: the engines differ`);
    assert.ok(outputs(engine(false).bindings, shuffled).every((o, i) => o === want[i]), `${c}: key order changes the outputs`);
    assert.ok(outputs(engine(true).bindings, shuffled).every((o, i) => o === want[i]), `${c}: key order changes the outputs (reader)`);
  }
});

test('a plan read straight into WASM memory is checked like its bytes, and only the bytes written count', () => {
  const path = plan('missing-bucket');
  const bytes = readFileSync(path);
  assert.deepEqual(evaluate(planFile(path), { names: [path] }), evaluate(bytes, { names: [path] }));
  // Room for more than the file (it shrank after stat): the engine reads what was written.
  const roomy = new PlanSource(bytes.length + 4096, (view) => { view.set(bytes); return bytes.length; });
  assert.deepEqual(evaluate(roomy).findings, evaluate(bytes).findings);
  // A read cut short is a truncated plan: an error, never a pass.
  const cut = new PlanSource(bytes.length, (view) => { view.set(bytes.subarray(0, 100)); return 100; });
  assert.throws(() => evaluate(cut), (e) => e.code === 'EBP_PLAN');
});

test('the public API exports no engine plumbing', async () => {
  const api = await import('../index.js');
  for (const internal of ['setEngine', 'setConfigLoader', 'engine', 'setMemory']) assert.ok(!(internal in api), internal);
  assert.equal(typeof api.loadConfigReader, 'function');
});

test('--workspace (or TF_WORKSPACE) names each plan\'s workspace; without it a value that uses it is unknown, never "default"', () => {
  const both = [plan('tf-workspace-east'), plan('tf-workspace-west'), '--config', join(fixtures, 'tf-workspace-east'), '--config', join(fixtures, 'tf-workspace-west'), '--format', 'json'];
  const guessed = run(both);
  assert.equal(guessed.code, 0, guessed.err);
  const g = JSON.parse(guessed.out);
  assert.deepEqual(g.findings.filter((f) => f.rule === 'EB201'), [], 'no false collision in "default"');
  assert.ok(g.findings.filter((f) => f.rule === 'EB002').every((f) => f.message.includes('--workspace')), guessed.out);
  const given = run([...both, '--workspace', 'east', '--workspace', 'west']);
  assert.equal(given.code, 0, given.err);
  assert.deepEqual(JSON.parse(given.out).clusters.map((c) => c.location.folder), ['east', 'west']);
  // One name for both plans, from the environment as Terraform takes it: the collision it is.
  const env = spawnSync(process.execPath, [cli, ...both], { encoding: 'utf8', env: { ...process.env, TF_WORKSPACE: 'east' } });
  assert.equal(env.status, 1, env.stderr);
  assert.ok(JSON.parse(env.stdout).findings.some((f) => f.rule === 'EB201'));
  const wrong = run([...both, '--workspace', 'a', '--workspace', 'b', '--workspace', 'c']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /3 --workspace for 2 plan/);
});

test('--config reads the files file() and templatefile() read, never outside DIR; one --config per plan', () => {
  const r = run([plan('tf-functions'), '--config', join(fixtures, 'tf-functions'), '--format', 'json']);
  assert.equal(r.code, 1, r.err);
  const report = JSON.parse(r.out);
  assert.deepEqual(report.findings.filter((f) => f.severity === 'deny').map((f) => `${f.rule} ${f.cluster}`), ['EB101 module.missing_bucket']);
  assert.equal(report.clusters[0].keys['s3-endpoint'].value, 's3.eu-west-1.amazonaws.com', 'from files/backup.yaml');
  // A copy whose main.tf reads a file outside DIR: exit 2, one line.
  const dir = mkdtempSync(join(tmpdir(), 'ebp-outside-'));
  cpSync(join(fixtures, 'tf-functions'), dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf'), readFileSync(join(dir, 'main.tf'), 'utf8').replace('${path.module}/files/backup.yaml', '/etc/hostname'));
  const out = run([plan('tf-functions'), '--config', dir]);
  assert.equal(out.code, 2);
  assert.match(out.err, /outside the configuration directory/);
  assert.equal(out.err.trim().split('\n').length, 1);
  rmSync(dir, { recursive: true });
  const fewer = run([plan('tf-workspace-east'), plan('tf-workspace-west'), '--config', join(fixtures, 'tf-workspace-east')]);
  assert.equal(fewer.code, 2);
  assert.match(fewer.err, /1 --config for 2 plan/);
});

test('the API takes the workspace and refuses a configuration list that does not match the plans', () => {
  const tf = (c) => Object.fromEntries(readdirSync(join(fixtures, c)).filter((f) => f.endsWith('.tf')).map((f) => [f, readFileSync(join(fixtures, c, f), 'utf8')]));
  const plans = ['tf-workspace-east', 'tf-workspace-west'].map((c) => readFileSync(plan(c)));
  const configs = [tf('tf-workspace-east'), tf('tf-workspace-west')];
  const r = evaluate(plans, { config: configs, workspace: ['east', 'west'] });
  assert.deepEqual(r.clusters.map((c) => c.location.folder), ['east', 'west']);
  assert.throws(() => evaluate(plans, { config: [configs[0]] }), (e) => e.code === 'EBP_USAGE');
  assert.throws(() => evaluate(plans, { config: configs[0] }), (e) => e.code === 'EBP_USAGE' && /for more plans/.test(e.message));
});
