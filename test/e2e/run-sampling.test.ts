// End to end through the BUILT CLI: a real SDK Client as host, `mcp-route run`, and the real
// fixture McpServer. Sampling is answered by the mock, by fake OpenAI/Anthropic servers on
// 127.0.0.1, or forwarded to the host; tools are allowed, stripped or denied by the policy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { startFakeAnthropic, anthropicMessage } from '../helpers/fake-anthropic.js';
import { connectHost, sample, e2e, tempDir, writePolicy, callText } from './harness.js';

const dir = tempDir();
const MOCK_POLICY = `
version: 1
providers:
  canned:
    type: mock
    responses:
      - { match: weather, toolUse: [{ name: get_weather, input: { city: Paris } }] }
      - { match: slow, text: "too late", delay: 20000 }
      - { text: "mock says hi" }
models:
  mock-model: { provider: canned, supports: [text, tools] }
defaults: { models: [mock-model], tools: allow }
rules:
  - { name: strip-for-strip, when: { systemPrompt: "strip" }, tools: strip }
  - { name: deny-for-deny, when: { systemPrompt: "deny" }, tools: deny }
  - { name: refuse-secret, when: { systemPrompt: "secret" }, action: deny, message: "no secrets here" }
`;

test("a host without sampling gets the server's sampling answered by the mock; one audit line, 0600, no prompt text", e2e, async () => {
  const audit = join(dir, 'audit-mock.jsonl');
  const host = await connectHost(['--policy', writePolicy(dir, MOCK_POLICY, 'mock.yaml'), '--audit', audit]);
  try {
    const out = await sample(host.client, { prompt: 'say hello, private prompt text' });
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.deepEqual(out.result.content, { type: 'text', text: 'mock says hi' });
    const lines = readFileSync(audit, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.server, 'fixture-server');
    assert.equal(line.outcome, 'ok');
    assert.equal(line.model, 'mock-model');
    assert.deepEqual(line.candidates, ['canned/mock-model']);
    assert.ok(!lines[0]!.includes('private prompt text'), 'no prompt text without audit.content');
    assert.equal(statSync(audit).mode & 0o777, 0o600);
  } finally {
    await host.close();
  }
});

test('tools are allowed (mock answers tool_use) or denied (-1) as the policy says', e2e, async () => {
  const host = await connectHost(['--policy', writePolicy(dir, MOCK_POLICY, 'mock.yaml')]);
  try {
    const allowed = await sample(host.client, { prompt: 'weather in Paris?', withTools: true });
    assert.equal(allowed.ok, true, JSON.stringify(allowed));
    const blocks = [allowed.result.content].flat();
    assert.equal(blocks[0].type, 'tool_use');
    assert.equal(blocks[0].name, 'get_weather');
    assert.equal(allowed.result.stopReason, 'toolUse');

    const denied = await sample(host.client, { prompt: 'weather in Paris?', withTools: true, systemPrompt: 'deny' });
    assert.equal(denied.ok, false);
    assert.equal(denied.code, -1);
    assert.match(denied.message, /^(MCP error -1: )?mcp-route:/);
    assert.equal(denied.data.reason, 'TOOLS_DENIED');

    const refused = await sample(host.client, { prompt: 'hello', systemPrompt: 'secret' });
    assert.equal(refused.code, -1);
    assert.match(refused.message, /no secrets here/);
    assert.equal(refused.data.rule, 'refuse-secret');
  } finally {
    await host.close();
  }
});

test('strip removes tools before the provider sees the request; allow passes them on', e2e, async () => {
  const openai = await startFakeOpenAI();
  after(() => openai.close());
  const policy = `version: 1
providers:
  oa: { type: openai, apiKey: "sk-test-tools-0123456789", baseURL: "${openai.baseURL}" }
models:
  gpt-4o-mini: { provider: oa, supports: [text, tools] }
defaults: { models: [gpt-4o-mini], tools: allow }
rules:
  - { name: strip-for-strip, when: { systemPrompt: "strip" }, tools: strip }
`;
  const host = await connectHost(['--policy', writePolicy(dir, policy, 'tools-openai.yaml')]);
  try {
    assert.equal((await sample(host.client, { prompt: 'weather?', withTools: true })).ok, true);
    assert.equal(openai.requests[0]?.body.tools?.[0]?.function?.name, 'get_weather');
    const stripped = await sample(host.client, { prompt: 'weather?', withTools: true, systemPrompt: 'strip' });
    assert.equal(stripped.ok, true, JSON.stringify(stripped));
    assert.equal(openai.requests[1]?.body.tools, undefined, 'no tools sent');
    assert.equal(openai.requests[1]?.body.tool_choice, undefined);
  } finally {
    await host.close();
  }
});

