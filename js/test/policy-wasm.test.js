// dist/policy.wasm, the OPA-ABI build of the engine, loaded UNCHANGED by OPA's own JS host
// (@open-policy-agent/opa-wasm, default settings) on every fixture plan: its deny and warn sets
// equal the CLI's. The Python hosts (opa-wasmtime, opa-py-wasm) run the same in tests/opa_hosts.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '@open-policy-agent/opa-wasm';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const cli = join(here, '..', 'cli.js');
const fixtures = join(here, '..', '..', 'tests', 'fixtures');
const plan = (c) => join(fixtures, c, 'plan.json');
const cases = readdirSync(fixtures).filter((c) => existsSync(plan(c))).sort();
const secrets = readFileSync(join(fixtures, 'secrets.txt'), 'utf8').split('\n').filter(Boolean);
const wasm = readFileSync(join(dist, 'policy.wasm'));
const sorted = (a) => [...new Set(a)].sort();

function cliOpa(args) {
  const r = spawnSync(process.execPath, [cli, 'check', ...args, '--format', 'opa'], { encoding: 'utf8' });
  return { code: r.status, out: r.status === 2 ? null : JSON.parse(r.stdout), err: r.stderr };
}

test('the module has the OPA ABI 1.2 shape: env imports only, memory of at least 2 pages, no maximum', async () => {
  const module = new WebAssembly.Module(wasm);
  for (const i of WebAssembly.Module.imports(module)) {
    assert.equal(i.module, 'env', `${i.module}.${i.name}`);
    assert.ok(['memory', 'opa_abort', 'opa_println', 'opa_builtin0', 'opa_builtin1', 'opa_builtin2', 'opa_builtin3', 'opa_builtin4'].includes(i.name), i.name);
  }
  const exports = Object.fromEntries(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const f of ['eval', 'builtins', 'entrypoints', 'opa_eval_ctx_new', 'opa_eval_ctx_set_input', 'opa_eval_ctx_set_data',
    'opa_eval_ctx_set_entrypoint', 'opa_eval_ctx_get_result', 'opa_malloc', 'opa_free', 'opa_json_parse', 'opa_value_parse',
    'opa_json_dump', 'opa_value_dump', 'opa_heap_ptr_set', 'opa_heap_ptr_get', 'opa_value_add_path', 'opa_value_remove_path', 'opa_eval']) {
    assert.equal(exports[f], 'function', f);
  }
  assert.equal(exports.memory, 'memory');
  // Instantiates with a 2-page memory that has no maximum: the import's minimum is at most 2 and
  // it declares no maximum (a declared one would reject a memory without).
  const memory = new WebAssembly.Memory({ initial: 2 });
  const { exports: x } = await WebAssembly.instantiate(module, { env: { memory, opa_abort() { throw new Error('abort'); } } });
  assert.equal(x.opa_wasm_abi_version.value, 1);
  assert.ok(x.opa_wasm_abi_minor_version.value >= 2);
  const text = (addr) => { const b = new Uint8Array(memory.buffer); let e = addr; while (b[e]) e++; return new TextDecoder().decode(b.subarray(addr, e)); };
  assert.equal(text(x.opa_json_dump(x.builtins())), '{}');
  assert.deepEqual(JSON.parse(text(x.opa_json_dump(x.entrypoints()))), { 'etcd_backup/deny': 0, 'etcd_backup/warn': 1, 'etcd_backup/report': 2 });
});

test('opa-wasm loads it unchanged; deny and warn equal the CLI on every fixture plan', async () => {
  const policy = await loadPolicy(wasm);
  assert.deepEqual(policy.entrypoints, { 'etcd_backup/deny': 0, 'etcd_backup/warn': 1, 'etcd_backup/report': 2 });
  let failing = 0;
  for (const c of cases) {
    const want = cliOpa([plan(c)]);
    const input = readFileSync(plan(c));
    // Input as an ArrayBuffer of the file's bytes, as opa-wasm documents for raw JSON.
    const buf = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
    if (want.code === 2) {
      assert.throws(() => policy.evaluate(buf, 'etcd_backup/deny'), `${c}: the CLI errs, the policy must not pass it`);
      continue;
    }
    const deny = policy.evaluate(buf, 'etcd_backup/deny');
    const warn = policy.evaluate(JSON.parse(input), 'etcd_backup/warn');
    assert.deepEqual(deny, [{ result: sorted(want.out.deny) }], c);
    assert.deepEqual(warn, [{ result: sorted(want.out.warn) }], c);
    if (want.out.deny.length) failing++;
  }
  assert.ok(failing >= 10, `fixtures that fail the gate: ${failing}`);
});

test('the report entrypoint is the JSON report, and no secret reaches it', async () => {
  const policy = await loadPolicy(wasm);
  for (const c of cases) {
    let result;
    try {
      result = policy.evaluate(JSON.parse(readFileSync(plan(c))), 'etcd_backup/report');
    } catch (e) {
      const message = String(e?.message ?? e);
      for (const s of secrets) assert.ok(!message.toLowerCase().includes(s.toLowerCase()), `${c}: secret in the abort message`);
      continue;
    }
    const r = result[0].result;
    const json = JSON.stringify(r).toLowerCase();
    for (const s of secrets) assert.ok(!json.includes(s.toLowerCase()), `${c}: a secret in the report`);
    assert.equal(r.summary.deny, r.deny.length, c);
    assert.ok(Array.isArray(r.findings) && Array.isArray(r.clusters), c);
  }
});

