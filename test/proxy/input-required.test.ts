// The 2026 input_required coordinator in process, between two recorded sides and a real
// router (mock provider): the cases the end-to-end tests cannot reach cheaply (unknown and
// expired handles, the deadline, malformed results, sampling routed to the host's own model)
// plus the era helpers and the handle store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePolicy } from '../../src/policy/load.js';
import { createRouter } from '../../src/router/router.js';
import { inputRequiredSides, type Msg } from '../helpers/input-required-sides.js';
import { InputHandles, HANDLE_PREFIX } from '../../src/proxy/input-handles.js';
import { mayBeModern, modernMeta, withSamplingCapability, CLIENT_CAPABILITIES_META, PROTOCOL_VERSION_META } from '../../src/proxy/era.js';
import type { Router } from '../../src/router/types.js';

function policy(extra: Record<string, unknown> = {}) {
  return normalisePolicy({
    version: 1,
    providers: {
      canned: { type: 'mock', responses: [{ match: 'slow', text: 'late', delay: 10_000 }, { text: 'mock says hi' }] },
      host: { type: 'client' },
    },
    models: { 'mock-model': { provider: 'canned' }, 'host-model': { provider: 'host' } },
    defaults: { models: ['mock-model'] },
    ...extra,
  });
}

const setup = (router: Router) => inputRequiredSides(router);

const meta = (caps: Record<string, unknown> = {}) => ({ [PROTOCOL_VERSION_META]: '2026-07-28', [CLIENT_CAPABILITIES_META]: caps });
const toolCall = (id: number, extra: Record<string, unknown> = {}, caps: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'tool', arguments: {}, _meta: meta(caps), ...extra },
});
const sampling = (text: string) => ({ method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens: 10 } });
const inputRequired = (id: unknown, result: Record<string, unknown>) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result: { resultType: 'input_required', ...result } }));
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
};

describe('era helpers', () => {
  it("recognise a 2026 request by its _meta and add sampling while keeping the host's capabilities", () => {
    const message = toolCall(1, {}, { elicitation: { form: {} }, roots: {} });
    assert.ok(modernMeta(message));
    assert.equal(modernMeta({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta: { progressToken: 1 } } }), undefined);
    assert.equal(mayBeModern(Buffer.from(JSON.stringify(message))), true);
    assert.equal(mayBeModern(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}')), false);
    const caps = (m: Msg) => m.params._meta[CLIENT_CAPABILITIES_META];
    assert.deepEqual(caps(withSamplingCapability(message, false)), { elicitation: { form: {} }, roots: {}, sampling: {} });
    assert.deepEqual(caps(withSamplingCapability(message, true)), { elicitation: { form: {} }, roots: {}, sampling: { tools: {} } });
    assert.deepEqual(message.params._meta[CLIENT_CAPABILITIES_META], { elicitation: { form: {} }, roots: {} }, "the host's message is not mutated");
  });
});

describe('InputHandles', () => {
  it('gives random single-use handles that expire and are capped', () => {
    let t = 0;
    const handles = new InputHandles(1000, 2, () => t);
    const round = { method: 'tools/call', answered: {}, hostKeys: ['a'], rounds: 1 };
    const a = handles.put(round);
    const b = handles.put(round);
    assert.ok(a.startsWith(HANDLE_PREFIX) && a !== b);
    assert.deepEqual(handles.take(a), round);
    assert.equal(handles.take(a), undefined, 'single use');
    handles.put(round);
    handles.put(round); // the cap drops the oldest (b)
    assert.equal(handles.size, 2);
    assert.equal(handles.take(b), undefined);
    const c = handles.put(round);
    t = 5000;
    assert.equal(handles.take(c), undefined, 'expired');
    assert.equal(InputHandles.looksLikeHandle('server-state'), false);
  });
});