test('the server sees sampling.tools only when the policy can allow tools', e2e, async () => {
  const noTools = `version: 1
providers: { canned: { type: mock } }
models: { m: { provider: canned } }
defaults: { models: [m], tools: strip }
`;
  const host = await connectHost(['--policy', writePolicy(dir, noTools, 'notools.yaml')]);
  try {
    // The SDK server refuses to send tools when the client did not declare sampling.tools.
    const out = await sample(host.client, { prompt: 'x', withTools: true });
    assert.equal(out.ok, false);
    assert.match(out.message, /tools/i);
    const plain = await sample(host.client, { prompt: 'x' });
    assert.equal(plain.ok, true);
  } finally {
    await host.close();
  }
});

test('the server cancelling an in-flight sampling request aborts the provider call', e2e, async () => {
  const audit = join(dir, 'audit-cancel.jsonl');
  const host = await connectHost(['--policy', writePolicy(dir, MOCK_POLICY, 'mock.yaml'), '--audit', audit]);
  try {
    const out = await sample(host.client, { prompt: 'slow please', cancelAfterMs: 100 });
    assert.equal(out.ok, false);
    assert.equal(out.aborted, true);
    // Then the proxy keeps working, and the audit shows the abort well before the mock's 20 s delay.
    assert.equal((await sample(host.client, { prompt: 'hello' })).ok, true);
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines[0].outcome, 'aborted', JSON.stringify(lines[0]));
    assert.ok(lines[0].durationMs < 5000);
  } finally {
    await host.close();
  }
});

test('50 concurrent sampling requests are all answered, once each', e2e, async () => {
  const audit = join(dir, 'audit-50.jsonl');
  const host = await connectHost(['--policy', writePolicy(dir, MOCK_POLICY, 'mock.yaml'), '--audit', audit]);
  try {
    const outs = await Promise.all(Array.from({ length: 50 }, (_, i) => sample(host.client, { prompt: `hello ${i}` })));
    assert.equal(outs.filter((o) => o.ok).length, 50, JSON.stringify(outs.find((o) => !o.ok)));
    const ids = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).requestId);
    assert.equal(ids.length, 50);
    assert.equal(new Set(ids).size, 50);
  } finally {
    await host.close();
  }
});

