// The idle router gives back the memory start-up used (src/util/release-memory.ts, the native
// addon in native/memory.cc), and works as before afterwards: the bytecode V8 flushed is
// compiled again when a request needs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { openaiPolicy, ROOT, samplingLine, skipUnlessBuilt, startRoute } from './harness.js';

const ADDON = join(ROOT, 'build', 'Release', 'mcp_route_memory.node');
const skip = skipUnlessBuilt || (process.platform !== 'linux' ? 'the memory addon is Linux only' : existsSync(ADDON) ? false : `${ADDON} was not built`);

/** Anonymous (not file-backed) resident memory of a process, in MiB. */
function anonymousMiB(pid: number): number {
  return Number(/^Anonymous:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) / 1024;
}

test('an idle router gives back start-up memory within seconds, then still routes sampling', { skip, timeout: 60_000 }, async () => {
  const fake = await startFakeOpenAI();
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL), env: { OPENAI_API_KEY: 'release-memory-key-0123456789' } });
  try {
    const before = anonymousMiB(route.routerPid);
    // Released after at least 1 s and one quiet poll (500 ms); V8's own memory reducer waits 8 s.
    await sleep(3000);
    const after = anonymousMiB(route.routerPid);
    assert.ok(before - after >= 1.5, `anonymous memory ${before.toFixed(1)} MiB -> ${after.toFixed(1)} MiB: expected at least 1.5 MiB given back`);
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('after')], awaitIds: ['after'] });
    assert.ok(responses.safter[0].result, `sampling still answered: ${JSON.stringify(responses.safter[0]).slice(0, 300)}`);
    assert.equal(fake.requests.length, 1);
  } finally {
    await route.close();
    await fake.close();
  }
});
