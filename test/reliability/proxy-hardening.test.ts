// What an untrusted server (or a sloppy host) can do to the proxy itself, through the built CLI:
// an initialize response too long to stream past, a process tree that outlives mcp-route, a
// flood of sampling requests, endless non-JSON output, deep nesting, sampling before the host
// has said what it can do, and a host whose sampling answer is malformed (issue 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startFakeOpenAI, openaiCompletionBody } from '../helpers/fake-openai.js';
import { assertAllGone, isAlive, openaiPolicy, RAW_SERVER, samplingLine, skipUnlessBuilt, startRoute } from './harness.js';
import { INITIALIZE, startRawHost } from './raw-host.js';
import { MAX_SAMPLING_IN_FLIGHT } from '../../src/proxy/proxy.js';

const env = { OPENAI_API_KEY: 'hardening-key-0123456789' };
const e2e = { skip: skipUnlessBuilt, timeout: 60_000 };

test('an initialize response over 16 KiB that spans chunks still names the server, so name rules apply', e2e, async () => {
  const fake = await startFakeOpenAI();
  const deny = ['rules:', '  - name: no-faulty', '    when: { server: "faulty-*" }', '    action: deny', '    message: faulty servers may not sample'].join('\n');
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL, { extra: deny }), env: { ...env, FAULTY_INIT_PAD: String(200 * 1024) } });
  const pids = [route.routerPid, route.serverPid];
  try {
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('named')], awaitIds: ['named'] });
    const [answer] = responses.snamed;
    assert.equal(answer.error?.code, -1, `the deny rule on the reported name applies: ${JSON.stringify(answer).slice(0, 300)}`);
    assert.equal(answer.error.data.rule, 'no-faulty');
    assert.equal(fake.requests.length, 0);
  } finally {
    await route.close();
    await fake.close();
    await assertAllGone(pids);
  }
});

/** `sh -c "node raw-server; true"`: the shell stays as the parent, the real server is its child and ignores EOF and SIGTERM. */
async function startTree() {
  const route = await startRoute({
    policy: openaiPolicy('http://127.0.0.1:9/v1'),
    env: { ...env, FAULTY_STUBBORN: '1' },
    command: ['/bin/sh', '-c', `"${process.execPath}" "${RAW_SERVER}"; true`],
  });
  return { route, pids: [route.routerPid, route.serverPid] };
}

