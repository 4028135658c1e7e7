// Approval for a 2026-07-28 host, end to end through the BUILT CLI: a real SDK v2 Client pinned
// to 2026-07-28 (it receives no pushed requests) in front of the dual-era SDK v2 fixture server.
// The question reaches the host as an elicitation entry of an input_required result behind a
// handle; the host's retry brings the answer. A fake OpenAI on 127.0.0.1 records every provider
// call; both wires (what the host received, what the server read) are asserted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { e2e as e2eBase, tempDir, writePolicy } from './harness.js';
import { connectV2Host, legsFor, until, type Msg, type V2Host } from './harness-v2.js';

// Each host starts mcp-route twice (the v2 client probes server/discover in a sibling process).
const e2e = { ...e2eBase, timeout: 90_000 };
const dir = tempDir();
const openai = await startFakeOpenAI();
after(() => openai.close());

const APPROVAL_KEY = /^mcp-route-approval-[0-9a-f]{8}-\d+$/;
const SERVER_STATE = `state-1 "quoted" ü ${'x'.repeat(20)}`;

function policy(name: string, settings = 'approval: ask', extra = ''): string {
  return writePolicy(
    dir,
    `version: 1
providers:
  oa: { type: openai, apiKey: "sk-test-approval-2026-0123456789", baseURL: "${openai.baseURL}" }
models:
  gpt-4o-mini: { provider: oa, supports: [text, tools], cost: { input: 0.15, output: 0.6 } }
defaults: { models: [gpt-4o-mini], ${settings} }
${extra}`,
    name,
  );
}

type Elicit = { message: string; mode?: string; requestedSchema?: { properties: Record<string, { type: string }> } };
/** What the host answers one elicitation with; a function may wait before answering. */
type Answer = Record<string, unknown> | ((params: Elicit) => Promise<Record<string, unknown>>);

const accept = (approve: boolean, remember = false) => ({ action: 'accept', content: { approve, remember } });
const text = (result: unknown) => (result as { content: Array<{ text: string }> }).content[0]!.text;
const inputRequiredSeen = (host: V2Host) => host.received.filter((m) => m.result?.resultType === 'input_required');
const auditLines = (path: string) =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

/** A v2 host that declares form elicitation and answers mcp-route's questions from `answers` in turn. */
async function withAskingHost(
  runArgs: string[],
  answers: Answer[],
  body: (host: V2Host, asked: Elicit[], providerCallsWhenAsked: number[]) => Promise<void>,
  options: { declare?: boolean; onOther?: (params: Elicit) => Record<string, unknown> } = {},
): Promise<void> {
  const asked: Elicit[] = [];
  const providerCallsWhenAsked: number[] = [];
  const host = await connectV2Host(dir, runArgs, {
    capabilities: options.declare === false ? {} : { elicitation: {} },
    // Without the capability the SDK refuses a handler; such a host can be asked nothing.
    setup: (client) =>
      options.declare !== false &&
      client.setRequestHandler('elicitation/create', async (request) => {
        const params = request.params as unknown as Elicit;
        if (!params.message.startsWith('mcp-route:')) return (options.onOther?.(params) ?? { action: 'decline' }) as never;
        asked.push(params);
        providerCallsWhenAsked.push(openai.requests.length);
        const answer = answers.shift() ?? { action: 'decline' };
        return (typeof answer === 'function' ? await answer(params) : answer) as never;
      }),
  });
  try {
    await body(host, asked, providerCallsWhenAsked);
  } catch (err) {
    const wire = host.serverWire().map((e) => `${e.dir} ${JSON.stringify(e.message)}`);
    throw new Error(`${(err as Error).message}\n--- mcp-route stderr ---\n${host.stderr()}\n--- server wire ---\n${wire.join('\n')}`, { cause: err });
  } finally {
    await host.close();
  }
}

