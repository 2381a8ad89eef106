// node opa-bundle.mjs policy.wasm bundle.tar.gz — writes the OPA bundle `opa build -t wasm` would:
// `/.manifest` naming the module for each entrypoint, `/data.json` and `/policy.wasm`, in a gzip'd
// tar with the leading-slash names OPA uses (`tar -xzf bundle.tar.gz /policy.wasm`). Deterministic:
// no timestamps, owners or modes from this machine.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const ENTRYPOINTS = ['etcd_backup/deny', 'etcd_backup/warn', 'etcd_backup/report'];

function header(name, size) {
  const h = Buffer.alloc(512);
  const put = (text, at, len) => h.write(text, at, len, 'ascii');
  const octal = (n, len) => n.toString(8).padStart(len - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12); // mtime
  put('        ', 148, 8); // checksum field counts as spaces
  put('0', 156, 1);
  put('ustar\0' + '00', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(octal(sum, 7) + ' ', 148, 8);
  return h;
}

function bundle(wasm) {
  const manifest = {
    revision: '',
    roots: [''],
    wasm: ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
  };
  const files = [
    ['/.manifest', Buffer.from(JSON.stringify(manifest))],
    ['/data.json', Buffer.from('{}')],
    ['/policy.wasm', wasm],
  ];
  const parts = [];
  for (const [name, body] of files) {
    parts.push(header(name, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // end of archive
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node opa-bundle.mjs policy.wasm bundle.tar.gz');
  process.exitCode = 2;
} else {
  writeFileSync(output, bundle(readFileSync(input)));
}