describe('InputRequiredCalls', () => {
  it('answers an unknown handle with -32602 and an mcp-route message, sending nothing to the server', () => {
    const { calls, toHost, toServer, settled } = setup(createRouter(policy()));
    const out = calls.fromHost(toolCall(7, { requestState: `${HANDLE_PREFIX}forged` }), 7, 'tools/call');
    assert.equal(out, null);
    assert.equal(toServer.length, 0);
    assert.equal(toHost[0]!.id, 7);
    assert.equal(toHost[0]!.error.code, -32602);
    assert.match(toHost[0]!.error.message, /^mcp-route: unknown or expired requestState handle/);
    assert.deepEqual(settled, [7]);
  });

  it("passes a 2025-shaped final result for the host's own id through as the original bytes", () => {
    const { calls } = setup(createRouter(policy()));
    calls.fromHost(toolCall(3), 3, 'tools/call');
    const frame = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 3, result: { content: [], resultType: 'complete' } }));
    assert.equal(calls.fromServer(3, frame, undefined), true);
    assert.equal(calls.ownsResponse(3), false, 'the call is over');
  });

  it('a malformed input_required result gets an isError naming the problem; nothing is repeated', async () => {
    const { calls, toHost, toServer } = setup(createRouter(policy()));
    calls.fromHost(toolCall(1), 1, 'tools/call');
    assert.equal(calls.fromServer(1, inputRequired(1, { inputRequests: [sampling('x')] }), undefined), null);
    await until(() => toHost.length === 1, 'the host answer');
    assert.equal(toHost[0]!.result.isError, true);
    assert.match(toHost[0]!.result.content[0].text, /^mcp-route: the server's input_required result has inputRequests that is not an object/);
    assert.equal(toServer.length, 0);
  });

  it('the policy deadline covers the rounds: tools/call gets isError, prompts/get a JSON-RPC error', async () => {
    const { calls, toHost } = setup(createRouter(policy({ defaults: { models: ['mock-model'], deadline: '300ms' } })));
    calls.fromHost(toolCall(1), 1, 'tools/call');
    calls.fromServer(1, inputRequired(1, { inputRequests: { s: sampling('slow') } }), undefined);
    calls.fromHost({ jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'p', _meta: meta() } }, 2, 'prompts/get');
    calls.fromServer(2, inputRequired(2, { inputRequests: { s: sampling('slow') } }), undefined);
    await until(() => toHost.length === 2, 'both answers');
    const tool = toHost.find((m) => m.id === 1)!;
    assert.equal(tool.result.isError, true);
    assert.match(tool.result.content[0].text, /^mcp-route: .*deadline/);
    const prompt = toHost.find((m) => m.id === 2)!;
    assert.equal(prompt.error.code, -32603);
    assert.match(prompt.error.message, /^mcp-route: .*deadline/);
  });

  it('sampling the policy sends to the client provider goes to a host that declared sampling, and comes back merged', async () => {
    const p = policy({ defaults: { models: ['host-model', 'mock-model'] } });
    const { calls, toHost, toServer } = setup(createRouter(p));
    calls.fromHost(toolCall(1, {}, { sampling: {} }), 1, 'tools/call');
    calls.fromServer(1, inputRequired(1, { inputRequests: { s: sampling('hello') }, requestState: 'server-state' }), undefined);
    await until(() => toHost.length === 1, 'the host round');
    const round = toHost[0]!.result;
    assert.equal(round.resultType, 'input_required');
    assert.deepEqual(Object.keys(round.inputRequests), ['s']);
    assert.ok(round.requestState.startsWith(HANDLE_PREFIX));
    const answer = { role: 'assistant', model: 'host-llm', content: { type: 'text', text: 'from the host' } };
    const leg: Msg = calls.fromHost(toolCall(2, { inputResponses: { s: answer }, requestState: round.requestState }, { sampling: {} }), 2, 'tools/call')!;
    assert.equal(leg.id, 2);
    assert.deepEqual(leg.params.inputResponses, { s: answer });
    assert.equal(leg.params.requestState, 'server-state');
    assert.equal(toServer.length, 0, 'the proxy forwards the returned leg itself');

    // Without sampling declared by the host, the same policy falls back to the mock (the client provider is unusable).
    const second = setup(createRouter(p));
    second.calls.fromHost(toolCall(5), 5, 'tools/call');
    second.calls.fromServer(5, inputRequired(5, { inputRequests: { s: sampling('hello') } }), undefined);
    await until(() => second.toServer.length === 1 || second.toHost.length > 0, 'the hidden leg');
    assert.deepEqual(second.toHost, []);
    assert.equal(second.toServer[0]!.params.inputResponses.s.content.text, 'mock says hi');
    assert.equal(second.toHost.length, 0);
  });
});
