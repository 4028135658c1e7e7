// Approval questions for a 2026 host, in process: the InputRequiredCalls coordinator between two
// recorded sides and a real router (mock provider, outcomes recorded). The cases the end-to-end
// tests cannot reach cheaply: several questions in one round, a refusal while a question waits,
// a handle dropped by the cap, a server key that looks like ours, a cancel after the answer,
// and the session caps on the 2026 path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePolicy } from '../../src/policy/load.js';
import { createRouter } from '../../src/router/router.js';
import { inputRequiredSides, type Msg } from '../helpers/input-required-sides.js';
import { CLIENT_CAPABILITIES_META, PROTOCOL_VERSION_META } from '../../src/proxy/era.js';
import { SamplingSession } from '../../src/approval/session.js';
import type { SamplingOutcome } from '../../src/router/types.js';

const APPROVAL_KEY = /^mcp-route-approval-[0-9a-f]{8}-\d+$/;

function setup(extra: Record<string, unknown> = {}, defaults: Record<string, unknown> = {}, session = new SamplingSession()) {
  const outcomes: SamplingOutcome[] = [];
  const router = createRouter(
    normalisePolicy({
      version: 1,
      providers: { canned: { type: 'mock', responses: [{ match: 'slow', text: 'late', delay: 10_000 }, { text: 'mock says hi' }] } },
      models: { 'mock-model': { provider: 'canned' } },
      defaults: { models: ['mock-model'], approval: 'ask', ...defaults },
      ...extra,
    }),
    { onOutcome: (o) => outcomes.push(o) },
  );
  return { ...inputRequiredSides(router, { session }), outcomes };
}

const ELICITING = { [PROTOCOL_VERSION_META]: '2026-07-28', [CLIENT_CAPABILITIES_META]: { elicitation: { form: {} } } };
const toolCall = (id: number, extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'tool', arguments: {}, _meta: ELICITING, ...extra } });
const sampling = (text: string, maxTokens = 10) => ({ method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens } });
const inputRequired = (id: unknown, result: Record<string, unknown>) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result: { resultType: 'input_required', ...result } }));
const approve = { action: 'accept', content: { approve: true } };
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
};

/** Starts a call whose server asks `requests`, and waits for what the host is shown. */
async function askedRound(s: ReturnType<typeof setup>, id: number, requests: Record<string, unknown>, state?: string): Promise<Msg> {
  s.calls.fromHost(toolCall(id), id, 'tools/call');
  s.calls.fromServer(id, inputRequired(id, { inputRequests: requests, ...(state ? { requestState: state } : {}) }), undefined);
  await until(() => s.toHost.some((m) => m.id === id), `the host's round for ${id}`);
  return s.toHost.find((m) => m.id === id)!;
}

