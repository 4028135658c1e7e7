// The idle router gives back the memory start-up used (src/util/release-memory.ts, the native
// engine addon in native/engine.cc), and works as before afterwards: the bytecode V8 flushed is
// compiled again when a request needs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { openaiPolicy, ROOT, samplingLine, skipUnlessBuilt, startRoute, tempDir, type Route } from './harness.js';

const ADDON = join(ROOT, 'build', 'Release', 'mcp_route_engine.node');
const skip = skipUnlessBuilt || (process.platform !== 'linux' ? 'the memory addon is Linux only' : existsSync(ADDON) ? false : `${ADDON} was not built`);
const RELEASED = /idle after start-up: gave back (-?[\d.]+) MiB \(resident ([\d.]+) -> ([\d.]+) MiB\)/;

/** Polls the router's stderr until `pattern` shows (15 s at most). */
async function stderrMatching(route: Route, pattern: RegExp): Promise<RegExpExecArray> {
  for (let waited = 0; waited < 15_000; waited += 100) {
    const found = pattern.exec(route.stderr());
    if (found) return found;
    await sleep(100);
  }
  assert.fail(`no ${pattern} in: ${route.stderr().slice(-500)}`);
}

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

// The CLI bundle loads yaml and the policy validator as a file the idle release drops
// (scripts/bundle/policy-parsers-shim.mjs): a reload afterwards must load them again.
test('after the idle release, a policy edit is still read: a broken one reported at its line, a valid one applied', { skip, timeout: 60_000 }, async () => {
  const fake = await startFakeOpenAI();
  const dir = tempDir();
  const path = join(dir, 'policy.yaml');
  const route = await startRoute({ dir, policy: openaiPolicy(fake.baseURL), args: ['--log-level', 'debug'], env: { OPENAI_API_KEY: 'release-memory-key-0123456789' } });
  const save = (text: string) => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };
  try {
    await stderrMatching(route, RELEASED);
    // A value of the wrong type: yaml parses it, the schema validator finds it.
    save(openaiPolicy(fake.baseURL, { extra: 'rules: 7' }));
    const broken = await stderrMatching(route, /not reloaded, keeping the last good policy[\s\S]*/);
    assert.match(broken[0], /policy\.yaml:\d+:\d+/);
    save(openaiPolicy(fake.baseURL, { model: 'gpt-reloaded' }));
    await stderrMatching(route, /policy reloaded from .*policy\.yaml/);
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('after')], awaitIds: ['after'] });
    assert.ok(responses.safter[0].result, `sampling answered: ${JSON.stringify(responses.safter[0]).slice(0, 300)}`);
    assert.equal(fake.requests.at(-1)?.body?.model, 'gpt-reloaded');
  } finally {
    await route.close();
    await fake.close();
  }
});
