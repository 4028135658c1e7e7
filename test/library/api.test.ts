// The public API as a user sees it: everything is imported from the built package by its
// name ('mcp-route', resolved through package.json `exports` to dist/), so these tests fail
// when an export is missing from the root, misnamed, or broken only after compilation.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, McpError, type CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import * as api from 'mcp-route';
import {
  createRouter,
  createSamplingHandler,
  isRetryable,
  lintPolicy,
  loadPolicy,
  McpRouteError,
  PolicyError,
  ProviderError,
  registerProvider,
  samplingCapabilities,
  type PolicyDocument,
  type Router,
  type SamplingOutcome,
} from 'mcp-route';

const mockPolicy = (extra: Record<string, unknown> = {}): PolicyDocument => ({
  version: 1,
  providers: {
    mock: {
      type: 'mock',
      responses: [{ match: 'slow', text: 'late', delay: 5000 }, { match: 'tool please', toolUse: [{ name: 'lookup', input: { q: 'x' } }] }, { text: 'hello from the mock' }],
    },
  },
  models: { 'mock-1': { provider: 'mock', aliases: ['small'], supports: ['text', 'tools'] } },
  defaults: { models: ['mock-1'] },
  ...extra,
});

const ask = (text: string, more: Partial<CreateMessageRequestParams> = {}): CreateMessageRequestParams => ({
  messages: [{ role: 'user', content: { type: 'text', text } }],
  maxTokens: 50,
  ...more,
});

