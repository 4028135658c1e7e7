// The native frame scanner (native/scan.c) against the JavaScript it ports (rpcMembers with
// readModernParams on the way, src/proxy/frame-scan.ts scanInJavaScript): the same answer,
// spans and params read included, for generated JSON-RPC frames and for mutations of them
// (truncation, stray quotes and backslashes, duplicates, escapes, blanks, deep nesting, long
// strings, bytes that are not UTF-8). Skips, saying so, only when the addon is not built.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CLIENT_CAPABILITIES_META, PROTOCOL_VERSION_META } from '../../src/proxy/era.js';
import { hasNativeScanner, type ParamsRead, scanFrame, scanFrameNatively, scanInJavaScript } from '../../src/proxy/frame-scan.js';
import { prng } from '../helpers/prng.js';

const native = hasNativeScanner();
const skip = native ? false : 'the native addon is not built (node scripts/build-native.mjs needs a C compiler): only the JavaScript scanner runs';
if (!native) console.log(`# native-scan: skipped: ${skip}`);

/** Both scanners on one frame, with and without the params read; the first difference fails with the frame shown. */
function same(frame: Buffer): void {
  const shown = () => JSON.stringify(frame.toString('latin1').slice(0, 400));
  assert.deepEqual(scanFrameNatively(frame), scanInJavaScript(frame), `rpcMembers of ${shown()}`);
  const js: ParamsRead = { read: undefined };
  const c: ParamsRead = { read: undefined };
  assert.deepEqual(scanFrameNatively(frame, c), scanInJavaScript(frame, js), `rpcMembers with params of ${shown()}`);
  assert.deepEqual(c.read, js.read, `params read of ${shown()}`);
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

/** Blanks JSON allows, and sometimes none. */
const ws = (r: Rand) => (r() < 0.7 ? '' : pick(r, [' ', '\t', '\n', '\r\n', '  \t ']));

/** Keys the scanners tell apart, escaped spellings of them, near misses and long keys. */
const KEYS = [
  'id',
  'method',
  'params',
  'result',
  'error',
  'jsonrpc',
  'i',
  'idx',
  'methods',
  'param',
  'errors',
  'resul',
  'e',
  '',
  'm\\u0065thod',
  '\\u0069d',
  'par\\u0061ms',
  're\\u0073ult',
  'err\\u006fr',
  '\\"id',
  'a\\\\',
  'x\\n',
  'k'.repeat(63),
  'k'.repeat(64),
  `${'k'.repeat(62)}\\"`,
  `${'k'.repeat(70)}\\\\`,
  `m${'\\u0065'.repeat(8)}`,
];
/** Keys mostly from the first list, now and then from the second (escaped spellings would otherwise end most walks early). */
type KeyPool = readonly [common: readonly string[], rare: readonly string[]];
const FRAME_KEYS: KeyPool = [['jsonrpc', 'id', 'method', 'params', 'params', 'result', 'error'], KEYS];
const META_KEYS: KeyPool = [
  [PROTOCOL_VERSION_META, CLIENT_CAPABILITIES_META, 'progressToken', 'io.modelcontextprotocol/clientInfo'],
  ['progress\\u0054oken', '', 'x'],
];
const PARAMS_KEYS: KeyPool = [
  ['_meta', '_meta', 'name', 'arguments'],
  ['inputResponses', 'requestState', '_m\\u0065ta', '_met'],
];
const NESTED_KEYS: KeyPool = [KEYS, KEYS];

/** A string body: plain, escapes, backslash runs around the 64-byte short-string limit, non-ASCII. */
function stringBody(r: Rand): string {
  switch (int(r, 6)) {
    case 0:
      return pick(r, ['', 'tools/call', 'ping 1', '2026-07-28', 'é漢字', 'a"b'.replace('"', '\\"')]);
    case 1:
      return `${'x'.repeat(int(r, 130))}${'\\'.repeat(2 * int(r, 4))}`;
    case 2:
      return `${'y'.repeat(int(r, 70))}\\"${'z'.repeat(int(r, 70))}`;
    case 3:
      return '\\\\'.repeat(int(r, 80));
    case 4:
      return `\\u00${pick(r, ['41', '22', '5c', '7b'])}${'w'.repeat(int(r, 200))}`;
    default:
      return 'q'.repeat(int(r, 3000));
  }
}

function value(r: Rand, depth: number): string {
  const roll = r();
  if (depth > 3 || roll < 0.45) {
    return pick(r, [`"${stringBody(r)}"`, String(int(r, 1e6)), '-1.5e3', '9007199254740993', 'true', 'false', 'null', '0', '{}', '[]']);
  }
  if (roll < 0.75) return object(r, depth + 1, NESTED_KEYS);
  const items = Array.from({ length: int(r, 4) }, () => value(r, depth + 1));
  return `[${ws(r)}${items.join(`${ws(r)},${ws(r)}`)}${ws(r)}]`;
}

function object(r: Rand, depth: number, [common, rare]: KeyPool, special?: (key: string) => string | undefined): string {
  const members = Array.from({ length: int(r, 6) }, () => {
    const key = pick(r, r() < 0.85 ? common : rare);
    return `"${key}"${ws(r)}:${ws(r)}${special?.(key) ?? value(r, depth)}`;
  });
  return `{${ws(r)}${members.join(`${ws(r)},${ws(r)}`)}${ws(r)}}`;
}

/** A 2026 `_meta`, or something else in its place. */
const meta = (r: Rand) => (r() < 0.8 ? object(r, 2, META_KEYS, (k) => (k === PROTOCOL_VERSION_META && r() < 0.7 ? '"2026-07-28"' : undefined)) : value(r, 2));
const params = (r: Rand) => (r() < 0.8 ? object(r, 1, PARAMS_KEYS, (k) => (k === '_meta' ? meta(r) : undefined)) : value(r, 1));

/** A JSON-RPC-shaped frame: the four keys, duplicates and escaped spellings included. */
function frame(r: Rand): string {
  return object(r, 0, FRAME_KEYS, (k) => {
    if (k === 'params') return params(r);
    if (k === 'id') return pick(r, ['1', '"a"', 'null', '{"x":1}', '2.5', String(int(r, 1e9))]);
    if (k === 'method') return pick(r, ['"tools/call"', '"initialize"', '"m\\u0065"', '1', 'null']);
    return undefined;
  });
}

/** Damage that walks must survive: cut, a stray byte, a byte dropped or doubled, a span repeated. */
function mutate(r: Rand, b: Buffer): Buffer {
  if (b.length === 0) return b;
  const at = int(r, b.length);
  switch (int(r, 6)) {
    case 0:
      return b.subarray(0, at);
    case 1:
      return Buffer.concat([b.subarray(0, at), Buffer.from([pick(r, [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x20, 0xff, 0xc3, 0x00])]), b.subarray(at)]);
    case 2:
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    case 3: {
      const c = Buffer.from(b);
      c[at] = int(r, 256);
      return c;
    }
    case 4:
      return Buffer.concat([b.subarray(0, at), b.subarray(int(r, b.length)), b.subarray(at)]);
    default:
      return Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1), b.subarray(at)]);
  }
}

