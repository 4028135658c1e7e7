// The model gateway end to end: the built CLI runs a stdio MCP server that calls models with
// the official `openai` and `@anthropic-ai/sdk` clients, configured only by the environment
// mcp-route gives it. The policy's providers are fake vendor APIs on 127.0.0.1; the host is a
// real SDK client without sampling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectHost, callText, e2e, tempDir, writePolicy, type Host } from '../e2e/harness.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { startFakeAnthropic, anthropicMessage } from '../helpers/fake-anthropic.js';
import { openaiStreamReply, anthropicStreamReply } from '../helpers/fake-streams.js';
import type { FakeHttpServer } from '../helpers/fake-http.js';

const SERVER = fileURLToPath(new URL('../helpers/mcp-fixtures/direct-model-server.mjs', import.meta.url));
const REAL = { REAL_OA_KEY: 'sk-real-openai-key-0123456789', REAL_AN_KEY: 'sk-ant-real-anthropic-key-9876543210' };

let oa: FakeHttpServer & { baseURL: string };
let an: FakeHttpServer & { baseURL: string };

before(async () => {
  oa = await startFakeOpenAI();
  an = await startFakeAnthropic();
  oa.setDefault((req) => {
    const model = String(req.body?.model);
    if (req.body?.stream) return openaiStreamReply({ text: 'streamed from the openai fake', model, pieces: 4 });
    if (req.body?.tools) return openaiCompletion({ model, toolCalls: [{ id: 'call_w', name: 'get_weather', arguments: { city: 'Paris' } }] });
    return openaiCompletion({ model, text: 'from the openai fake', usage: { prompt: 21, completion: 6 } });
  });
  an.setDefault((req) => {
    const model = String(req.body?.model);
    if (req.body?.stream) return anthropicStreamReply({ text: 'streamed from the anthropic fake', model, pieces: 4 });
    if (req.body?.tools) return anthropicMessage({ model, toolUses: [{ id: 'toolu_w', name: 'get_weather', input: { city: 'Oslo' } }] });
    return anthropicMessage({ model, text: 'from the anthropic fake', usage: { input: 17, output: 4 } });
  });
});
after(async () => {
  await oa.close();
  await an.close();
});

function policyYaml(dir: string, extra = ''): string {
  return writePolicy(
    dir,
    `version: 1
providers:
  oa: { type: openai, baseURL: "${oa.baseURL}", apiKey: "\${REAL_OA_KEY}" }
  an: { type: anthropic, baseURL: "${an.baseURL}", apiKey: "\${REAL_AN_KEY}" }
models:
  gpt-4o-mini: { provider: oa, supports: [text, image, tools] }
  claude-haiku-4-5: { provider: an, aliases: [haiku], supports: [text, image, tools] }
defaults:
  retry: { attempts: 1 }
  cooldown: 0
gateway: { openai: true, anthropic: true }
audit: { path: ${JSON.stringify(join(dir, 'audit.jsonl'))} }
${extra}`,
  );
}

async function startHost(dir: string, extra = ''): Promise<Host> {
  return connectHost(['--policy', policyYaml(dir, extra)], { server: [process.execPath, SERVER], env: REAL });
}

async function chat(host: Host, args: Record<string, unknown>): Promise<any> {
  return JSON.parse(await callText(host.client, 'chat', args));
}

