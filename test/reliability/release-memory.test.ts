// The idle router gives back the memory start-up used (src/util/release-memory.ts, the native
// addon in native/memory.cc), and works as before afterwards: the bytecode V8 flushed is
// compiled again when a request needs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { openaiPolicy, ROOT, samplingLine, skipUnlessBuilt, startRoute } from './harness.js';

const ADDON = join(ROOT, 'build', 'Release', 'mcp_route_memory.node');
const skip = skipUnlessBuilt || (process.platform !== 'linux' ? 'the memory addon is Linux only' : existsSync(ADDON) ? false : `${ADDON} was not built`);
const RELEASED = /idle after start-up: gave back (-?[\d.]+) MiB \(resident ([\d.]+) -> ([\d.]+) MiB\)/;

test('an idle router gives back start-up memory within seconds, then still routes sampling', { skip, timeout: 60_000 }, async () => {
  const fake = await startFakeOpenAI();
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL), args: ['--log-level', 'debug'], env: { OPENAI_API_KEY: 'release-memory-key-0123456789' } });
  try {
    // At the earliest 1 s after the spawn, at the first quiet half-second (V8's own memory reducer waits 8 s or more).
    let released: RegExpExecArray | null = null;
    for (let waited = 0; !released && waited < 15_000; waited += 100) {
      await sleep(100);
      released = RELEASED.exec(route.stderr());
    }
    assert.ok(released, `no release logged: ${route.stderr().slice(-500)}`);
    // The router measures its own RSS around the call; about 4 MiB with prod.yaml here.
    assert.ok(Number(released[1]) >= 1.5, `expected at least 1.5 MiB given back: ${released[0]}`);
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('after')], awaitIds: ['after'] });
    assert.ok(responses.safter[0].result, `sampling still answered: ${JSON.stringify(responses.safter[0]).slice(0, 300)}`);
    assert.equal(fake.requests.length, 1);
  } finally {
    await route.close();
    await fake.close();
  }
});
