// Protocol 2026-07-28 end to end: an SDK v2 Client pinned to 2026-07-28 and declaring no
// sampling (like Claude Code) is the host; the BUILT CLI sits in front of a dual-era SDK v2
// server whose tools ask for sampling through input_required results. Every case is checked
// on both wires: what the server read from mcp-route, and what the host received.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { e2e as e2eBase, tempDir, writePolicy } from './harness.js';
import { connectV2Host, legsFor, MRTR_FIXTURE, until, type Msg, type V2Host } from './harness-v2.js';

// Each case starts mcp-route twice (the v2 client probes server/discover in a sibling process).
const e2e = { ...e2eBase, timeout: 90_000 };
const dir = tempDir();
const POLICY = writePolicy(
  dir,
  `
version: 1
providers:
  canned:
    type: mock
    responses:
      - { match: "then wait", text: "slow answer", delay: 30000 }
      - { text: "mock says hi" }
models:
  mock-model: { provider: canned, supports: [text, tools] }
defaults: { models: [mock-model] }
inputRequired: { maxRounds: 3 }
`,
);
const text = (result: unknown) => (result as { content: Array<{ text: string }> }).content[0]!.text;
const hostSawInputRequired = (host: V2Host) => host.received.filter((m) => m.result?.resultType === 'input_required');