function auditLines(dir: string): any[] {
  return readFileSync(join(dir, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

test('both official SDKs reach the policy providers through the gateway, streaming and not, with tools', e2e, async () => {
  const dir = tempDir();
  const host = await startHost(dir);
  try {
    oa.reset();
    an.reset();
    const plain = await chat(host, { api: 'openai', model: 'gpt-4o-mini', prompt: 'hello' });
    assert.equal(plain.ok, true, JSON.stringify(plain));
    assert.equal(plain.text, 'from the openai fake');
    assert.equal(plain.model, 'gpt-4o-mini');
    assert.deepEqual(plain.usage, { prompt_tokens: 21, completion_tokens: 6, total_tokens: 27 });
    // The vendor got the real key and the caller's settings; the server never held that key.
    const sent = oa.requests[0]!;
    assert.equal(sent.headers['authorization'], `Bearer ${REAL.REAL_OA_KEY}`);
    assert.equal(sent.body.temperature, 0.2);
    assert.deepEqual(sent.body.stop, ['END']);
    assert.equal(sent.body.messages[0].content, 'Be brief.');

    // A model hint of the other vendor: the caller speaks OpenAI, Anthropic answers.
    const cross = await chat(host, { api: 'openai', model: 'haiku', prompt: 'hello' });
    assert.equal(cross.ok, true, JSON.stringify(cross));
    assert.equal(cross.text, 'from the anthropic fake');
    assert.equal(cross.model, 'claude-haiku-4-5');
    assert.equal(an.requests.at(-1)!.headers['authorization'], `Bearer ${REAL.REAL_AN_KEY}`);

    const streamed = await chat(host, { api: 'openai', model: 'gpt-4o-mini', prompt: 'stream please', stream: true });
    assert.equal(streamed.ok, true, JSON.stringify(streamed));
    assert.equal(streamed.text, 'streamed from the openai fake');
    assert.ok(streamed.deltas.length >= 2, `deltas arrive one by one: ${JSON.stringify(streamed.deltas)}`);
    assert.equal(oa.requests.at(-1)!.body.stream, true, 'the provider is called with streaming when the caller streams');
    assert.equal(streamed.usage.completion_tokens, 7);

    const tools = await chat(host, { api: 'openai', model: 'gpt-4o-mini', prompt: 'weather?', tools: true });
    assert.equal(tools.finish, 'tool_calls');
    assert.deepEqual(tools.toolCalls, [{ name: 'get_weather', arguments: { city: 'Paris' } }]);
    assert.equal(oa.requests.at(-1)!.body.tools[0].function.name, 'get_weather');

    const msg = await chat(host, { api: 'anthropic', model: 'claude-haiku-4-5', prompt: 'hello' });
    assert.equal(msg.ok, true, JSON.stringify(msg));
    assert.equal(msg.text, 'from the anthropic fake');
    assert.equal(msg.finish, 'end_turn');
    assert.equal(msg.usage.input_tokens, 17);
    assert.equal(an.requests.at(-1)!.body.system, 'Be brief.');
    assert.deepEqual(an.requests.at(-1)!.body.stop_sequences, ['END']);

    const msgStream = await chat(host, { api: 'anthropic', model: 'claude-haiku-4-5', prompt: 'hi', stream: true });
    assert.equal(msgStream.ok, true, JSON.stringify(msgStream));
    assert.equal(msgStream.text, 'streamed from the anthropic fake');
    assert.ok(msgStream.deltas.length >= 2);
    assert.equal(msgStream.model, 'claude-haiku-4-5');

    const msgTools = await chat(host, { api: 'anthropic', model: 'claude-haiku-4-5', prompt: 'weather?', tools: true });
    assert.equal(msgTools.finish, 'tool_use');
    assert.deepEqual(msgTools.toolCalls, [{ name: 'get_weather', arguments: { city: 'Oslo' } }]);

    // The server's environment holds the per-run token and the gateway's address, not the keys.
    const env = JSON.parse(await callText(host.client, 'env'));
    assert.match(env.OPENAI_API_KEY, /^[0-9a-f]{64}$/);
    assert.equal(env.ANTHROPIC_API_KEY, env.OPENAI_API_KEY);
    assert.match(env.OPENAI_BASE_URL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.match(env.ANTHROPIC_BASE_URL, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(env.REAL_OA_KEY, undefined);
    assert.equal(env.REAL_AN_KEY, undefined);
    const envText = JSON.stringify(env);
    for (const key of Object.values(REAL)) assert.ok(!envText.includes(key));

    // One audit line per call, marked as a gateway call; no key anywhere in audit or stderr.
    await host.close();
    const lines = auditLines(dir);
    assert.equal(lines.length, 7);
    assert.deepEqual(
      lines.map((l) => l.via),
      ['gateway:openai', 'gateway:openai', 'gateway:openai', 'gateway:openai', 'gateway:anthropic', 'gateway:anthropic', 'gateway:anthropic'],
    );
    assert.ok(lines.every((l) => l.outcome === 'ok' && l.server === 'direct-caller'));
    const everything = readFileSync(join(dir, 'audit.jsonl'), 'utf8') + host.stderr();
    for (const key of Object.values(REAL)) assert.ok(!everything.includes(key), 'no real key in audit or stderr');
  } finally {
    await host.close();
  }
});

test('an rpm budget of 3 admits exactly 3 of 5 gateway calls; the others get 429 with retry-after', e2e, async () => {
  const dir = tempDir();
  const host = await startHost(dir, 'budgets:\n  - { name: gateway-rpm, rpm: 3, onExceed: reject }\n');
  try {
    oa.reset();
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await chat(host, { api: 'openai', model: 'gpt-4o-mini', prompt: `call ${i}` }));
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true, false, false],
    );
    for (const refused of results.slice(3)) {
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.retryAfter) >= 1, `retry-after: ${refused.retryAfter}`);
      assert.match(refused.body.message, /gateway-rpm/);
    }
    assert.equal(oa.requests.length, 3, 'exactly three calls reached the provider (the SDK did not retry the refusals)');
    await host.close();
    const lines = auditLines(dir);
    assert.equal(lines.length, 5, 'each call is one audit line');
    assert.deepEqual(
      lines.map((l) => l.outcome),
      ['ok', 'ok', 'ok', 'budget', 'budget'],
    );
  } finally {
    await host.close();
  }
});