describe('approval questions for a 2026 host', () => {
  it('asks one question per sampling entry, and sends the server only its own keys once both are approved', async () => {
    const s = setup();
    const round = (await askedRound(s, 1, { a: sampling('one'), b: sampling('two') }, 'st')).result;
    assert.equal(round.resultType, 'input_required');
    const keys = Object.keys(round.inputRequests);
    assert.equal(keys.length, 2);
    for (const key of keys) assert.match(key, APPROVAL_KEY);
    assert.equal(s.outcomes.length, 0, 'nothing routed yet');
    assert.equal(s.calls.fromHost(toolCall(2, { requestState: round.requestState, inputResponses: Object.fromEntries(keys.map((k) => [k, approve])) }), 2, 'tools/call'), null);
    await until(() => s.toServer.length === 1, 'the repeat');
    const leg = s.toServer[0]!;
    assert.match(leg.id, /-leg-/);
    assert.deepEqual(Object.keys(leg.params.inputResponses).sort(), ['a', 'b']);
    assert.equal(leg.params.requestState, 'st');
    assert.deepEqual(
      s.outcomes.map((o) => o.outcome),
      ['ok', 'ok'],
    );
  });

  it('a question the retry leaves out is a cancel: the call fails and nothing reaches the server', async () => {
    const s = setup();
    const round = (await askedRound(s, 1, { a: sampling('one') })).result;
    s.calls.fromHost(toolCall(2, { requestState: round.requestState, inputResponses: { a: approve } }), 2, 'tools/call');
    await until(() => s.toHost.length === 2, 'the refusal');
    assert.equal(s.toHost[1]!.result.isError, true);
    assert.match(s.toHost[1]!.result.content[0].text, /not approved \(the host answered cancel\)/);
    assert.equal(s.toServer.length, 0);
  });

  it('a refusal of one entry while another waits for a human fails the call without asking', async () => {
    const s = setup({ rules: [{ name: 'small-only', when: { maxTokens: { gt: 50 } }, action: 'deny', message: 'too long' }] });
    const answer = await askedRound(s, 1, { big: sampling('big', 100), small: sampling('small') });
    assert.equal(answer.result.isError, true);
    assert.match(answer.result.content[0].text, /too long/);
    assert.equal(s.toHost.length, 1, 'no input_required was shown');
    await until(() => s.outcomes.length === 2, 'both outcomes');
    assert.deepEqual(s.outcomes.map((o) => o.outcome).sort(), ['aborted', 'denied']);
  });

  it('a handle dropped by inputRequired.maxHandles ends its waiting router call; its retry is unknown', async () => {
    const s = setup({ inputRequired: { maxHandles: 1 } });
    const first = (await askedRound(s, 1, { s: sampling('one') })).result;
    await askedRound(s, 2, { s: sampling('two') });
    await until(() => s.outcomes.length === 1, "the dropped call's outcome");
    assert.equal(s.outcomes[0]!.outcome, 'aborted');
    s.calls.fromHost(toolCall(3, { requestState: first.requestState, inputResponses: { x: approve } }), 3, 'tools/call');
    assert.equal(s.toHost.at(-1)!.error.code, -32602);
  });

  it('a host whose elicitation is url mode only cannot be asked: approvalFallback answers', async () => {
    const s = setup();
    const urlOnly = { [PROTOCOL_VERSION_META]: '2026-07-28', [CLIENT_CAPABILITIES_META]: { elicitation: { url: {} } } };
    s.calls.fromHost({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'tool', arguments: {}, _meta: urlOnly } }, 1, 'tools/call');
    s.calls.fromServer(1, inputRequired(1, { inputRequests: { s: sampling('one') } }), undefined);
    await until(() => s.toHost.length === 1, 'the refusal');
    assert.match(s.toHost[0]!.result.content[0].text, /nobody can be asked: the host declared no elicitation, and approvalFallback is deny/);
    assert.deepEqual(s.outcomes[0]!.approval, { asked: false, result: 'declined', by: 'fallback' });
  });

  it("a question key never collides with a server key, even one that copies mcp-route's prefix", async () => {
    const s = setup();
    const taken = `${(s.calls as unknown as { approvalPrefix: string }).approvalPrefix}1`;
    const round = (await askedRound(s, 1, { [taken]: sampling('one') })).result;
    const keys = Object.keys(round.inputRequests);
    assert.equal(keys.length, 1);
    assert.notEqual(keys[0], taken);
    assert.match(keys[0]!, APPROVAL_KEY);
  });

  it('a cancel after the approval aborts the provider call; neither side hears more', async () => {
    const s = setup();
    const round = (await askedRound(s, 1, { s: sampling('slow') })).result;
    const key = Object.keys(round.inputRequests)[0]!;
    s.calls.fromHost(toolCall(2, { requestState: round.requestState, inputResponses: { [key]: approve } }), 2, 'tools/call');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.calls.cancelledByHost(2, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } }), null);
    await until(() => s.outcomes.length === 1, 'the outcome');
    assert.equal(s.outcomes[0]!.outcome, 'aborted');
    assert.equal(s.outcomes[0]!.approval?.result, 'approved');
    assert.equal(s.toHost.length, 1);
    assert.equal(s.toServer.length, 0);
  });

  it("the 2026 path counts against the connection's limits and skips remembered questions", async () => {
    const s = setup({}, { limits: { requestsPerSession: 2 } });
    const round = (await askedRound(s, 1, { s: sampling('one') })).result;
    const key = Object.keys(round.inputRequests)[0]!;
    s.calls.fromHost(toolCall(2, { requestState: round.requestState, inputResponses: { [key]: { action: 'accept', content: { approve: true, remember: true } } } }), 2, 'tools/call');
    await until(() => s.toServer.length === 1, 'the repeat');
    // Remembered: the second call is answered without a question.
    s.calls.fromHost(toolCall(3), 3, 'tools/call');
    s.calls.fromServer(3, inputRequired(3, { inputRequests: { s: sampling('two') } }), undefined);
    await until(() => s.toServer.length === 2, 'the second repeat');
    assert.equal(s.outcomes[1]!.approval?.by, 'remembered');
    // The third sampling request of the connection is beyond requestsPerSession.
    const third = await askedRound(s, 4, { s: sampling('three') });
    assert.equal(third.result.isError, true);
    assert.match(third.result.content[0].text, /limits\.requestsPerSession \(2/);
    assert.equal(s.toHost.filter((m) => m.result?.resultType === 'input_required').length, 1, 'asked once');
  });

  it("a connection shared by several clients (serve's 2026 child) remembers no answer: the next request is asked again", async () => {
    const s = setup({}, {}, new SamplingSession(false));
    const round = (await askedRound(s, 1, { s: sampling('one') })).result;
    const key = Object.keys(round.inputRequests)[0]!;
    s.calls.fromHost(toolCall(2, { requestState: round.requestState, inputResponses: { [key]: { action: 'accept', content: { approve: true, remember: true } } } }), 2, 'tools/call');
    await until(() => s.toServer.length === 1, 'the repeat');
    const again = await askedRound(s, 3, { s: sampling('two') });
    assert.equal(again.result.resultType, 'input_required', 'asked again, not answered from a remembered approval');
    assert.equal(s.outcomes.filter((o) => o.approval?.by === 'remembered').length, 0);
  });
});