async function withHost(runArgs: string[], options: Parameters<typeof connectV2Host>[2], body: (host: V2Host) => Promise<void>): Promise<void> {
  const host = await connectV2Host(dir, runArgs, options);
  try {
    await body(host);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- mcp-route stderr ---\n${host.stderr()}`, { cause: err });
  } finally {
    await host.close();
  }
}

test('one round: the sampling entry is answered by the policy, the request repeated with a new id, the host sees only the final result', e2e, async () => {
  const audit = join(dir, 'audit-one.jsonl');
  await withHost(['--policy', POLICY, '--audit', audit], { capabilities: { elicitation: {} } }, async (host) => {
    const result = await host.client.callTool({ name: 'ask', arguments: { q: 'hello' } });
    const serverState = `state-1 "quoted" ü ${'x'.repeat(20)}`;
    assert.equal(text(result), `answer: mock says hi; state: ${serverState}`);

    const legs = legsFor(host, 'ask');
    assert.equal(legs.length, 2);
    const [first, second] = legs as [Msg, Msg];
    // Every 2026 request reaches the server with sampling added and the host's own capabilities kept.
    for (const leg of legs) {
      const caps = leg.params._meta['io.modelcontextprotocol/clientCapabilities'];
      assert.deepEqual(caps.elicitation, {});
      assert.ok(caps.sampling, 'sampling declared to the server');
    }
    const discover = host.serverWire().find((e) => e.dir === 'in' && e.message.method === 'server/discover');
    assert.ok(discover?.message.params._meta['io.modelcontextprotocol/clientCapabilities'].sampling, 'server/discover carries sampling too');
    // The repeat: a new id from mcp-route's own namespace, the host's params, bare results, the state byte for byte.
    assert.equal(typeof second.id, 'string');
    assert.match(second.id, /^mcp-route-[0-9a-f]{8}-leg-\d+$/);
    assert.notEqual(second.id, first.id);
    assert.deepEqual(second.params.arguments, { q: 'hello' });
    assert.equal(second.params.requestState, serverState);
    const answer = second.params.inputResponses.s;
    assert.equal(answer.role, 'assistant');
    assert.deepEqual(answer.content, { type: 'text', text: 'mock says hi' });
    assert.equal(answer.method, undefined, 'a bare CreateMessageResult, not a {method, result} envelope');
    // The host: one response for its id, never an input_required.
    assert.deepEqual(hostSawInputRequired(host), []);
    const forCall = host.received.filter((m) => m.id === first.id);
    assert.equal(forCall.length, 1);
    assert.equal(forCall[0]!.result.resultType, 'complete');

    const line = JSON.parse(readFileSync(audit, 'utf8').trim().split('\n').at(-1)!);
    assert.equal(line.outcome, 'ok');
    assert.equal(line.server, 'mrtr-fixture', 'the server name comes from the result _meta (2026 has no initialize)');
    assert.deepEqual(line.inputRound, { method: 'tools/call', name: 'ask', hostRequestId: first.id, round: 1, key: 's' });
  });
});

test('two rounds, load shedding, and a prompt: each hidden round answered, requestState carried exactly', e2e, async () => {
  await withHost(['--policy', POLICY], {}, async (host) => {
    assert.equal(text(await host.client.callTool({ name: 'ask-twice', arguments: {} })), 'second: mock says hi');
    const twice = legsFor(host, 'ask-twice');
    assert.equal(twice.length, 3);
    assert.deepEqual(
      twice.map((l) => l.params.requestState),
      [undefined, 'round-1', 'round-2'],
    );
    assert.deepEqual(Object.keys(twice[1]!.params.inputResponses), ['first']);
    assert.deepEqual(Object.keys(twice[2]!.params.inputResponses), ['second']);
    assert.equal(new Set(twice.map((l) => l.id)).size, 3, 'every leg has its own id');

    assert.equal(text(await host.client.callTool({ name: 'busy', arguments: {} })), 'after shedding: mock says hi');
    const busy = legsFor(host, 'busy');
    assert.equal(busy.length, 3);
    assert.equal(busy[1]!.params.requestState, 'come-back-later');
    assert.equal(busy[1]!.params.inputResponses, undefined, 'a load-shedding retry carries only the state');

    const prompt = await host.client.getPrompt({ name: 'summary', arguments: { topic: 'cats' } });
    assert.deepEqual(prompt.messages[0]!.content, { type: 'text', text: 'summary of cats: mock says hi' });
    assert.equal(legsFor(host, 'summary')[1]!.params.requestState, 'prompt-state');
    assert.deepEqual(hostSawInputRequired(host), []);
  });
});

test('a mixed round: the host answers only the elicitation, behind a handle; the server gets both answers and its own state', e2e, async () => {
  const asked: Msg[] = [];
  await withHost(
    ['--policy', POLICY],
    {
      capabilities: { elicitation: {} },
      setup: (client) =>
        client.setRequestHandler('elicitation/create', async (request) => {
          asked.push(request.params as Msg);
          return { action: 'accept', content: { ok: true } };
        }),
    },
    async (host) => {
      const result = await host.client.callTool({ name: 'ask-and-confirm', arguments: {} });
      assert.equal(text(result), 'draft: mock says hi; confirmed: accept/true; state: mixed-state');
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.message, 'Publish the draft?');

      const seen = hostSawInputRequired(host);
      assert.equal(seen.length, 1);
      assert.deepEqual(Object.keys(seen[0]!.result.inputRequests), ['confirm'], "only the host's entry");
      const handle = seen[0]!.result.requestState as string;
      assert.match(handle, /^mcp-route-handle:/);

      const legs = legsFor(host, 'ask-and-confirm');
      assert.equal(legs.length, 2);
      const last = legs[1]!;
      assert.equal(last.params.requestState, 'mixed-state');
      assert.deepEqual(Object.keys(last.params.inputResponses).sort(), ['confirm', 'draft']);
      assert.ok(!JSON.stringify(host.serverWire()).includes(handle), 'the server never sees the handle');
    },
  );
});

test("progress keeps the host's token on every leg and never goes backwards for the host", e2e, async () => {
  await withHost(['--policy', POLICY], {}, async (host) => {
    const seen: number[] = [];
    await host.client.callTool({ name: 'progress', arguments: {} }, { onprogress: (p) => seen.push(p.progress) });
    const legs = legsFor(host, 'progress');
    assert.equal(legs.length, 2);
    const token = legs[0]!.params._meta.progressToken;
    assert.notEqual(token, undefined);
    assert.equal(legs[1]!.params._meta.progressToken, token);
    const fromServer = host
      .serverWire()
      .filter((e) => e.dir === 'out' && e.message.method === 'notifications/progress')
      .map((e) => e.message.params.progress);
    assert.deepEqual(fromServer, [1, 2, 1, 2], 'the server starts again on the second leg');
    // Asserted on the host's wire (in arrival order): under load the SDK client may drop a
    // notification it dispatches after the final response, so its callback is not the measure.
    const toHost = host.received.filter((m) => m.method === 'notifications/progress').map((m) => m.params.progress);
    assert.deepEqual(toHost, [1, 2, 3, 4]);
    assert.ok(
      seen.every((v, i) => i === 0 || v > seen[i - 1]!),
      `the callback saw ${JSON.stringify(seen)}`,
    );
  });
});

test('a server that always asks is cut off after inputRequired.maxRounds with an isError result naming the limit', e2e, async () => {
  await withHost(['--policy', POLICY], {}, async (host) => {
    const result = await host.client.callTool({ name: 'always-asks', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(text(result), /^mcp-route: the server still asked for input after 3 rounds \(the limit, inputRequired\.maxRounds\)/);
    assert.equal(legsFor(host, 'always-asks').length, 4, 'the first request and three repeats');
  });
});

test('a host cancellation reaches the server as a cancellation of the leg in flight', e2e, async () => {
  const policy = writePolicy(dir, readFileSync(POLICY, 'utf8').replace('match: "then wait"', 'match: "never matches"'), 'cancel.yaml');
  await withHost(['--policy', policy], {}, async (host) => {
    const controller = new AbortController();
    const call = host.client.callTool({ name: 'slow-after-sampling', arguments: {} }, { signal: controller.signal });
    const leg = await until(() => legsFor(host, 'slow-after-sampling')[1], 'the hidden leg at the server');
    controller.abort();
    await assert.rejects(call);
    const cancel = await until(() => host.serverWire().find((e) => e.dir === 'in' && e.message.method === 'notifications/cancelled')?.message, 'the cancellation at the server');
    assert.equal(cancel.params.requestId, leg.id, "cancelled under mcp-route's leg id, not the host's");
    assert.match(leg.id, /^mcp-route-/);
  });
});

test('cancelling while mcp-route answers aborts the provider call and releases the budget reservation', e2e, async () => {
  const state = join(dir, 'cancel-state.db');
  const policy = writePolicy(dir, `${readFileSync(POLICY, 'utf8')}budgets:\n  - { name: tokens, tokens: 100000 }\nstate: { store: sqlite, path: ${JSON.stringify(state)} }\n`, 'budget.yaml');
  const gate = createBudgetGate(loadPolicyFile(policy));
  after(() => gate.close());
  const tokens = async () => (await gate.status({})).find((r) => r.name === 'tokens');
  await withHost(['--policy', policy], {}, async (host) => {
    const controller = new AbortController();
    const call = host.client.callTool({ name: 'slow-after-sampling', arguments: {} }, { signal: controller.signal });
    // The mock answers "then wait" after 30 s: the reservation is held meanwhile.
    for (let i = 0; ; i++) {
      const row = await tokens();
      if (row && row.reserved > 0) break;
      if (i > 800) throw new Error('no reservation appeared');
      await new Promise((r) => setTimeout(r, 25));
    }
    controller.abort();
    await assert.rejects(call);
    for (let i = 0; ; i++) {
      const row = await tokens();
      if (row && row.reserved === 0) {
        assert.equal(row.used, 0, 'nothing charged for the aborted call');
        break;
      }
      if (i > 800) throw new Error(`the reservation was not released: ${JSON.stringify(row)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(legsFor(host, 'slow-after-sampling').length, 1, 'no further leg after the cancellation');
    assert.ok(!host.received.some((m) => m.id !== undefined && m.result?.content), 'nothing answered the cancelled call');
  });
});

