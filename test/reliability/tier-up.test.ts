// The router has V8 optimise its hot functions sooner (src/util/engine.ts, through the engine
// addon in native/engine.cc): the flag really reaches V8, and `run` sets it once it is up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { tierUpSooner } from '../../src/util/engine.js';
import { openaiPolicy, ROOT, samplingLine, skipUnlessBuilt, startRoute } from './harness.js';

const ADDON = join(ROOT, 'build', 'Release', 'mcp_route_engine.node');
const skip = process.platform !== 'linux' ? 'the engine addon is Linux only' : existsSync(ADDON) ? false : `${ADDON} was not built`;

/**
 * In a fresh node, the call at which V8 first queues `hot` for optimisation (its status gains
 * "marked for concurrent optimisation", "optimising" or "optimised": bits 512, 1024, 16 of
 * %GetOptimizationStatus), after the addon was handed `flags` (or nothing).
 */
function callsUntilQueued(flags: string | undefined): number {
  const script = `
    const addon = require(${JSON.stringify(ADDON)});
    ${flags === undefined ? '' : `addon.setFlags(${JSON.stringify(flags)});`}
    function hot(a) { let s = 0; for (let i = 0; i < 8; i++) s += a * i; return s; }
    let calls = 0;
    while (calls < 100000 && !(%GetOptimizationStatus(hot) & (16 | 512 | 1024))) hot(calls++);
    process.stdout.write(String(calls));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

test('the engine addon hands flags to V8: a quarter of the interrupt budget queues a hot function for optimisation several times sooner', { skip }, () => {
  const byDefault = callsUntilQueued(undefined);
  const sooner = callsUntilQueued('--interrupt-budget=16384');
  assert.ok(byDefault > 0 && byDefault < 100000, `queued by default after ${byDefault} calls`);
  assert.ok(sooner * 2 < byDefault, `with the lower budget after ${sooner} calls, by default after ${byDefault}`);
});

test("a budget given on node's command line wins over mcp-route's", () => {
  assert.equal(tierUpSooner(['--interrupt-budget=99999']), 'as given on the node command line');
  assert.equal(tierUpSooner(['--stack-size=2000', '--interrupt_budget=5000']), 'as given on the node command line');
  assert.equal(tierUpSooner(['--interrupt-budget', '5000']), 'as given on the node command line');
});

test('run sets the lower tier-up budget once it is up, and still proxies and routes', { skip: skipUnlessBuilt || skip, timeout: 30_000 }, async () => {
  const fake = await startFakeOpenAI();
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL), args: ['--log-level', 'debug'], env: { OPENAI_API_KEY: 'tier-up-key-0123456789' } });
  try {
    for (let waited = 0; !/JIT tier-up budget: 16384/.test(route.stderr()) && waited < 10_000; waited += 50) await sleep(50);
    assert.match(route.stderr(), /JIT tier-up budget: 16384/);
    assert.equal((route.stderr().match(/JIT tier-up budget/g) ?? []).length, 1, 'set once');
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('after')], awaitIds: ['after'] });
    assert.ok(responses.safter[0].result, `sampling answered: ${JSON.stringify(responses.safter[0]).slice(0, 300)}`);
    assert.equal(fake.requests.length, 1);
  } finally {
    await route.close();
    await fake.close();
  }
});