test('answers from fake OpenAI and Anthropic servers, keys kept from the server and the audit', e2e, async () => {
  const openai = await startFakeOpenAI();
  const anthropic = await startFakeAnthropic();
  after(() => Promise.all([openai.close(), anthropic.close()]));
  openai.enqueue(openaiCompletion({ text: 'from openai', model: 'gpt-4o-mini' }));
  anthropic.enqueue(anthropicMessage({ text: 'from anthropic' }));
  const policy = `version: 1
providers:
  oa: { type: openai, apiKey: "\${E2E_OPENAI_KEY}", baseURL: "${openai.baseURL}" }
  an: { type: anthropic, apiKey: "\${E2E_ANTHROPIC_KEY}", baseURL: "${anthropic.baseURL}" }
models:
  gpt-4o-mini: { provider: oa }
  claude-haiku-4-5: { provider: an }
defaults: { models: [gpt-4o-mini, claude-haiku-4-5] }
`;
  const audit = join(dir, 'audit-http.jsonl');
  const env = { E2E_OPENAI_KEY: 'sk-test-openai-e2e-0123456789', E2E_ANTHROPIC_KEY: 'sk-ant-test-e2e-0123456789' };
  const host = await connectHost(['--policy', writePolicy(dir, policy, 'http.yaml'), '--audit', audit, '--log-level', 'debug'], { env });
  try {
    const first = await sample(host.client, { prompt: 'hello' });
    assert.equal(first.ok, true, JSON.stringify(first));
    assert.equal(first.result.content.text, 'from openai');
    assert.equal(openai.requests[0]?.headers.authorization, `Bearer ${env.E2E_OPENAI_KEY}`);
    const second = await sample(host.client, { prompt: 'hello', hints: ['haiku'] });
    assert.equal(second.ok, true, JSON.stringify(second));
    assert.equal(second.result.content.text, 'from anthropic');
    // This SDK generation sends the key as a bearer token; older ones as x-api-key.
    const h = anthropic.requests[0]?.headers;
    assert.ok(h?.['x-api-key'] === env.E2E_ANTHROPIC_KEY || h?.authorization === `Bearer ${env.E2E_ANTHROPIC_KEY}`);
    // The server's environment does not hold the keys.
    assert.deepEqual(JSON.parse(await callText(host.client, 'env', { name: 'E2E_OPENAI_KEY' })), { value: null });
    assert.deepEqual(JSON.parse(await callText(host.client, 'env', { name: 'E2E_ANTHROPIC_KEY' })), { value: null });
    const auditText = readFileSync(audit, 'utf8');
    assert.ok(!auditText.includes(env.E2E_OPENAI_KEY) && !auditText.includes(env.E2E_ANTHROPIC_KEY));
    assert.ok(!host.stderr().includes(env.E2E_OPENAI_KEY));
  } finally {
    await host.close();
  }
});

test('every candidate failing gives -32603 with the attempts, and no key', e2e, async () => {
  const openai = await startFakeOpenAI();
  after(() => openai.close());
  openai.setDefault(() => ({ status: 500, body: { error: { message: 'boom', type: 'server_error' } } }));
  const policy = `version: 1
providers:
  oa: { type: openai, apiKey: "\${E2E_KEY}", baseURL: "${openai.baseURL}" }
models:
  gpt-4o-mini: { provider: oa }
defaults: { models: [gpt-4o-mini], retry: { attempts: 2, initialDelay: 1ms, maxDelay: 5ms } }
`;
  const host = await connectHost(['--policy', writePolicy(dir, policy, 'fail.yaml')], { env: { E2E_KEY: 'sk-test-never-shown-0123456789' } });
  try {
    const out = await sample(host.client, { prompt: 'hello' });
    assert.equal(out.ok, false);
    assert.equal(out.code, -32603);
    assert.ok(Array.isArray(out.data.attempts) && out.data.attempts.length >= 2, JSON.stringify(out.data));
    assert.ok(!JSON.stringify(out).includes('sk-test-never-shown'));
  } finally {
    await host.close();
  }
});

test('a host that declared sampling gets the request forwarded by a client provider', e2e, async () => {
  const policy = `version: 1
providers: { host: { type: client } }
models: { host-model: { provider: host } }
defaults: { models: [host-model] }
`;
  const seen: Array<{ id: unknown; text: string }> = [];
  const host = await connectHost(['--policy', writePolicy(dir, policy, 'client.yaml')], {
    capabilities: { sampling: {} },
    setup: (client) =>
      client.setRequestHandler(CreateMessageRequestSchema, async (req, extra) => {
        const text = (req.params.messages[0]!.content as { text: string }).text;
        seen.push({ id: extra.requestId, text });
        return { role: 'assistant', content: { type: 'text', text: `the host says: ${text}` }, model: 'host-llm' };
      }),
  });
  try {
    const outs = await Promise.all([sample(host.client, { prompt: 'one' }), sample(host.client, { prompt: 'two' })]);
    assert.deepEqual(
      outs.map((o) => o.result?.content.text),
      ['the host says: one', 'the host says: two'],
    );
    assert.equal(seen.length, 2);
    for (const s of seen) assert.match(String(s.id), /^mcp-route-[0-9a-f]+-\d+$/, 'ids from our own namespace');
  } finally {
    await host.close();
  }
});