test('the gateway refuses a wrong token (401), a malformed body (400) and a policy refusal (403), each in the caller shape', e2e, async () => {
  const dir = tempDir();
  const host = await startHost(dir, 'rules:\n  - { name: no-opus, when: { hints: "*opus*" }, action: deny, message: "opus is not allowed here" }\n');
  try {
    const env = JSON.parse(await callText(host.client, 'env'));
    const base = env.ANTHROPIC_BASE_URL as string;
    const token = env.OPENAI_API_KEY as string;

    const wrong = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{}' });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as any).error.code, 'invalid_api_key');
    const wrongAnthropic = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'nope' }, body: '{}' });
    assert.equal(wrongAnthropic.status, 401);
    assert.deepEqual(((await wrongAnthropic.json()) as any).error.type, 'authentication_error');

    const malformed = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{"model": "gpt-4o-mini", "messages": ' });
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as any).error.message, /not valid JSON/);
    const noMaxTokens = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': token }, body: JSON.stringify({ model: 'haiku', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(noMaxTokens.status, 400);
    assert.match(((await noMaxTokens.json()) as any).error.message, /max_tokens/);

    const denied = await chat(host, { api: 'anthropic', model: 'claude-opus-4-6', prompt: 'hi' });
    assert.equal(denied.ok, false);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.type, 'permission_error');
    assert.match(denied.body.error.message, /opus is not allowed here/);

    const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(
      ((await models.json()) as any).data.map((m: any) => m.id),
      ['gpt-4o-mini', 'claude-haiku-4-5'],
    );
  } finally {
    await host.close();
  }
});

test('all candidates failing is a 502 that names the attempts', e2e, async () => {
  const dir = tempDir();
  const host = await startHost(dir);
  try {
    oa.reset();
    an.reset();
    oa.enqueue({ status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } }, { status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } });
    const r = await chat(host, { api: 'openai', model: 'gpt-4o-mini', prompt: 'hi' });
    // gpt-4o-mini fails, then the fallback candidate (haiku) answers: a 503 is not the end.
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.model, 'claude-haiku-4-5');
    an.enqueue({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'overloaded' } } });
    oa.enqueue({ status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } });
    const failed = await chat(host, { api: 'anthropic', model: 'haiku', prompt: 'hi' });
    assert.equal(failed.ok, false);
    assert.equal(failed.status, 502);
    assert.match(failed.body.error.message, /an\/claude-haiku-4-5/);
    assert.match(failed.body.error.message, /oa\/gpt-4o-mini/);
  } finally {
    await host.close();
  }
});