/** A real SDK server and client linked in memory, the client answering sampling through the router. */
async function linked(router: Router) {
  const server = new McpServer({ name: 'under-test', version: '1.0.0' });
  const client = new Client({ name: 'host', version: '1.0.0' }, { capabilities: samplingCapabilities(router) });
  client.setRequestHandler(CreateMessageRequestSchema, createSamplingHandler(router, { serverName: () => client.getServerVersion()?.name }));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
  return {
    sample: (params: CreateMessageRequestParams, options?: { signal?: AbortSignal }) => server.server.createMessage(params, options),
    ping: () => server.server.ping(),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

describe('the root export', () => {
  it('exposes exactly the documented runtime API and nothing internal', () => {
    assert.deepEqual(Object.keys(api).sort(), [
      'META_KEY',
      'McpRouteError',
      'PolicyError',
      'ProviderError',
      'createRouter',
      'createSamplingHandler',
      'formatDiagnostics',
      'isRetryable',
      'isRetryableStatus',
      'lintPolicy',
      'loadPolicy',
      'providerTypes',
      'registerProvider',
      'samplingCapabilities',
      'startProxy',
      'toMcpError',
    ]);
  });
});

describe('loadPolicy and lintPolicy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-lib-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'version: 1\nproviders:\n  m: { type: mock }\nmodels:\n  x: { provider: m }\n');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'version: 1\nproviders:\n  m: { type: mock }\nmodels:\n  x: { provider: m }\ndefaults:\n  tools: maybe\n');

  it('loads a file path, a URL, a document object, and passes a loaded policy through', () => {
    const fromPath = loadPolicy(good);
    assert.equal(fromPath.source, good);
    assert.deepEqual(Object.keys(fromPath.models), ['x']);
    assert.equal(loadPolicy(new URL(`file://${good}`)).source, good);
    const fromObject = loadPolicy(mockPolicy());
    assert.equal(fromObject.models['mock-1']?.provider, 'mock');
    assert.equal(loadPolicy(fromObject), fromObject);
  });

  it('throws PolicyError with positioned diagnostics for an invalid file', () => {
    assert.throws(
      () => loadPolicy(bad),
      (err: unknown) => {
        assert.ok(err instanceof PolicyError && err instanceof McpRouteError);
        assert.equal(err.code, 'POLICY_INVALID');
        assert.equal(err.diagnostics[0]?.line, 7);
        assert.match(err.message, /tools/);
        return true;
      },
    );
  });

  it('returns diagnostics instead of throwing, for a path, text and an object', () => {
    assert.deepEqual(lintPolicy(good), []);
    const fromFile = lintPolicy(bad);
    assert.equal(fromFile.length, 1);
    assert.deepEqual([fromFile[0]?.severity, fromFile[0]?.path, fromFile[0]?.line], ['error', bad, 7]);
    const fromText = lintPolicy({ text: 'version: 1\nprovidres: {}\n', path: 'inline.yaml' });
    assert.ok(
      fromText.some((d) => d.code === 'unknown-key' && d.line === 2 && d.path === 'inline.yaml'),
      JSON.stringify(fromText),
    );
    const fromObject = lintPolicy({ document: { version: 1, providers: { m: { type: 'mock' } }, models: { x: { provider: 'm' } }, defaults: { tools: 'maybe' } } });
    assert.ok(fromObject.length > 0 && fromObject.every((d) => d.severity === 'error'));
    assert.equal(lintPolicy(join(dir, 'missing.yaml'))[0]?.code, 'file-unreadable');
  });

  it('strict turns warnings into errors', () => {
    const text = 'version: 1\nproviders:\n  k: { type: openai, apiKey: "${MCP_ROUTE_TEST_UNSET_VAR}" }\nmodels:\n  x: { provider: k }\n';
    const env = {};
    assert.ok(lintPolicy({ text }, { env }).some((d) => d.severity === 'warning' && d.code === 'env-unset'));
    assert.ok(lintPolicy({ text }, { env, strict: true }).every((d) => d.severity === 'error'));
  });

  it('returns the warnings of a policy document too, and strict turns them into errors', () => {
    const document = { version: 1 as const, providers: { m: { type: 'mock' }, spare: { type: 'mock' } }, models: { x: { provider: 'm' } } };
    const warnings = lintPolicy({ document, path: 'doc' });
    assert.deepEqual(
      warnings.map((d) => [d.severity, d.code, d.path, d.line]),
      [['warning', 'provider-unused', 'doc', 0]],
    );
    assert.deepEqual(
      lintPolicy({ document }, { strict: true }).map((d) => [d.severity, d.code]),
      [['error', 'provider-unused']],
    );
    assert.equal(loadPolicy(document).providers['spare']?.type, 'mock', 'a warning does not stop the policy from loading');
  });
});

describe('samplingCapabilities', () => {
  it('declares sampling.tools only when some setting can allow tools', () => {
    assert.deepEqual(samplingCapabilities(loadPolicy(mockPolicy({ defaults: { models: ['mock-1'], tools: 'strip' } }))), { sampling: {} });
    assert.deepEqual(samplingCapabilities(loadPolicy(mockPolicy({ defaults: { models: ['mock-1'], tools: 'allow' } }))), { sampling: { tools: {} } });
    const ruleAllows = mockPolicy({ defaults: { models: ['mock-1'], tools: 'strip' }, rules: [{ name: 'trusted', when: { server: 'trusted-*' }, tools: 'allow' }] });
    assert.deepEqual(samplingCapabilities(createRouter(ruleAllows)), { sampling: { tools: {} } });
  });
});

describe('createSamplingHandler on an SDK Client', () => {
  it('answers a server sampling request through the policy, with the server name from the connection', async () => {
    const outcomes: SamplingOutcome[] = [];
    const router = createRouter(mockPolicy(), { onOutcome: (o) => outcomes.push(o) });
    const session = await linked(router);
    try {
      const result = await session.sample(ask('hi'));
      assert.deepEqual(result.content, { type: 'text', text: 'hello from the mock' });
      assert.equal((result._meta![api.META_KEY] as { provider?: string }).provider, 'mock');
      assert.equal(outcomes[0]?.server, 'under-test');
      assert.equal(outcomes[0]?.outcome, 'ok');
    } finally {
      await session.close();
      await router.close();
    }
  });

  it('passes tools through when the policy allows them (the server sees sampling.tools)', async () => {
    const router = createRouter(mockPolicy({ defaults: { models: ['mock-1'], tools: 'allow' } }));
    const session = await linked(router);
    try {
      const tools = [{ name: 'lookup', inputSchema: { type: 'object' as const, properties: { q: { type: 'string' } } } }];
      const result = await session.sample(ask('tool please', { tools }));
      const blocks = Array.isArray(result.content) ? result.content : [result.content];
      assert.ok(
        blocks.some((b) => b.type === 'tool_use' && b.name === 'lookup'),
        JSON.stringify(result.content),
      );
    } finally {
      await session.close();
      await router.close();
    }
  });

  it('refuses with JSON-RPC -1 and a readable mcp-route message when a rule denies', async () => {
    const router = createRouter(mockPolicy({ rules: [{ name: 'no-big', when: { maxTokens: { gt: 100 } }, action: 'deny', message: 'too many tokens' }] }));
    const session = await linked(router);
    try {
      await assert.rejects(session.sample(ask('hi', { maxTokens: 500 })), (err: unknown) => {
        assert.ok(err instanceof McpError);
        assert.equal(err.code, -1);
        assert.match(err.message, /mcp-route: .*too many tokens/);
        assert.doesNotMatch(err.message, /MCP error -1: MCP error/);
        assert.equal((err.data as { reason?: string }).reason, 'DENIED_BY_RULE');
        return true;
      });
    } finally {
      await session.close();
      await router.close();
    }
  });

  it('answers -32001 when a budget rejects, and -32602 for malformed params', async () => {
    const router = createRouter(mockPolicy({ budgets: [{ name: 'one-per-minute', rpm: 1, onExceed: 'reject' }], state: { store: 'memory' } }));
    const session = await linked(router);
    const handler = createSamplingHandler(router);
    try {
      await session.sample(ask('first'));
      await assert.rejects(session.sample(ask('second')), (err: unknown) => {
        assert.ok(err instanceof McpError);
        assert.equal(err.code, -32001);
        assert.match(err.message, /mcp-route: budget "one-per-minute"/);
        assert.equal((err.data as { budget?: string }).budget, 'one-per-minute');
        return true;
      });
      await assert.rejects(
        handler({ method: 'sampling/createMessage', params: { messages: 'nope' } as never }, { signal: new AbortController().signal }),
        (err: unknown) => err instanceof McpError && err.code === -32602 && err.message.startsWith('mcp-route:'),
      );
    } finally {
      await session.close();
      await router.close();
    }
  });

  it("aborts the provider call when the server cancels its request (the SDK's extra.signal)", async () => {
    const outcomes: SamplingOutcome[] = [];
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    // The mock's 5 s delay stands in for a slow model; the outcome shows it was cut short.
    const router = createRouter(mockPolicy(), { onOutcome: (o) => outcomes.push(o) });
    const wrapped: Router = {
      ...router,
      policy: router.policy,
      createMessage: (params, options) => {
        started();
        return router.createMessage(params, options);
      },
      explain: router.explain,
      close: router.close,
    };
    const session = await linked(wrapped);
    try {
      // SDK 1.32 ignores a cancellation of request id 0 (`if (!requestId) return`), so the
      // server's first request to the client is a ping and the sampling request gets id 1.
      await session.ping();
      const controller = new AbortController();
      const pending = session.sample(ask('slow'), { signal: controller.signal });
      await inFlight;
      const t0 = performance.now();
      controller.abort(new Error('server gave up'));
      await assert.rejects(pending);
      // onOutcome fires when the router has actually stopped.
      while (outcomes.length === 0) await new Promise((r) => setImmediate(r));
      assert.equal(outcomes[0]?.outcome, 'aborted');
      assert.ok(performance.now() - t0 < 2000);
    } finally {
      await session.close();
      await router.close();
    }
  });
});

describe('errors and isRetryable', () => {
  it('says which failures are worth retrying', async () => {
    assert.equal(isRetryable(new ProviderError({ message: 'x', provider: 'p', model: 'm', status: 429 })), true);
    assert.equal(isRetryable(new ProviderError({ message: 'x', provider: 'p', model: 'm', status: 401 })), false);
    assert.equal(isRetryable(new McpRouteError('DENIED_BY_RULE', 'no')), false);
    assert.equal(isRetryable(new Error('plain')), false);
    const flaky = createRouter({
      version: 1,
      providers: { down: { type: 'mock', failWith: 529 }, locked: { type: 'mock', failWith: 401 } },
      models: { a: { provider: 'down' }, b: { provider: 'locked' } },
      defaults: { models: ['a'], retry: { attempts: 1 } },
      rules: [{ name: 'auth', when: { metadata: { which: 'auth' } }, models: ['b'] }],
    });
    try {
      const overloaded = await flaky.createMessage(ask('x')).catch((e: unknown) => e);
      assert.ok(overloaded instanceof McpRouteError && overloaded.code === 'ALL_CANDIDATES_FAILED');
      assert.equal(isRetryable(overloaded), true);
      const unauthorised = await flaky.createMessage(ask('x', { metadata: { which: 'auth' } })).catch((e: unknown) => e);
      assert.ok(unauthorised instanceof McpRouteError && unauthorised.code === 'ALL_CANDIDATES_FAILED');
      assert.equal(isRetryable(unauthorised), false);
    } finally {
      await flaky.close();
    }
  });
});

describe('registerProvider', () => {
  it('makes a custom type valid in policies and routes to it', async () => {
    const doc: PolicyDocument = { version: 1, providers: { here: { type: 'reverse-test', options: { suffix: '!' } } }, models: { rev: { provider: 'here' } } };
    assert.ok(
      lintPolicy({ document: doc }).some((d) => /reverse-test/.test(d.message)),
      'unknown before registration',
    );
    registerProvider('reverse-test', (config) => ({
      name: config.name,
      type: config.type,
      async createMessage(request, { model }) {
        const first = request.messages[0]?.content;
        const text = first && !Array.isArray(first) && first.type === 'text' ? first.text : '';
        return {
          result: { role: 'assistant', model, content: { type: 'text', text: [...text].reverse().join('') + String(config.options.suffix) } },
          usage: { inputTokens: 1, outputTokens: 1 },
        };
      },
    }));
    assert.deepEqual(lintPolicy({ document: doc }), []);
    assert.ok(api.providerTypes().includes('reverse-test'));
    const router = createRouter(doc);
    try {
      const result = await router.createMessage(ask('abc'));
      assert.deepEqual(result.content, { type: 'text', text: 'cba!' });
    } finally {
      await router.close();
    }
    assert.throws(() => registerProvider('bad name', () => ({}) as never), /not a valid provider type/);
  });
});