test('the server cancelling a request forwarded to the host cancels it at the host too', e2e, async () => {
  const policy = `version: 1
providers: { host: { type: client } }
models: { host-model: { provider: host } }
defaults: { models: [host-model] }
`;
  let hostSawAbort!: (id: unknown) => void;
  const aborted = new Promise((resolve) => (hostSawAbort = resolve));
  let calls = 0;
  const host = await connectHost(['--policy', writePolicy(dir, policy, 'client.yaml')], {
    capabilities: { sampling: {} },
    setup: (client) =>
      client.setRequestHandler(CreateMessageRequestSchema, (_req, extra) => {
        // The first request is answered (it loads the router); later ones only end by cancellation.
        if (calls++ === 0) return { role: 'assistant', content: { type: 'text', text: 'warm' }, model: 'host-llm' };
        return new Promise((_resolve, reject) => {
          extra.signal.addEventListener('abort', () => {
            hostSawAbort(extra.requestId);
            reject(new Error('cancelled'));
          });
        });
      }),
  });
  try {
    assert.equal((await sample(host.client, { prompt: 'warm up' })).ok, true);
    const out = await sample(host.client, { prompt: 'think forever', cancelAfterMs: 300 });
    assert.equal(out.ok, false);
    assert.equal(out.aborted, true);
    assert.match(String(await aborted), /^mcp-route-/);
    assert.equal(calls, 2, 'the host got the forwarded request before the cancellation');
  } finally {
    await host.close();
  }
});

test('without host sampling a client-only policy cannot answer, and says so', e2e, async () => {
  const policy = `version: 1
providers: { host: { type: client } }
models: { host-model: { provider: host } }
defaults: { models: [host-model] }
`;
  const host = await connectHost(['--policy', writePolicy(dir, policy, 'client.yaml')]);
  try {
    const out = await sample(host.client, { prompt: 'one' });
    assert.equal(out.ok, false);
    assert.match(out.message, /mcp-route:/);
    assert.match(out.message, /the host did not declare the sampling capability; use a host that supports sampling/);
  } finally {
    await host.close();
  }
});

test('--dry-run answers with the decision instead of calling a provider, and writes its audit line', e2e, async () => {
  const audit = join(dir, 'audit-dry.jsonl');
  const host = await connectHost(['--policy', writePolicy(dir, MOCK_POLICY, 'mock.yaml'), '--dry-run', '--audit', audit]);
  try {
    const out = await sample(host.client, { prompt: 'hello' });
    assert.equal(out.ok, false);
    assert.equal(out.code, -1);
    assert.match(out.message, /dry run: would try canned\/mock-model/);
    assert.equal(out.data.reason, 'DRY_RUN');
    assert.equal(out.data.decision.candidates[0].model, 'mock-model');
    assert.equal(typeof out.data.explain, 'string');
    // The dry run leaves the audit line a live request would, with the decision and no attempts.
    const lines = readFileSync(audit, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.outcome, 'dry-run');
    assert.equal(line.server, 'fixture-server');
    assert.equal(typeof line.requestId, 'number');
    assert.deepEqual(line.candidates, ['canned/mock-model']);
    assert.deepEqual(line.attempts, []);
  } finally {
    await host.close();
  }
});

test('malformed sampling params get -32602 with the reason; an exhausted budget with reject gets -32001', e2e, async () => {
  const policy = `version: 1
providers: { canned: { type: mock } }
models: { m: { provider: canned } }
defaults: { models: [m] }
budgets:
  - { name: one-a-minute, rpm: 1, onExceed: reject }
state: { store: memory }   # counters of this process only: parallel runs must not share them
`;
  const host = await connectHost(['--policy', writePolicy(dir, policy, 'budget.yaml')]);
  try {
    const bad = JSON.parse(await callText(host.client, 'sample-raw', { params: JSON.stringify({ messages: 'not a list', maxTokens: 5 }) }));
    assert.equal(bad.ok, false);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /mcp-route:/);
    assert.equal(bad.data.reason, 'INVALID_PARAMS');
    const first = await sample(host.client, { prompt: 'first' });
    assert.equal(first.ok, true, JSON.stringify(first));
    const over = await sample(host.client, { prompt: 'second' });
    assert.equal(over.ok, false);
    assert.equal(over.code, -32001, JSON.stringify(over));
    assert.equal(over.data.budget, 'one-a-minute');
  } finally {
    await host.close();
  }
});
