// The CLI and the API as a user runs them, over the real-Terraform fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, mkdtempSync, writeFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, render, rules, explain, fingerprint } from '../index.js';

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

test('an unrelated real plan gives no finding and exit 0', () => {
  const r = run([plan('unrelated')]);
  assert.equal(r.code, 0);
  assert.match(r.out, /PASS: 1 plan, 0 clusters: 0 deny, 0 warn/);
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
      for (const s of secrets) {
        assert.ok(!r.out.includes(s) && !r.err.includes(s), `${c} ${format}${config ? ' --config' : ''} leaks a secret`);
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
  assert.deepEqual(w.findings.map((f) => f.rule), ['EB002']);
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
