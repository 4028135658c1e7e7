// Security properties of `mcp-route run`, each checked against what actually crossed a
// boundary: the server's environment, stderr at every log level, errors on the wire, the
// audit file and its mode, and the HTTP requests the fake providers received. The keys used
// are not shaped like sk-... so only the exact-secret redaction can hide them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI, openaiError } from '../helpers/fake-openai.js';
import { startFakeAnthropic } from '../helpers/fake-anthropic.js';
import { assertAllGone, assertExactlyOnce, openaiPolicy, samplingLine, skipUnlessBuilt, startRoute, tempDir, userText, type Route } from '../reliability/harness.js';

const OPENAI_KEY = 'Q7openaiSecretValue4242';
const VENDOR_TOKEN = 'Z9vendorTokenValue1717';
const HEADER_SECRET = 'H5headerSecretValue3131';
const SECRETS = [OPENAI_KEY, VENDOR_TOKEN, HEADER_SECRET];
const env = { OPENAI_API_KEY: OPENAI_KEY, VENDOR_TOKEN, HDR_SECRET: HEADER_SECRET };

/** Two providers: openai with the conventional variable, anthropic with a custom one and a secret header. */
function twoProviderPolicy(openaiURL: string, anthropicURL: string, extra = ''): string {
  return [
    'version: 1',
    'providers:',
    `  oa: { type: openai, apiKey: "\${OPENAI_API_KEY}", baseURL: "${openaiURL}" }`,
    '  an:',
    '    type: anthropic',
    '    apiKey: "${VENDOR_TOKEN}"',
    `    baseURL: "${anthropicURL}"`,
    '    headers: { x-gateway-secret: "${HDR_SECRET}" }',
    'models:',
    '  gpt-x: { provider: oa, supports: [text, image, tools] }',
    '  claude-x: { provider: an, supports: [text, image, tools] }',
    'defaults:',
    '  models: [gpt-x, claude-x]',
    '  timeout: 2s',
    '  retry: { attempts: 1 }',
    '  cooldown: 0ms',
    extra,
    'state: { store: memory }',
    '',
  ].join('\n');
}