describe('the native frame scanner reads every frame as the JavaScript does', { skip }, () => {
  it('agrees on hand-picked edges', () => {
    const edges = [
      '',
      ' ',
      '{',
      '}',
      '{}',
      ' {} ',
      '{} x',
      '[]',
      '"x"',
      '{"id":1}',
      '{"id":1,}',
      '{"id" 1}',
      '{"id":}',
      '{"id":1 2}',
      '{"id":1,"id":"b","method":"a","method":"b"}',
      '{"m\\u0065thod":"x","id":1}',
      `{"${'k'.repeat(64)}\\u0065":1,"id":2}`,
      '{"id\\":1}',
      '{"a":"\\\\"}',
      '{"a":"\\\\\\"}',
      `{"params":{"_meta":{"${PROTOCOL_VERSION_META}":"2026-07-28"},"_meta":5},"id":1,"method":"tools/call"}`,
      `{"params":{"_meta":{"${PROTOCOL_VERSION_META}":"v"}},"params":[1]}`,
      `{"params":{"_meta":{"pro\\u0067ressToken":1}}}`,
      '{"params":{"a":x"}"},"id":1}',
      '{"params":{"a":1]},"id":1}',
      '{"params":{}}',
      '{"params":{"_meta":{}}}',
      '{"params" : { "_meta" : { } } }',
      `{"id":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      `{"id":${'['.repeat(1000)}}`,
      `{"s":"${'\\'.repeat(200)}"}`,
      `{"s":"${'\\'.repeat(201)}"}`,
      '{"params":',
      '{"params":{"_meta":{"',
      '{"id":1,"result":{}',
      '{"error":null,"id":"e"}\r\n',
    ];
    for (const e of edges) same(Buffer.from(e));
    same(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
  });

  it('agrees on thousands of generated frames and their mutations', () => {
    const r = prng(0x5ca9);
    for (let n = 0; n < 4000; n++) {
      const b = Buffer.from(frame(r));
      same(b);
      for (let k = 0; k < 3; k++) same(mutate(r, b));
      same(mutate(r, mutate(r, b)));
    }
  });

  it('agrees on every prefix of a 2026 request (truncation anywhere)', () => {
    const text = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a\\"b\\\\"},"_meta":{"${PROTOCOL_VERSION_META}":"2026-07-28","${CLIENT_CAPABILITIES_META}":{"sampling":{}},"progressToken":"t"}}}`;
    const b = Buffer.from(text);
    for (let end = 0; end <= b.length; end++) same(b.subarray(0, end));
  });

  it('is what scanFrame uses, and rejects what is not a Buffer', () => {
    const b = Buffer.from('{"id":1,"method":"x","params":{}}');
    assert.deepEqual(scanFrame(b), scanInJavaScript(b));
    assert.throws(() => scanFrameNatively('{"id":1}' as unknown as Buffer), /Buffer/);
  });

  it("keeps a worker thread's results apart from this thread's (the addon's state is per environment)", async () => {
    const before = Buffer.from('{"id":"a","method":"ping"}');
    assert.deepEqual(scanFrameNatively(before), scanInJavaScript(before));
    // The worker loads the addon into its own environment and hands it its own output array.
    const addonPath = fileURLToPath(new URL('../../build/Release/mcp_route_native.node', import.meta.url));
    const code = `const { parentPort } = require('node:worker_threads'); const addon = require(${JSON.stringify(addonPath)});
      addon.scanInit(new Int32Array(64)); addon.scanRpc(Buffer.from('{"id":99999,"result":{}}'), false); parentPort.postMessage('ready');`;
    const worker = new Worker(code, { eval: true });
    try {
      await once(worker, 'message');
      const after = Buffer.from('{"jsonrpc":"2.0","id":12345,"method":"tools/call","params":{"name":"x"}}');
      assert.deepEqual(scanFrameNatively(after), scanInJavaScript(after));
    } finally {
      await worker.terminate();
    }
    const last = Buffer.from('{"id":7,"error":{}}');
    assert.deepEqual(scanFrameNatively(last), scanInJavaScript(last), 'after the worker ended');
  });
});