test('a 2026 host is asked through an input_required elicitation entry; the provider is called only after accept + approve', e2e, async () => {
  openai.reset();
  const audit = join(dir, 'audit-accept.jsonl');
  await withAskingHost(['--policy', policy('accept.yaml'), '--audit', audit], [accept(true)], async (host, asked, callsWhenAsked) => {
    const result = await host.client.callTool({ name: 'ask', arguments: { q: 'summarise the quarterly report please' } });
    assert.equal(text(result), `answer: ok; state: ${SERVER_STATE}`);
    assert.deepEqual(callsWhenAsked, [0], 'no provider call before the answer');
    assert.equal(openai.requests.length, 1);

    // The host's wire: one input_required holding only mcp-route's question, behind a handle.
    const seen = inputRequiredSeen(host);
    assert.equal(seen.length, 1);
    const entries = Object.entries(seen[0]!.result.inputRequests as Record<string, Msg>);
    assert.equal(entries.length, 1);
    const [key, entry] = entries[0]!;
    assert.match(key, APPROVAL_KEY);
    assert.equal(entry.method, 'elicitation/create');
    assert.equal(entry.params.mode, 'form');
    assert.match(entry.params.message, /server "mrtr-fixture"/);
    assert.match(entry.params.message, /oa\/gpt-4o-mini/);
    assert.match(entry.params.message, /cost: up to \$/);
    assert.match(entry.params.message, /summarise the quarterly report/);
    assert.equal(entry.params.requestedSchema.properties.approve.type, 'boolean');
    assert.equal(entry.params.requestedSchema.properties.remember.type, 'boolean');
    assert.equal(asked.length, 1);
    const handle = seen[0]!.result.requestState as string;
    assert.match(handle, /^mcp-route-handle:/);

    // The server's wire: the first leg, then mcp-route's repeat with the sampling answer only.
    const legs = legsFor(host, 'ask');
    assert.equal(legs.length, 2);
    assert.match(String(legs[1]!.id), /^mcp-route-[0-9a-f]{8}-leg-\d+$/);
    assert.deepEqual(Object.keys(legs[1]!.params.inputResponses), ['s'], 'the approval answer never reaches the server');
    assert.equal(legs[1]!.params.requestState, SERVER_STATE);
    const wire = JSON.stringify(host.serverWire());
    assert.ok(!wire.includes(handle) && !wire.includes(key), 'the server never sees the handle or the question');
  });
  const line = auditLines(audit).at(-1);
  assert.deepEqual(line.approval, { asked: true, result: 'approved', by: 'host', response: 'accept' });
  assert.equal(line.outcome, 'ok');
  assert.equal(line.inputRound.round, 1);
});

test("the question rides beside the server's own elicitation in a mixed round; each answer goes where it belongs", e2e, async () => {
  openai.reset();
  await withAskingHost(
    ['--policy', policy('mixed.yaml')],
    [accept(true)],
    async (host, asked) => {
      const result = await host.client.callTool({ name: 'ask-and-confirm', arguments: {} });
      assert.equal(text(result), 'draft: ok; confirmed: accept/true; state: mixed-state');
      assert.equal(asked.length, 1);
      assert.equal(openai.requests.length, 1);
      const seen = inputRequiredSeen(host);
      assert.equal(seen.length, 1);
      const keys = Object.keys(seen[0]!.result.inputRequests).sort();
      assert.equal(keys.length, 2);
      assert.equal(keys[0], 'confirm');
      assert.match(keys[1]!, APPROVAL_KEY);
      const last = legsFor(host, 'ask-and-confirm').at(-1)!;
      assert.deepEqual(Object.keys(last.params.inputResponses).sort(), ['confirm', 'draft']);
      assert.equal(last.params.inputResponses.confirm.content.ok, true);
      assert.equal(last.params.requestState, 'mixed-state');
    },
    { onOther: () => ({ action: 'accept', content: { ok: true } }) },
  );
});

test('decline, cancel and accept with approve false refuse with the 2025 wording, call no provider and send no repeat to the server', e2e, async () => {
  openai.reset();
  const audit = join(dir, 'audit-decline.jsonl');
  await withAskingHost(['--policy', policy('decline.yaml'), '--audit', audit], [{ action: 'decline' }, { action: 'cancel' }, accept(false)], async (host, asked) => {
    for (const expected of [/the host answered decline/, /the host answered cancel/, /\(declined\)$/]) {
      const result = await host.client.callTool({ name: 'ask', arguments: { q: 'hello' } });
      assert.equal(result.isError, true, JSON.stringify(result));
      assert.match(text(result), /^mcp-route: sampling request of server "mrtr-fixture" was not approved/);
      assert.match(text(result), expected);
    }
    assert.equal(asked.length, 3);
    assert.equal(openai.requests.length, 0);
    assert.equal(legsFor(host, 'ask').length, 3, 'only the three first legs: nothing was repeated');
  });
  assert.deepEqual(
    auditLines(audit).map((l) => [l.outcome, l.approval.result, l.approval.response]),
    [
      ['denied', 'declined', 'decline'],
      ['denied', 'declined', 'cancel'],
      ['denied', 'declined', 'accept'],
    ],
  );
});