test('data from setData: rules switched off, a baseline, and a malformed document that aborts', async () => {
  const policy = await loadPolicy(wasm);
  const input = JSON.parse(readFileSync(plan('missing-bucket')));
  assert.match(policy.evaluate(input)[0].result[0], /\[EB101\]$/, 'entrypoint 0 is deny');
  policy.setData({ etcd_backup: { rules: { EB101: 'warn' } } });
  assert.deepEqual(policy.evaluate(input)[0].result, []);
  assert.ok(policy.evaluate(input, 'etcd_backup/warn')[0].result.some((w) => w.endsWith('[EB101]')));
  policy.setData({ etcd_backup: { baselines: {} } });
  assert.throws(() => policy.evaluate(input), /unknown key "baselines"; did you mean "baseline"\?/);
  // An unreadable plan or no plan at all is an error, never an empty deny.
  policy.setData({});
  assert.throws(() => policy.evaluate({ resource_changes: 'garbage' }), /input/);
  assert.throws(() => policy.evaluate(new TextEncoder().encode('{"truncated": ').buffer), /not valid JSON/);
  assert.throws(() => policy.evaluate(null), /no input/);
});

test('a module profile in data reads an in-house module: EB004 without it, EB201 with it', async () => {
  const policy = await loadPolicy(wasm);
  const input = JSON.parse(readFileSync(plan('inhouse-k3s')));
  const rulesOf = (lines) => sorted(lines.map((l) => /\[(EB\d+)\]$/.exec(l)[1]));
  assert.deepEqual(rulesOf(policy.evaluate(input)[0].result), ['EB004']);
  const profile = JSON.parse(readFileSync(join(fixtures, 'inhouse-k3s', 'profile.json')));
  policy.setData(profile);
  assert.deepEqual(rulesOf(policy.evaluate(input)[0].result), ['EB201']);
  const report = policy.evaluate(input, 'etcd_backup/report')[0].result;
  assert.deepEqual(report.clusters.map((c) => c.profile), ['acme-k3s', 'acme-k3s']);
  const typo = structuredClone(profile);
  typo.etcd_backup.profiles[0].inputs[0].form = 'flagmap';
  policy.setData(typo);
  assert.throws(() => policy.evaluate(input), /did you mean "flag-map"\?/);
});

test('the heap is rewound between evaluations: memory stops growing', async () => {
  const policy = await loadPolicy(wasm);
  const input = readFileSync(plan('fleet-shared'));
  const buf = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
  policy.evaluate(buf, 'etcd_backup/report');
  const after1 = policy.mem.buffer.byteLength;
  for (let i = 0; i < 200; i++) policy.evaluate(buf, i % 3);
  assert.equal(policy.mem.buffer.byteLength, after1, 'memory grew: the heap was not reused');
});

test('the ABI 1.0 path (eval context) and value paths give the same results', async () => {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const { instance } = await WebAssembly.instantiate(wasm, { env: { memory, opa_abort: (a) => { throw new Error(cstr(a)); } } });
  const x = instance.exports;
  const cstr = (addr) => { const b = new Uint8Array(memory.buffer); let e = addr; while (b[e]) e++; return new TextDecoder().decode(b.subarray(addr, e)); };
  const load = (value) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    const at = x.opa_malloc(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, at);
    return x.opa_json_parse(at, bytes.length);
  };
  assert.equal(x.opa_json_parse(x.opa_malloc(1), 1), 0, 'invalid JSON parses to 0');
  const data = load({});
  assert.equal(x.opa_value_add_path(data, load(['etcd_backup', 'rules']), load({ EB101: 'warn' })), 0);
  assert.deepEqual(JSON.parse(cstr(x.opa_json_dump(data))), { etcd_backup: { rules: { EB101: 'warn' } } });
  const ctx = x.opa_eval_ctx_new();
  x.opa_eval_ctx_set_input(ctx, load(JSON.parse(readFileSync(plan('missing-bucket')))));
  x.opa_eval_ctx_set_data(ctx, data);
  x.opa_eval_ctx_set_entrypoint(ctx, 1);
  assert.equal(x.eval(ctx), 0);
  const warn = JSON.parse(cstr(x.opa_json_dump(x.opa_eval_ctx_get_result(ctx))));
  assert.ok(warn[0].result.some((w) => w.endsWith('[EB101]')));
  assert.equal(x.opa_value_remove_path(data, load(['etcd_backup', 'rules'])), 0);
  x.opa_eval_ctx_set_entrypoint(ctx, 0);
  x.eval(ctx);
  assert.match(JSON.parse(cstr(x.opa_json_dump(x.opa_eval_ctx_get_result(ctx))))[0].result[0], /\[EB101\]$/);
  x.opa_eval_ctx_set_entrypoint(ctx, 7);
  assert.throws(() => x.eval(ctx), /entrypoint 7 does not exist/);
});

/** Reads a ustar archive: name → bytes. */
function untar(buf) {
  const files = new Map();
  for (let at = 0; at + 512 <= buf.length; ) {
    const name = buf.subarray(at, at + 100).toString('latin1').replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(buf.subarray(at + 124, at + 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    files.set(name, buf.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

test('bundle.tar.gz is an OPA bundle: /.manifest with the wasm entrypoints and a byte-identical /policy.wasm', () => {
  const files = untar(gunzipSync(readFileSync(join(dist, 'bundle.tar.gz'))));
  assert.deepEqual([...files.keys()].sort(), ['/.manifest', '/data.json', '/policy.wasm']);
  assert.ok(files.get('/policy.wasm').equals(wasm));
  const manifest = JSON.parse(files.get('/.manifest'));
  assert.deepEqual(manifest.wasm, ['etcd_backup/deny', 'etcd_backup/warn', 'etcd_backup/report'].map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })));
});
