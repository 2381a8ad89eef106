// The OPA adapter next to @open-policy-agent/opa-wasm: a host written against opa-wasm's
// documented calling conventions (README: loadPolicy → setData → evaluate(input, entrypoint) →
// result set) runs this policy unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import opaWasm from '@open-policy-agent/opa-wasm';
import { loadPolicy, loadPolicySync, ENTRYPOINTS } from '../opa.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'fixtures');
const planText = (c) => readFileSync(join(fixtures, c, 'plan.json'), 'utf8');

/** A host as opa-wasm's README writes one. */
async function opaHost(load, wasm, data, input, entrypoint) {
  const policy = await load(wasm);
  policy.setData(data);
  const resultSet = policy.evaluate(input, entrypoint);
  if (resultSet == null || resultSet.length === 0) return undefined;
  return resultSet[0].result;
}

test('same exported loader names and LoadedPolicy methods as opa-wasm', () => {
  assert.equal(typeof opaWasm.loadPolicy, 'function');
  assert.equal(typeof opaWasm.loadPolicySync, 'function');
  const theirs = Object.getOwnPropertyNames(opaWasm.LoadedPolicy.prototype).filter((n) => n !== 'constructor').sort();
  const ours = Object.getOwnPropertyNames(Object.getPrototypeOf(loadPolicySync())).filter((n) => n !== 'constructor').sort();
  assert.deepEqual(ours, theirs);
  assert.ok(loadPolicy() instanceof Promise, 'loadPolicy resolves asynchronously, like opa-wasm');
});

test('entrypoints by name and by ID, result sets, data from setData', async () => {
  const input = JSON.parse(planText('missing-bucket'));
  const deny = await opaHost(loadPolicy, undefined, {}, input, 'etcd_backup/deny');
  assert.equal(deny.length, 1);
  assert.match(deny[0], /\[EB101\]$/);
  assert.deepEqual(await opaHost(loadPolicy, undefined, {}, input, ENTRYPOINTS['etcd_backup/deny']), deny);
  assert.deepEqual(await opaHost(loadPolicy, undefined, {}, input, 0), deny, 'the default entrypoint is deny');
  const warn = await opaHost(loadPolicy, undefined, {}, input, 'etcd_backup/warn');
  assert.ok(warn.every((w) => typeof w === 'string'));
  const relaxed = await opaHost(loadPolicy, undefined, { etcd_backup: { rules: { EB101: 'warn' } } }, input, 'etcd_backup/deny');
  assert.deepEqual(relaxed, []);
  const report = await opaHost(loadPolicy, undefined, {}, input, 'etcd_backup/report');
  assert.equal(report.summary.deny, 1);
  assert.deepEqual(Object.keys(loadPolicySync().entrypoints), ['etcd_backup/deny', 'etcd_backup/warn', 'etcd_backup/report']);
});

test('ArrayBuffer input and data, Spacelift input, errors as opa-wasm words them', () => {
  const policy = loadPolicySync();
  const enc = new TextEncoder();
  policy.setData(enc.encode(JSON.stringify({ etcd_backup: { rules: { EB303: 'off' } } })).buffer);
  const wrapped = { spacelift: { run: {} }, terraform: JSON.parse(planText('missing-bucket')) };
  const rs = policy.evaluate(enc.encode(JSON.stringify(wrapped)).buffer, 'etcd_backup/warn');
  assert.deepEqual(rs, [{ result: [] }]);
  assert.throws(() => policy.evaluate({}, 'etcd_backup/allow'), /entrypoint etcd_backup\/allow is not valid in this instance/);
  assert.throws(() => policy.evaluate({}, 7), /entrypoint 7 is not valid in this instance/);
  assert.throws(() => policy.evaluate('{"format_version":"9.0"}'), /unsupported plan format_version/);
  assert.equal(policy.evalBool(JSON.parse(planText('seed'))), true);
});
