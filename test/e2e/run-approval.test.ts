// Approval and caps end to end through the BUILT CLI: a real SDK v1 Client host that declares
// (or not) elicitation and answers the approval form, the real fixture server, and a fake
// OpenAI on 127.0.0.1 whose recorded requests prove when a provider was (not) called.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { connectHost, sample, e2e as e2eBase, tempDir, writePolicy, callText, type Host } from './harness.js';

// Each test starts two or three CLI runs: room for a loaded machine.
const e2e = { ...e2eBase, timeout: 90_000 };
const dir = tempDir();
const openai = await startFakeOpenAI();
after(() => openai.close());

function policy(extra: string, defaults = 'approval: ask'): string {
  return `version: 1
providers:
  oa: { type: openai, apiKey: "sk-test-approval-0123456789", baseURL: "${openai.baseURL}" }
models:
  gpt-4o-mini: { provider: oa, supports: [text, tools], cost: { input: 0.15, output: 0.6 } }
defaults: { models: [gpt-4o-mini], tools: allow, ${defaults} }
${extra}`;
}

type Answer = ElicitResult | 'never';

/** A host that declares form elicitation and answers each approval question from `answers` in turn. */
async function askingHost(policyPath: string, answers: Answer[], options: { audit?: string; env?: NodeJS.ProcessEnv } = {}) {
  const asked: ElicitRequest['params'][] = [];
  const providerCallsWhenAsked: number[] = [];
  const host = await connectHost(['--policy', policyPath, ...(options.audit ? ['--audit', options.audit] : [])], {
    capabilities: { elicitation: {} },
    ...(options.env ? { env: options.env } : {}),
    setup: (client) =>
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        asked.push(request.params);
        providerCallsWhenAsked.push(openai.requests.length);
        const answer = answers.shift() ?? { action: 'decline' };
        if (answer === 'never') return new Promise<ElicitResult>(() => {});
        return answer;
      }),
  });
  return { host, asked, providerCallsWhenAsked };
}

const accept = (approve: boolean, remember = false): ElicitResult => ({ action: 'accept', content: { approve, remember } });

async function withHost<T>(host: Host, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await host.close();
  }
}

test('approval: ask asks the host first; the provider is called only after an accept, and the question names server, model, cost and prompt', e2e, async () => {
  openai.reset();
  const audit = join(dir, 'audit-accept.jsonl');
  const { host, asked, providerCallsWhenAsked } = await askingHost(writePolicy(dir, policy(''), 'accept.yaml'), [accept(true)], { audit });
  await withHost(host, async () => {
    const out = await sample(host.client, { prompt: 'summarise the quarterly report please' });
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(asked.length, 1);
    assert.deepEqual(providerCallsWhenAsked, [0], 'no provider call before the answer');
    assert.equal(openai.requests.length, 1);
    const q = asked[0]!;
    assert.equal((q as { mode?: string }).mode, 'form');
    assert.match(q.message, /server "fixture-server"/);
    assert.match(q.message, /oa\/gpt-4o-mini/);
    assert.match(q.message, /cost: up to \$/);
    assert.match(q.message, /summarise the quarterly report/);
    const schema = (q as { requestedSchema: { properties: Record<string, { type: string }> } }).requestedSchema;
    assert.equal(schema.properties['approve']!.type, 'boolean');
    assert.equal(schema.properties['remember']!.type, 'boolean');
  });
  const line = JSON.parse(readFileSync(audit, 'utf8').trim().split('\n').at(-1)!);
  assert.deepEqual(line.approval, { asked: true, result: 'approved', by: 'host', response: 'accept' });
  assert.equal(line.outcome, 'ok');
});

test('decline, cancel and accept with approve false refuse with -1 and call no provider', e2e, async () => {
  openai.reset();
  const { host, asked } = await askingHost(writePolicy(dir, policy(''), 'decline.yaml'), [{ action: 'decline' }, { action: 'cancel' }, accept(false)]);
  await withHost(host, async () => {
    for (const expected of [/the host answered decline/, /the host answered cancel/, /\(declined\)/]) {
      const out = await sample(host.client, { prompt: 'hello' });
      assert.equal(out.ok, false, JSON.stringify(out));
      assert.equal(out.code, -1);
      assert.equal(out.data.reason, 'APPROVAL_DECLINED');
      assert.match(out.message, expected);
    }
    assert.equal(asked.length, 3);
    assert.equal(openai.requests.length, 0);
  });
});

