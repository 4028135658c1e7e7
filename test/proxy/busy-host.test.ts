// runProxy's onBusy: told once, when the host's chunk count reaches BUSY_AFTER_CHUNKS (a
// handshake stays below it), never for a quieter host. `run` turns its optimising compiler
// back on then (src/cli/startup-tiering.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSY_AFTER_CHUNKS, runProxy } from '../../src/proxy/proxy.js';
import { silentLogger } from '../helpers/input-required-sides.js';
import type { HostEvents, HostSide, ServerEvents, ServerSide } from '../../src/proxy/sides.js';

/** Sides driven by hand: the test hands the host's chunks in one by one and counts what reaches the server. */
function handSides() {
  let host: HostEvents | undefined;
  let server: ServerEvents | undefined;
  let linesToServer = 0;
  const byteEnd = { onceDrain() {}, pause() {}, resume() {} };
  const hostSide: HostSide = { ...byteEnd, write: () => true, start: (e) => void (host = e), stop() {} };
  const serverSide: ServerSide = {
    ...byteEnd,
    fallbackName: 'hand',
    writable: true,
    write: (bytes) => {
      linesToServer += bytes.toString().split('\n').length - 1;
      return true;
    },
    start: (e) => void (server = e),
    close: () => server?.exited({ code: 0, how: 'code 0' }),
    dispose() {},
  };
  return { hostSide, serverSide, send: (line: string) => host!.data(Buffer.from(`${line}\n`)), end: () => host!.inputClosed(), linesToServer: () => linesToServer };
}

async function busyCalls(chunks: number): Promise<{ busy: number; passed: number }> {
  const sides = handSides();
  let busy = 0;
  const done = runProxy({
    host: sides.hostSide,
    server: sides.serverSide,
    log: silentLogger(),
    redact: (t) => t,
    toolsMayBeAllowed: false,
    createRouter: () => {
      throw new Error('not used');
    },
    onBusy: () => busy++,
  });
  for (let i = 0; i < chunks; i++) sides.send(`{"jsonrpc":"2.0","id":${i},"method":"tools/list"}`);
  sides.end();
  await done;
  return { busy, passed: sides.linesToServer() };
}

test('onBusy is told once, at the host chunk that reaches BUSY_AFTER_CHUNKS, and the chunks still pass', async () => {
  assert.deepEqual(await busyCalls(BUSY_AFTER_CHUNKS - 1), { busy: 0, passed: BUSY_AFTER_CHUNKS - 1 });
  assert.deepEqual(await busyCalls(BUSY_AFTER_CHUNKS), { busy: 1, passed: BUSY_AFTER_CHUNKS });
  assert.deepEqual(await busyCalls(3 * BUSY_AFTER_CHUNKS), { busy: 1, passed: 3 * BUSY_AFTER_CHUNKS });
});
