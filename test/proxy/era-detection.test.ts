// Which host requests the proxy treats as protocol 2026-07-28, seen at the server side of
// runProxy: the usual compact request is read on the way through its params, and every shape
// the bytes cannot tell about (escaped keys, large frames, no params) still falls back to the
// search for the version key and the parse, so none passes as 2025 by mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { runProxy } from '../../src/proxy/proxy.js';
import { silentLogger } from '../helpers/input-required-sides.js';
import type { ServerEvents, ServerSide } from '../../src/proxy/sides.js';
import { CLIENT_CAPABILITIES_META, PROTOCOL_VERSION_META } from '../../src/proxy/era.js';

/** A server side that only records the lines it is sent. */
function recordingServer() {
  const lines: string[] = [];
  let events: ServerEvents | undefined;
  let pending = '';
  const side: ServerSide = {
    fallbackName: 'recording',
    writable: true,
    write(bytes) {
      pending += bytes.toString();
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        lines.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      return true;
    },
    onceDrain() {},
    pause() {},
    resume() {},
    start(e) {
      events = e;
    },
    close() {
      events?.exited({ code: 0, how: 'code 0' });
    },
    dispose() {},
  };
  return { side, lines };
}

async function sentToServer(frames: string[]): Promise<string[]> {
  const { side, lines } = recordingServer();
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  const done = runProxy({
    server: side,
    input,
    output,
    log: silentLogger(),
    redact: (t) => t,
    toolsMayBeAllowed: false,
    createRouter: () => {
      throw new Error('not used');
    },
  });
  for (const frame of frames) input.write(`${frame}\n`);
  await new Promise((resolve) => setImmediate(resolve));
  input.end();
  await done;
  return lines;
}

const meta = (extra = '') => `"_meta":{"${PROTOCOL_VERSION_META}":"2026-07-28"${extra}}`;
const declaresSampling = (line: string) => JSON.parse(line).params._meta[CLIENT_CAPABILITIES_META]?.sampling !== undefined;

test('2026 requests get the sampling capability however they are written; 2025 requests pass byte for byte', async () => {
  const pad = 'x'.repeat(4096);
  const modern = [
    `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},${meta()}}}`,
    // An escaped top-level key sends the frame to the exact reader; large, it is not parsed there.
    `{"jsonrp\\u0063":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"${pad}"},${meta()}}}`,
    `{"jsonrp\\u0063":"2.0","id":3,"method":"tools/call","params":{"name":"echo",${meta()}}}`,
    // An escaped key inside params: the bytes cannot tell, the parse can.
    `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"n\\u0061me":"echo",${meta()}}}`,
    // Params given twice: the last one counts, as in JSON.parse.
    `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"a"},"params":{"name":"echo",${meta()}}}`,
  ];
  const old = [
    '{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"echo","_meta":{"progressToken":7}}}',
    `{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"echo","arguments":{"text":"\\"${PROTOCOL_VERSION_META}\\""}}}`,
    `{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"echo",${meta()}},"params":{"name":"echo"}}`,
    '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  ];
  const lines = await sentToServer([...modern, ...old]);
  assert.equal(lines.length, modern.length + old.length, lines.join('\n'));
  for (let k = 0; k < modern.length; k++) assert.ok(declaresSampling(lines[k]!), `2026, sampling added: ${lines[k]!.slice(0, 120)}`);
  assert.deepEqual(lines.slice(modern.length), old, '2025 requests reach the server as they were sent');
});