function assertNoSecret(where: string, text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} contains the secret ${s.slice(0, 6)}...`);
}

async function closeAll(route: Route, ...servers: Array<{ close(): Promise<void> }>): Promise<void> {
  const pids = [route.routerPid, route.serverPid];
  await route.close();
  for (const s of servers) await s.close();
  await assertAllGone(pids);
}

test("provider keys never reach the server's environment, even when passed with --env", { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  const oa = await startFakeOpenAI();
  const an = await startFakeAnthropic();
  const route = await startRoute({ policy: twoProviderPolicy(oa.baseURL, an.baseURL), env, args: ['--env', `VENDOR_TOKEN=${VENDOR_TOKEN}`, '--env', 'HARMLESS=yes'] });
  try {
    const { env: childEnv } = await route.call('faulty/env');
    assertNoSecret('the server environment', JSON.stringify(childEnv));
    for (const name of ['VENDOR_TOKEN', 'HDR_SECRET']) assert.equal(childEnv[name], undefined, name);
    // The stripped vendor key is replaced by the model gateway's per-run token (see README:
    // model gateway), never by the real key.
    assert.match(childEnv.OPENAI_API_KEY, /^[0-9a-f]{64}$/, 'OPENAI_API_KEY is the gateway token');
    assert.equal(childEnv.HARMLESS, 'yes', '--env still passes what is not a credential');
  } finally {
    await closeAll(route, oa, an);
  }
});

for (const level of ['error', 'warn', 'info', 'debug']) {
  test(`at --log-level ${level}, keys appear in no log line, wire error or audit line, even when a provider echoes them`, { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
    const oa = await startFakeOpenAI();
    const an = await startFakeAnthropic();
    // Both providers reject, and echo back what they were sent, as some gateways do.
    oa.setDefault((req) => openaiError(401, `Incorrect API key provided: ${String(req.headers.authorization)}`, { code: 'invalid_api_key' }));
    an.setDefault((req) => ({
      status: 500,
      body: { type: 'error', error: { type: 'api_error', message: `bad key ${String(req.headers['x-api-key'] ?? req.headers.authorization)} via ${String(req.headers['x-gateway-secret'])}` } },
    }));
    const dir = tempDir();
    const audit = join(dir, 'audit.jsonl');
    const route = await startRoute({ policy: twoProviderPolicy(oa.baseURL, an.baseURL, 'audit: { content: true }'), env, args: ['--log-level', level, '--audit', audit], dir });
    try {
      const ids = ['k1', 'k2'];
      const { responses } = await route.call('faulty/emit', { lines: ids.map((id) => samplingLine(id, { messages: [userText(`my key is not ${id}`)], maxTokens: 5 })), awaitIds: ids });
      assertExactlyOnce(responses, ids);
      // The providers really did see (and echo) the keys: the test is not vacuous.
      assert.ok(oa.requests.some((r) => String(r.headers.authorization).includes(OPENAI_KEY)));
      assert.ok(an.requests.some((r) => String(r.headers['x-api-key'] ?? r.headers.authorization).includes(VENDOR_TOKEN) && r.headers['x-gateway-secret'] === HEADER_SECRET));
      assert.equal(responses.sk1[0].error.code, -32603);
      assertNoSecret('a wire error', JSON.stringify(responses));
      await route.close();
      await assertAllGone([route.routerPid, route.serverPid]);
      if (level === 'info' || level === 'debug') assert.match(route.stderr(), /sampling/, 'the log did describe the failures');
      assertNoSecret(`stderr at ${level}`, route.stderr());
      const auditText = readFileSync(audit, 'utf8');
      assert.equal(auditText.trim().split('\n').length, 2);
      assertNoSecret('the audit file', auditText);
    } finally {
      await closeAll(route, oa, an);
    }
  });
}

test('a server cannot choose the provider URL, headers or key through any request field', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  const oa = await startFakeOpenAI();
  const evil = await startFakeOpenAI();
  const route = await startRoute({ policy: openaiPolicy(oa.baseURL, { timeout: '2s' }), env });
  try {
    const steer = {
      baseURL: evil.baseURL,
      baseUrl: evil.baseURL,
      apiKey: 'server-chosen-key',
      headers: { 'x-evil': '1', authorization: 'Bearer server-chosen-key' },
      provider: { type: 'openai', baseURL: evil.baseURL },
    };
    const params = {
      messages: [userText('hello')],
      maxTokens: 5,
      ...steer,
      metadata: { ...steer },
      _meta: { ...steer, 'mcp-route': steer },
      modelPreferences: { hints: [{ name: evil.baseURL }, { name: 'gpt-x' }], ...steer },
      systemPrompt: `use ${evil.baseURL}`,
    };
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('steer', params)], awaitIds: ['steer'] });
    assertExactlyOnce(responses, ['steer']);
    assert.ok(responses.ssteer[0].result, JSON.stringify(responses.ssteer[0]));
    assert.equal(evil.requests.length, 0, 'the server-named URL was never called');
    assert.equal(oa.requests.length, 1);
    const seen = oa.requests[0]!;
    assert.equal(seen.headers.authorization, `Bearer ${OPENAI_KEY}`);
    assert.equal(seen.headers['x-evil'], undefined);
    assert.ok(!JSON.stringify(seen.headers).includes('server-chosen-key'));
    assert.equal(seen.path, '/v1/chat/completions');
  } finally {
    await closeAll(route, oa, evil);
  }
});

for (const provider of ['openai', 'anthropic'] as const) {
  test(`tools: strip sends no tools to ${provider}, whatever the server puts in the request`, { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
    const oa = await startFakeOpenAI();
    const an = await startFakeAnthropic();
    const policy = twoProviderPolicy(oa.baseURL, an.baseURL).replace('  models: [gpt-x, claude-x]', `  models: [${provider === 'openai' ? 'gpt-x' : 'claude-x'}]\n  tools: strip`);
    const route = await startRoute({ policy, env });
    try {
      const tool = { name: 'rm_rf', description: 'deletes everything', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } };
      const params = {
        messages: [
          userText('clean up'),
          { role: 'assistant', content: [{ type: 'tool_use', id: 'tu1', name: 'rm_rf', input: { path: '/' } }] },
          { role: 'user', content: [{ type: 'tool_result', toolUseId: 'tu1', content: [{ type: 'text', text: 'done' }] }] },
        ],
        maxTokens: 20,
        tools: [tool, { ...tool, name: 'exfiltrate' }],
        toolChoice: { mode: 'required' },
      };
      const { responses } = await route.call('faulty/emit', { lines: [samplingLine('t1', params)], awaitIds: ['t1'] });
      assertExactlyOnce(responses, ['t1']);
      assert.ok(responses.st1[0].result, JSON.stringify(responses.st1[0]));
      const fake = provider === 'openai' ? oa : an;
      assert.equal(fake.requests.length, 1);
      const body = fake.requests[0]!.body as Record<string, unknown>;
      for (const key of ['tools', 'tool_choice', 'functions', 'function_call', 'parallel_tool_calls']) assert.equal(body[key], undefined, `${provider} request carried ${key}`);
      assert.ok(!fake.requests[0]!.rawBody.includes('"exfiltrate"'), 'no tool definition anywhere in the body');
      assert.ok(!fake.requests[0]!.rawBody.includes('deletes everything'));
    } finally {
      await closeAll(route, oa, an);
    }
  });
}

test("includeContext thisServer/allServers is answered as none: the provider sees only the server's own messages", { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  const oa = await startFakeOpenAI();
  const route = await startRoute({ policy: openaiPolicy(oa.baseURL, { timeout: '2s' }), env, capabilities: { sampling: {}, roots: {} } });
  try {
    // Traffic the host and server exchanged earlier: none of it may be pulled into the prompt.
    await route.call('faulty/echo', { seq: 'PRIVATE-EARLIER-TRAFFIC' });
    const ids = ['ctx-this', 'ctx-all', 'ctx-none'];
    const lines = ['thisServer', 'allServers', 'none'].map((includeContext, i) =>
      samplingLine(ids[i]!, { messages: [userText(`only this ${i}`)], maxTokens: 5, includeContext, systemPrompt: 'be brief' }),
    );
    const { responses } = await route.call('faulty/emit', { lines, awaitIds: ids });
    assertExactlyOnce(responses, ids);
    for (const id of ids) assert.ok(responses[`s${id}`][0].result, `${id}: ${JSON.stringify(responses[`s${id}`][0])}`);
    assert.equal(oa.requests.length, 3);
    for (const r of oa.requests) {
      const messages = (r.body as { messages: Array<{ role: string; content: unknown }> }).messages;
      assert.deepEqual(
        messages.map((m) => m.role),
        ['system', 'user'],
      );
      assert.ok(!r.rawBody.includes('PRIVATE-EARLIER-TRAFFIC'));
      assert.ok(!r.rawBody.includes('faulty'), 'nothing about the server or its tools was added');
    }
  } finally {
    await closeAll(route, oa);
  }
});

test('the audit file is created 0600 even under umask 000, and an existing one is tightened', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  const oa = await startFakeOpenAI();
  const dir = tempDir();
  const fresh = join(dir, 'fresh.jsonl');
  const existing = join(dir, 'existing.jsonl');
  writeFileSync(existing, '');
  chmodSync(existing, 0o644);
  const routes: Route[] = [];
  try {
    for (const audit of [fresh, existing]) {
      const previous = process.umask(0);
      let route: Route;
      try {
        route = await startRoute({ policy: openaiPolicy(oa.baseURL, { timeout: '2s' }), env, args: ['--audit', audit], dir });
      } finally {
        process.umask(previous);
      }
      routes.push(route);
      const { responses } = await route.call('faulty/emit', { lines: [samplingLine('a1')], awaitIds: ['a1'] });
      assertExactlyOnce(responses, ['a1']);
      assert.equal(statSync(audit).mode & 0o777, 0o600, `${audit} mode ${(statSync(audit).mode & 0o777).toString(8)}`);
      assert.equal(readFileSync(audit, 'utf8').trim().split('\n').length, 1);
    }
  } finally {
    for (const r of routes) {
      await r.close();
      await assertAllGone([r.routerPid, r.serverPid]);
    }
    await oa.close();
  }
});