for (const how of ['the host closes stdin', 'mcp-route gets SIGTERM', 'mcp-route is SIGKILLed'] as const) {
  test(`a server started through a shell is ended with its whole process tree when ${how}`, {
    ...e2e,
    skip: skipUnlessBuilt || (process.platform === 'win32' ? 'POSIX process groups' : false),
  }, async () => {
    const { route, pids } = await startTree();
    assert.ok(isAlive(route.serverPid), 'the grandchild server runs');
    try {
      if (how === 'the host closes stdin') await route.close();
      else process.kill(route.routerPid, how === 'mcp-route gets SIGTERM' ? 'SIGTERM' : 'SIGKILL');
      // --grace 300: EOF, 300 ms, SIGTERM (ignored), 300 ms, SIGKILL; generous for a loaded machine.
      await assertAllGone(pids, 15_000);
    } finally {
      await route.close().catch(() => {});
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
}

test('a flood of 10,000 sampling requests: at most the cap in flight, the rest refused with -32001, pings stay prompt', e2e, async () => {
  const fake = await startFakeOpenAI();
  fake.setDefault(() => ({ delay: 3_000, body: openaiCompletionBody() }));
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL, { timeout: '20s', deadline: '30s' }), env });
  const pids = [route.routerPid, route.serverPid];
  try {
    // The same ping loop without a flood, on this machine under its current load.
    let baselineWorst = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await route.client.ping({ timeout: 20_000 });
      baselineWorst = Math.max(baselineWorst, performance.now() - t0);
    }
    const COUNT = 10_000;
    await route.call('faulty/flood', { count: COUNT, prefix: 'fl' });
    // While mcp-route works through the flood, host pings go through one after another.
    const latencies: number[] = [];
    const until = Date.now() + 2_000;
    while (Date.now() < until) {
      const t0 = performance.now();
      await route.client.ping({ timeout: 20_000 });
      latencies.push(performance.now() - t0);
    }
    const tally = await route.call('faulty/tally', { prefix: 'fl', expect: COUNT, timeoutMs: 40_000 }, 45_000);
    assert.equal(tally.answered, COUNT, `every request answered: ${JSON.stringify(tally)}`);
    assert.equal(tally.duplicated, 0);
    const refused = tally.byCode['-32001:TOO_MANY_IN_FLIGHT'] ?? 0;
    assert.ok(refused >= COUNT - MAX_SAMPLING_IN_FLIGHT, `the flood beyond ${MAX_SAMPLING_IN_FLIGHT} in flight is refused: ${JSON.stringify(tally.byCode)}`);
    assert.ok(fake.requests.length <= MAX_SAMPLING_IN_FLIGHT, `at most ${MAX_SAMPLING_IN_FLIGHT} provider calls, got ${fake.requests.length}`);
    latencies.sort((a, b) => a - b);
    const worst = latencies.at(-1)!;
    // Generous: on a 2-core machine under heavy load every process waits for CPU; a stall (seconds per
    // thousand requests in flight before the cap) is what this catches.
    const bound = Math.max(8_000, 8 * baselineWorst);
    assert.ok(latencies.length >= 3 && worst < bound, `pings stay prompt during the flood: ${latencies.length} pings, worst ${Math.round(worst)} ms (bound ${Math.round(bound)} ms)`);
  } finally {
    await route.close();
    await fake.close();
    await assertAllGone(pids);
  }
});

/** Peak resident memory of a process, from /proc (Linux). */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

test('100 MiB of output without a newline that is not JSON is dropped as it streams, in bounded memory', {
  ...e2e,
  skip: skipUnlessBuilt || (process.platform !== 'linux' ? 'reads /proc' : false),
}, async () => {
  const route = await startRoute({ policy: openaiPolicy('http://127.0.0.1:9/v1'), env });
  const pids = [route.routerPid, route.serverPid];
  try {
    await route.call('ping');
    const before = peakRssMiB(route.routerPid);
    await route.call('faulty/garbage', { mb: 100 }, 50_000);
    await route.call('faulty/notify', { count: 1, offset: 42 });
    assert.deepEqual(await route.call('ping'), {});
    const grown = peakRssMiB(route.routerPid) - before;
    // Holding the garbage would grow the peak by 100 MiB or more. Dropping it as it streams
    // leaves only garbage the collector has not reached yet: 32.5-36 MiB on a quiet machine,
    // 40.9 MiB once in CI under load (the collector runs later when the CPU is busy).
    assert.ok(grown < 60, `peak RSS grew ${grown.toFixed(1)} MiB for 100 MiB of garbage`);
    assert.match(route.stderr(), /not JSON-RPC \(104857600 bytes\)/);
    await waitUntil(() => route.logs.some((d) => (d as { seq?: number })?.seq === 42), 'the notification after the garbage arrives');
  } finally {
    await route.close();
    await assertAllGone(pids);
  }
});

async function waitUntil(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a host initialize nested 100,000 deep gets an error, and mcp-route keeps serving', e2e, async () => {
  const host = startRawHost({ policy: openaiPolicy('http://127.0.0.1:9/v1'), env });
  try {
    const n = 100_000;
    const deep = `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    host.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"x":${deep}},"clientInfo":{"name":"h","version":"1"}}}`);
    const refused = JSON.parse(await host.waitForLine((l) => l.startsWith('{') && JSON.parse(l).id === 1));
    assert.equal(refused.error?.code, -32600, JSON.stringify(refused).slice(0, 300));
    assert.match(refused.error.message, /^mcp-route: the initialize request cannot be re-encoded/);
    // Still alive: a normal initialize and a ping go through.
    const init = await host.request(2, 'initialize', INITIALIZE());
    assert.equal(init.result.serverInfo.name, 'faulty-server');
    assert.deepEqual((await host.request(3, 'ping')).result, {});
  } finally {
    await host.close();
  }
});