test('no answer within approvalTimeout is a decline', e2e, async () => {
  openai.reset();
  const { host, asked } = await askingHost(writePolicy(dir, policy('', 'approval: ask, approvalTimeout: 500ms'), 'timeout.yaml'), ['never']);
  await withHost(host, async () => {
    const out = await sample(host.client, { prompt: 'hello' });
    assert.equal(out.code, -1, JSON.stringify(out));
    assert.match(out.message, /no answer within/);
    assert.equal(asked.length, 1);
    assert.equal(openai.requests.length, 0);
  });
});

test('remember skips the question for later requests of the same connection, approve or deny as answered; another server is asked again', e2e, async () => {
  openai.reset();
  const path = writePolicy(dir, policy(''), 'remember.yaml');
  const audit = join(dir, 'audit-remember.jsonl');
  const first = await askingHost(path, [accept(true, true)], { audit });
  await withHost(first.host, async () => {
    for (let i = 0; i < 3; i++) assert.equal((await sample(first.host.client, { prompt: `request ${i}` })).ok, true);
    assert.equal(first.asked.length, 1);
    assert.equal(openai.requests.length, 3);
  });
  const lines = readFileSync(audit, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => l.approval.by),
    ['host', 'remembered', 'remembered'],
  );
  assert.equal(lines[0].approval.remember, true);

  const other = await askingHost(path, [accept(false, true)], { env: { FIXTURE_NAME: 'other-server' } });
  await withHost(other.host, async () => {
    for (let i = 0; i < 2; i++) {
      const out = await sample(other.host.client, { prompt: 'hello' });
      assert.equal(out.code, -1);
    }
    assert.equal(other.asked.length, 1, 'asked once, then the remembered "no" answers');
    assert.match(other.asked[0]!.message, /server "other-server"/);
    assert.equal(openai.requests.length, 3);
  });
});

test('a host without elicitation gets approvalFallback: deny refuses, allow proceeds', e2e, async () => {
  openai.reset();
  const deny = await connectHost(['--policy', writePolicy(dir, policy(''), 'fallback-deny.yaml')]);
  await withHost(deny, async () => {
    const out = await sample(deny.client, { prompt: 'hello' });
    assert.equal(out.code, -1);
    assert.match(out.message, /declared no elicitation/);
    assert.equal(openai.requests.length, 0);
  });
  const audit = join(dir, 'audit-fallback.jsonl');
  const allow = await connectHost(['--policy', writePolicy(dir, policy('', 'approval: ask, approvalFallback: allow'), 'fallback-allow.yaml'), '--audit', audit]);
  await withHost(allow, async () => {
    assert.equal((await sample(allow.client, { prompt: 'hello' })).ok, true);
    assert.equal(openai.requests.length, 1);
  });
  assert.deepEqual(JSON.parse(readFileSync(audit, 'utf8').trim()).approval, { asked: false, result: 'approved', by: 'fallback' });
});

test('limits.requestsPerSession refuses exactly the requests beyond it', e2e, async () => {
  openai.reset();
  const host = await connectHost(['--policy', writePolicy(dir, policy('', 'limits: { requestsPerSession: 2 }'), 'per-session.yaml')]);
  await withHost(host, async () => {
    const outs = [];
    for (let i = 0; i < 4; i++) outs.push(await sample(host.client, { prompt: `n${i}` }));
    assert.deepEqual(
      outs.map((o) => o.ok),
      [true, true, false, false],
    );
    assert.equal(outs[2].code, -1);
    assert.match(outs[2].message, /limits\.requestsPerSession \(2/);
    assert.equal(outs[2].data.limit, 'requestsPerSession');
    assert.equal(openai.requests.length, 2);
  });
});

const toolLoopParams = JSON.stringify({
  maxTokens: 50,
  tools: [{ name: 'get_weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
  messages: [
    { role: 'user', content: { type: 'text', text: 'weather in Paris?' } },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_1', content: [{ type: 'text', text: 'sunny' }] }] },
  ],
});

test('limits.toolRounds cuts a loop of tool_result requests after the limit; a plain request ends the loop', e2e, async () => {
  openai.reset();
  const host = await connectHost(['--policy', writePolicy(dir, policy('', 'limits: { toolRounds: 2 }'), 'tool-rounds.yaml')]);
  await withHost(host, async () => {
    const round = async () => JSON.parse(await callText(host.client, 'sample-raw', { params: toolLoopParams }));
    const outs = [await round(), await round(), await round()];
    assert.deepEqual(
      outs.map((o) => o.ok),
      [true, true, false],
      JSON.stringify(outs[2]),
    );
    assert.equal(outs[2].code, -1);
    assert.match(outs[2].message, /limits\.toolRounds \(2/);
    assert.equal(openai.requests.length, 2);
    assert.equal((await sample(host.client, { prompt: 'plain' })).ok, true);
    assert.equal((await round()).ok, true, 'a new loop starts after a request without tool results');
    assert.equal(openai.requests.length, 4);
  });
});