test('a server that exits mid-round gives the host today\'s "server exited" error for its id', e2e, async () => {
  await withHost(['--policy', POLICY], {}, async (host) => {
    await assert.rejects(host.client.callTool({ name: 'exit-on-repeat', arguments: {} }), /mcp-route: the server exited \(code 3\) before answering/);
    const legs = legsFor(host, 'exit-on-repeat');
    assert.equal(legs.length, 2, 'it exited on the hidden repeat');
    const answer = host.received.find((m) => m.id === legs[0]!.id);
    assert.equal(answer?.error?.code, -32000);
    assert.equal(answer?.error?.data?.reason, 'SERVER_EXITED');
  });
});

test('the same server serves a 2025 SDK v1 host (classic sampling, answered by mcp-route) and a v2 host in auto mode', e2e, async () => {
  const transport = new V1Transport({
    command: process.execPath,
    args: [CLI, 'run', '--grace', '300', '--policy', POLICY, '--', process.execPath, MRTR_FIXTURE],
    cwd: ROOT,
    stderr: 'pipe',
  });
  const v1 = new V1Client({ name: 'v1-host', version: '1.0.0' }, { capabilities: {} });
  await v1.connect(transport);
  try {
    const result = await v1.callTool({ name: 'ask', arguments: { q: 'hello' } });
    assert.match(text(result), /^answer: mock says hi/);
  } finally {
    await v1.close();
  }
  await withHost(['--policy', POLICY], { mode: 'auto' }, async (host) => {
    assert.equal(host.client.getProtocolEra(), 'modern');
    assert.match(text(await host.client.callTool({ name: 'ask', arguments: { q: 'auto' } })), /^answer: mock says hi/);
  });
});