test('a server that samples before the host initializes waits for it: the client provider serves once the host declared sampling', e2e, async () => {
  const policy = ['version: 1', 'providers: { host: { type: client } }', 'models: { host-model: { provider: host } }', 'defaults: { models: [host-model] }', 'state: { store: memory }', ''].join('\n');
  const host = startRawHost({ policy, env: { ...env, FAULTY_EARLY_SAMPLING: 'early' } });
  try {
    // The host initializes only once the server's early request is on its way to mcp-route.
    await waitUntil(() => host.stderr().includes('early sampling request written'), 'the early request', 15_000);
    await host.request(1, 'initialize', INITIALIZE({ sampling: {} }));
    host.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    host.send({ jsonrpc: '2.0', id: 2, method: 'faulty/emit', params: { lines: [samplingLine('later')], awaitIds: ['early', 'later'] } });
    // Answer every sampling request mcp-route hands to the host.
    const answered = new Set<string>();
    const answerAll = setInterval(() => {
      for (const line of host.lines) {
        if (!line.includes('"sampling/createMessage"')) continue;
        const { id } = JSON.parse(line);
        if (answered.has(id)) continue;
        answered.add(id);
        host.send({ jsonrpc: '2.0', id, result: { role: 'assistant', content: { type: 'text', text: 'from the host' }, model: 'host-model' } });
      }
    }, 10);
    try {
      const done = JSON.parse(await host.waitForLine((l) => JSON.parse(l).id === 2, 20_000));
      const { searly, slater } = done.result.responses;
      assert.equal(searly[0]?.result?.content?.text, 'from the host', JSON.stringify(searly));
      assert.equal(slater[0]?.result?.content?.text, 'from the host', JSON.stringify(slater));
    } finally {
      clearInterval(answerAll);
    }
  } finally {
    await host.close();
  }
});

test('a malformed sampling result from the host is a failed attempt: the next candidate answers', e2e, async () => {
  const fake = await startFakeOpenAI();
  fake.setDefault(() => ({ body: openaiCompletionBody({ text: 'from the fallback' }) }));
  const policy = [
    'version: 1',
    'providers:',
    '  host: { type: client }',
    `  oa: { type: openai, apiKey: "\${OPENAI_API_KEY}", baseURL: ${fake.baseURL} }`,
    'models:',
    '  host-model: { provider: host }',
    '  gpt-x: { provider: oa, contextWindow: 100000 }',
    'defaults: { models: [host-model, gpt-x], retry: { attempts: 1 }, cooldown: 0ms }',
    'state: { store: memory }',
    '',
  ].join('\n');
  const host = startRawHost({ policy, env });
  try {
    await host.request(1, 'initialize', INITIALIZE({ sampling: {} }));
    host.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    host.send({ jsonrpc: '2.0', id: 2, method: 'faulty/emit', params: { lines: [samplingLine('s1')], awaitIds: ['s1'] } });
    const asked = JSON.parse(await host.waitForLine((l) => l.includes('"sampling/createMessage"')));
    // No role, content a string: not a CreateMessageResult.
    host.send({ jsonrpc: '2.0', id: asked.id, result: { content: 'just text', model: 'host-model' } });
    const done = JSON.parse(await host.waitForLine((l) => JSON.parse(l).id === 2));
    const [answer] = done.result.responses.ss1;
    assert.equal(answer.result?.content?.text, 'from the fallback', JSON.stringify(answer));
    assert.equal(fake.requests.length, 1);
  } finally {
    await host.close();
    await fake.close();
  }
});