test('a host that does not come back within approvalTimeout is declined; a handle past handleTtl is unknown', e2e, async () => {
  openai.reset();
  const audit = join(dir, 'audit-timeout.jsonl');
  // The host answers "approve" only after mcp-route has recorded the timeout: too late.
  const late = async () => {
    await until(() => auditLines(audit).length === 1, 'the timeout in the audit file');
    return accept(true);
  };
  await withAskingHost(['--policy', policy('timeout.yaml', 'approval: ask, approvalTimeout: 500ms'), '--audit', audit], [late], async (host, asked) => {
    const result = await host.client.callTool({ name: 'ask', arguments: { q: 'hello' } });
    assert.equal(result.isError, true);
    assert.match(text(result), /not approved \(no answer within 500ms counts as a decline\)/);
    assert.equal(asked.length, 1);
    assert.equal(openai.requests.length, 0);
    assert.equal(legsFor(host, 'ask').length, 1);
  });
  assert.deepEqual(auditLines(audit)[0].approval, { asked: true, result: 'declined', by: 'host', response: 'timeout' });

  // handleTtl shorter than approvalTimeout: nobody can answer after it, so the wait ends there.
  const expired = join(dir, 'audit-expired.jsonl');
  const tooLate = async () => {
    await until(() => auditLines(expired).length === 1, 'the expiry in the audit file');
    await new Promise((r) => setTimeout(r, 50)); // past the handle's TTL, which ended the wait
    return accept(true);
  };
  await withAskingHost(['--policy', policy('expired.yaml', 'approval: ask', 'inputRequired: { handleTtl: 400ms }'), '--audit', expired], [tooLate], async (host) => {
    await assert.rejects(host.client.callTool({ name: 'ask', arguments: { q: 'hello' } }), /unknown or expired requestState handle/);
    assert.equal(openai.requests.length, 0);
    assert.equal(legsFor(host, 'ask').length, 1, 'a retry under an expired handle never reaches the server');
  });
  assert.equal(auditLines(expired)[0].approval.response, 'timeout');
  assert.match(auditLines(expired)[0].error.message, /no answer within 400ms counts as a decline/);
});

test('remember skips the question for later requests of the same server', e2e, async () => {
  openai.reset();
  const audit = join(dir, 'audit-remember.jsonl');
  await withAskingHost(['--policy', policy('remember.yaml'), '--audit', audit], [accept(true, true)], async (host, asked) => {
    for (let i = 0; i < 3; i++) assert.equal(text(await host.client.callTool({ name: 'ask', arguments: { q: `request ${i}` } })), `answer: ok; state: ${SERVER_STATE}`);
    assert.equal(asked.length, 1);
    assert.equal(openai.requests.length, 3);
    assert.equal(inputRequiredSeen(host).length, 1, 'only the first call showed the host an input_required');
  });
  assert.deepEqual(
    auditLines(audit).map((l) => l.approval.by),
    ['host', 'remembered', 'remembered'],
  );
});

test('a 2026 host that declares no elicitation gets approvalFallback: deny refuses, allow proceeds, nothing is asked', e2e, async () => {
  openai.reset();
  await withAskingHost(
    ['--policy', policy('fallback-deny.yaml')],
    [],
    async (host, asked) => {
      const result = await host.client.callTool({ name: 'ask', arguments: { q: 'hello' } });
      assert.equal(result.isError, true);
      assert.match(text(result), /not approved \(nobody can be asked: the host declared no elicitation, and approvalFallback is deny\)/);
      assert.equal(asked.length, 0);
      assert.deepEqual(inputRequiredSeen(host), []);
      assert.equal(openai.requests.length, 0);
    },
    { declare: false },
  );
  const audit = join(dir, 'audit-fallback.jsonl');
  await withAskingHost(
    ['--policy', policy('fallback-allow.yaml', 'approval: ask, approvalFallback: allow'), '--audit', audit],
    [],
    async (host) => {
      assert.equal(text(await host.client.callTool({ name: 'ask', arguments: { q: 'hello' } })), `answer: ok; state: ${SERVER_STATE}`);
      assert.equal(openai.requests.length, 1);
      assert.deepEqual(inputRequiredSeen(host), []);
    },
    { declare: false },
  );
  assert.deepEqual(auditLines(audit)[0].approval, { asked: false, result: 'approved', by: 'fallback' });
});
