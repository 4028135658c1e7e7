import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, refusalError } from '../../src/routing/decide.js';
import { estimatePromptTokens } from '../../src/routing/estimate.js';
import type { DecideContext, Decision, SamplingRequest } from '../../src/routing/types.js';
import type { Policy, Rule, Settings } from '../../src/policy/types.js';
import { buildPolicy, provider, rule, type ModelSpec } from '../helpers/policy.js';

const OPUS: ModelSpec = { id: 'claude-opus', aliases: ['opus'], cost: { input: 5, output: 25 }, speed: 0.3, intelligence: 1, contextWindow: 200_000, maxOutput: 32_000 };
const SONNET: ModelSpec = { id: 'claude-sonnet', aliases: ['sonnet'], cost: { input: 3, output: 15 }, speed: 0.6, intelligence: 0.9, contextWindow: 200_000 };
const HAIKU: ModelSpec = { id: 'claude-haiku', aliases: ['haiku'], cost: { input: 1, output: 5 }, speed: 0.9, intelligence: 0.6, contextWindow: 200_000 };
const MINI: ModelSpec = { id: 'gpt-4o-mini', provider: 'openai', aliases: ['gemini-1.5-flash'], cost: { input: 0.15, output: 0.6 }, speed: 0.9, intelligence: 0.45, contextWindow: 128_000 };
const FOUR = [OPUS, SONNET, HAIKU, MINI];

interface ReqInit {
  text?: string;
  hints?: string[];
  cost?: number;
  speed?: number;
  intelligence?: number;
  maxTokens?: number;
  tools?: boolean;
  image?: boolean;
  audio?: boolean;
  toolResult?: boolean;
  system?: string;
  metadata?: Record<string, unknown>;
}

/** The prompt estimate of req()'s default "hello" request for a model without a tokenizer. */
const HELLO_TOKENS = estimatePromptTokens({ messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }], maxTokens: 1 } as SamplingRequest);

function req(init: ReqInit = {}): SamplingRequest {
  const content: Array<Record<string, unknown>> = [{ type: 'text', text: init.text ?? 'hello' }];
  if (init.image) content.push({ type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' });
  if (init.audio) content.push({ type: 'audio', data: 'aGVsbG8=', mimeType: 'audio/wav' });
  const messages: Array<Record<string, unknown>> = [{ role: 'user', content }];
  if (init.toolResult) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'search', input: { q: 'x' } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', toolUseId: 't1', content: [{ type: 'text', text: 'found' }] }] });
  }
  const request: Record<string, unknown> = { messages, maxTokens: init.maxTokens ?? 1000 };
  const prefs: Record<string, unknown> = {};
  if (init.hints) prefs.hints = init.hints.map((name) => ({ name }));
  if (init.cost !== undefined) prefs.costPriority = init.cost;
  if (init.speed !== undefined) prefs.speedPriority = init.speed;
  if (init.intelligence !== undefined) prefs.intelligencePriority = init.intelligence;
  if (Object.keys(prefs).length) request.modelPreferences = prefs;
  if (init.tools) request.tools = [{ name: 'search', description: 'search the web', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }];
  if (init.system !== undefined) request.systemPrompt = init.system;
  if (init.metadata) request.metadata = init.metadata;
  return request as unknown as SamplingRequest;
}

const order = (d: Decision) => d.candidates.map((c) => c.model);
const droppedCodes = (d: Decision) => Object.fromEntries(d.dropped.map((x) => [x.model, x.code]));

interface OrderCase {
  name: string;
  models?: ModelSpec[];
  defaults?: Partial<Settings>;
  request: ReqInit;
  expect: string[];
}

describe('decide: ordering', () => {
  const cases: OrderCase[] = [
    { name: 'no hints and no priorities keep the settings order', request: {}, expect: ['claude-opus', 'claude-sonnet', 'claude-haiku', 'gpt-4o-mini'] },
    {
      name: 'settings.models order is the fallback order, aliases resolved',
      defaults: { models: ['haiku', 'gpt-4o-mini', 'claude-opus'] },
      request: {},
      expect: ['claude-haiku', 'gpt-4o-mini', 'claude-opus'],
    },
    { name: 'hint order beats priorities', request: { hints: ['sonnet', 'haiku'], intelligence: 1 }, expect: ['claude-sonnet', 'claude-haiku', 'claude-opus', 'gpt-4o-mini'] },
    { name: 'hints are tried in order: the first hint that matches places a model', request: { hints: ['haiku', 'claude'] }, expect: ['claude-haiku', 'claude-opus', 'claude-sonnet', 'gpt-4o-mini'] },
    { name: 'models one hint matches are ordered among themselves by priorities', request: { hints: ['claude'], cost: 1 }, expect: ['claude-haiku', 'claude-sonnet', 'claude-opus', 'gpt-4o-mini'] },
    { name: 'a hint matches a case-insensitive substring of the id', request: { hints: ['SONN'] }, expect: ['claude-sonnet', 'claude-opus', 'claude-haiku', 'gpt-4o-mini'] },
    { name: 'a hint matches an alias (gemini-1.5-flash -> gpt-4o-mini)', request: { hints: ['gemini-1.5-flash'] }, expect: ['gpt-4o-mini', 'claude-opus', 'claude-sonnet', 'claude-haiku'] },
    { name: 'a hint matching nothing changes nothing', request: { hints: ['llama'] }, expect: ['claude-opus', 'claude-sonnet', 'claude-haiku', 'gpt-4o-mini'] },
    { name: 'hints: ignore keeps the settings order', defaults: { hints: 'ignore' }, request: { hints: ['gemini', 'haiku'] }, expect: ['claude-opus', 'claude-sonnet', 'claude-haiku', 'gpt-4o-mini'] },
    { name: 'hints: ignore still applies priorities', defaults: { hints: 'ignore' }, request: { hints: ['opus'], cost: 1 }, expect: ['gpt-4o-mini', 'claude-haiku', 'claude-sonnet', 'claude-opus'] },
    { name: 'cost priority alone: cheapest output price first', request: { cost: 1 }, expect: ['gpt-4o-mini', 'claude-haiku', 'claude-sonnet', 'claude-opus'] },
    { name: 'speed priority alone: fastest first, ties keep file order', request: { speed: 1 }, expect: ['claude-haiku', 'gpt-4o-mini', 'claude-sonnet', 'claude-opus'] },
    { name: 'intelligence priority alone: smartest first', request: { intelligence: 1 }, expect: ['claude-opus', 'claude-sonnet', 'claude-haiku', 'gpt-4o-mini'] },
    // cheapness: opus 0, sonnet 10/24.4, haiku 20/24.4, mini 1; 0.3*cheapness + 0.7*intelligence
    { name: 'mixed priorities weigh cheapness and intelligence', request: { cost: 0.3, intelligence: 0.7 }, expect: ['claude-sonnet', 'claude-opus', 'claude-haiku', 'gpt-4o-mini'] },
    { name: 'all-zero priorities tie everywhere and keep file order', request: { cost: 0, speed: 0, intelligence: 0 }, expect: ['claude-opus', 'claude-sonnet', 'claude-haiku', 'gpt-4o-mini'] },
    {
      name: 'equal scores keep settings order even when reversed from file order',
      models: [
        { id: 'a', speed: 0.5 },
        { id: 'b', speed: 0.5 },
        { id: 'c', speed: 0.5 },
      ],
      defaults: { models: ['c', 'a', 'b'] },
      request: { speed: 1 },
      expect: ['c', 'a', 'b'],
    },
    {
      name: 'missing speed counts as 0.5',
      models: [{ id: 'slow', speed: 0.2 }, { id: 'unknown' }, { id: 'fast', speed: 0.8 }],
      request: { speed: 1 },
      expect: ['fast', 'unknown', 'slow'],
    },
    {
      name: 'missing price counts as cheapness 0.5',
      models: [{ id: 'dear', cost: { input: 1, output: 10 } }, { id: 'unpriced' }, { id: 'cheap', cost: { input: 1, output: 1 } }],
      request: { cost: 1 },
      expect: ['cheap', 'unpriced', 'dear'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const policy = buildPolicy({ models: c.models ?? FOUR, defaults: c.defaults });
      const d = decide(policy, req(c.request));
      assert.equal(d.action, 'route');
      assert.deepEqual(order(d), c.expect);
    });
  }

  it('reports scores and the hint that placed a candidate', () => {
    const d = decide(buildPolicy({ models: FOUR }), req({ hints: ['haiku'], cost: 0.3, intelligence: 0.7 }));
    const haiku = d.candidates[0]!;
    assert.equal(haiku.model, 'claude-haiku');
    assert.equal(haiku.hint, 'haiku');
    assert.ok(Math.abs(haiku.score! - (0.3 * (20 / 24.4) + 0.7 * 0.6)) < 1e-9);
    const opus = d.candidates.find((c) => c.model === 'claude-opus')!;
    assert.ok(Math.abs(opus.score! - 0.7) < 1e-9);
    assert.equal(opus.hint, undefined);
    assert.equal(decide(buildPolicy({ models: FOUR }), req()).candidates[0]!.score, undefined);
  });
});

interface FilterCase {
  name: string;
  models?: ModelSpec[];
  defaults?: Partial<Settings>;
  providers?: ReturnType<typeof provider>[];
  request: ReqInit;
  context?: DecideContext;
  expectOrder: string[];
  expectDropped: Record<string, string>;
}

describe('decide: capability and availability filters', () => {
  const textOnly: ModelSpec = { id: 'text-only', supports: ['text'] };
  const noTools: ModelSpec = { id: 'no-tools', supports: ['text', 'image'] };
  const full: ModelSpec = { id: 'full', supports: ['text', 'image', 'audio', 'tools'] };
  const cases: FilterCase[] = [
    { name: 'an image request drops text-only models', models: [textOnly, full], request: { image: true }, expectOrder: ['full'], expectDropped: { 'text-only': 'no-image' } },
    { name: 'a text request keeps text-only models', models: [textOnly, full], request: {}, expectOrder: ['text-only', 'full'], expectDropped: {} },
    { name: 'an audio request drops models without audio', models: [noTools, full], request: { audio: true }, expectOrder: ['full'], expectDropped: { 'no-tools': 'no-audio' } },
    { name: 'tools with tools: allow drop models without tools support', models: [noTools, full], request: { tools: true }, expectOrder: ['full'], expectDropped: { 'no-tools': 'no-tools' } },
    {
      name: 'tools with tools: strip keep models without tools support',
      models: [noTools, full],
      defaults: { tools: 'strip' },
      request: { tools: true },
      expectOrder: ['no-tools', 'full'],
      expectDropped: {},
    },
    {
      name: 'tool_use/tool_result history under allow needs tools support too',
      models: [noTools, full],
      request: { toolResult: true },
      expectOrder: ['full'],
      expectDropped: { 'no-tools': 'no-tools' },
    },
    {
      // The "hello" prompt's estimate (bound by script) + 1000 > 1000, but fits exactly in 1000 + estimate.
      name: 'estimated prompt plus maxTokens beyond the context window drops the model',
      models: [
        { id: 'small', contextWindow: 1000 },
        { id: 'fits', contextWindow: 1000 + HELLO_TOKENS },
      ],
      request: { maxTokens: 1000 },
      expectOrder: ['fits'],
      expectDropped: { small: 'context-window' },
    },
    {
      name: 'the context window check uses maxTokens after the clamp',
      models: [{ id: 'small', contextWindow: 1000 }],
      defaults: { maxTokens: 500 },
      request: { maxTokens: 5000 },
      expectOrder: ['small'],
      expectDropped: {},
    },
    {
      name: 'a provider whose key is missing is dropped with its reason',
      models: [
        { id: 'a', provider: 'anthropic' },
        { id: 'o', provider: 'openai' },
      ],
      providers: [provider('anthropic', { usable: false, unusableReason: 'ANTHROPIC_API_KEY is not set' }), provider('openai')],
      request: {},
      expectOrder: ['o'],
      expectDropped: { a: 'provider-unusable' },
    },
    {
      name: 'context.usableProviders narrows the providers',
      models: [
        { id: 'a', provider: 'anthropic' },
        { id: 'o', provider: 'openai' },
      ],
      request: {},
      context: { usableProviders: new Set(['anthropic']) },
      expectOrder: ['a'],
      expectDropped: { o: 'provider-unusable' },
    },
    {
      name: 'a candidate an exhausted budget names is dropped',
      models: [
        { id: 'a', provider: 'anthropic' },
        { id: 'o', provider: 'openai' },
      ],
      request: {},
      context: { exhausted: (c) => (c.provider === 'anthropic' ? 'daily-usd' : undefined) },
      expectOrder: ['o'],
      expectDropped: { a: 'budget' },
    },
    {
      name: 'a cooling candidate is dropped until its cooldown ends',
      models: [
        { id: 'a', provider: 'anthropic' },
        { id: 'o', provider: 'openai' },
        { id: 'p', provider: 'openai' },
      ],
      request: {},
      context: {
        cooling: new Map([
          ['anthropic/a', 2_000],
          ['openai/p', 500],
        ]),
        now: 1_000,
      },
      expectOrder: ['o', 'p'],
      expectDropped: { a: 'cooldown' },
    },
    {
      name: 'a name that resolves to no model is reported, not silently skipped',
      models: [{ id: 'a' }],
      defaults: { models: ['a', 'ghost'] },
      request: {},
      expectOrder: ['a'],
      expectDropped: { ghost: 'unknown-model' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const policy = buildPolicy({ models: c.models ?? FOUR, defaults: c.defaults, providers: c.providers });
      const d = decide(policy, req(c.request), c.context);
      assert.equal(d.action, 'route');
      assert.deepEqual(order(d), c.expectOrder);
      assert.deepEqual(droppedCodes(d), c.expectDropped);
    });
  }

  it('says why in the dropped reason', () => {
    const policy = buildPolicy({
      models: [
        { id: 'a', provider: 'anthropic', contextWindow: 100 },
        { id: 'b', provider: 'anthropic' },
      ],
      providers: [provider('anthropic')],
    });
    const d = decide(policy, req({ maxTokens: 200 }));
    assert.match(
      d.dropped[0]!.reason,
      new RegExp(`estimated prompt ${HELLO_TOKENS} \\+ maxTokens 200 = ${HELLO_TOKENS + 200} tokens exceeds the context window of 100 \\(prompt counted by bound by script`),
    );
    const cooling = decide(policy, req(), { cooling: new Map([['anthropic/b', 31_000]]), now: 1_000 });
    assert.match(cooling.dropped.find((x) => x.model === 'b')!.reason, /cooling down .* 30s more/);
  });
});

describe('decide: rules', () => {
  const models = [OPUS, HAIKU, MINI];
  const route = (name: string, when: Rule['when']) => rule(name, when, { models: ['claude-haiku'] });
  interface WhenCase {
    key: string;
    when: Rule['when'];
    matches: { request: ReqInit; server?: string };
    misses: { request: ReqInit; server?: string };
  }
  const cases: WhenCase[] = [
    { key: 'server glob', when: { server: 'git*' }, matches: { request: {}, server: 'GitHub' }, misses: { request: {}, server: 'slack' } },
    { key: 'server glob with ? needs a server name', when: { server: 'fs?' }, matches: { request: {}, server: 'fs1' }, misses: { request: {} } },
    { key: 'hints glob on any hint', when: { hints: 'claude-*' }, matches: { request: { hints: ['gpt', 'claude-3-haiku'] } }, misses: { request: { hints: ['gpt-4o'] } } },
    { key: 'content kinds', when: { content: ['image', 'audio'] }, matches: { request: { image: true } }, misses: { request: {} } },
    { key: 'content tool_result', when: { content: ['tool_result'] }, matches: { request: { toolResult: true } }, misses: { request: { tools: true } } },
    { key: 'tools: true', when: { tools: true }, matches: { request: { tools: true } }, misses: { request: {} } },
    { key: 'tools: false', when: { tools: false }, matches: { request: {} }, misses: { request: { tools: true } } },
    { key: 'maxTokens gt', when: { maxTokens: { gt: 1000 } }, matches: { request: { maxTokens: 1001 } }, misses: { request: { maxTokens: 1000 } } },
    { key: 'maxTokens gte', when: { maxTokens: { gte: 1000 } }, matches: { request: { maxTokens: 1000 } }, misses: { request: { maxTokens: 999 } } },
    { key: 'maxTokens lt', when: { maxTokens: { lt: 100 } }, matches: { request: { maxTokens: 99 } }, misses: { request: { maxTokens: 100 } } },
    { key: 'maxTokens lte', when: { maxTokens: { lte: 100 } }, matches: { request: { maxTokens: 100 } }, misses: { request: { maxTokens: 101 } } },
    { key: 'maxTokens eq', when: { maxTokens: { eq: 64 } }, matches: { request: { maxTokens: 64 } }, misses: { request: { maxTokens: 65 } } },
    { key: 'maxTokens range', when: { maxTokens: { gt: 10, lte: 20 } }, matches: { request: { maxTokens: 20 } }, misses: { request: { maxTokens: 10 } } },
    { key: 'priorities.cost', when: { priorities: { cost: { gte: 0.8 } } }, matches: { request: { cost: 0.9 } }, misses: { request: { cost: 0.5 } } },
    { key: 'priorities.speed absent does not match', when: { priorities: { speed: { lt: 0.5 } } }, matches: { request: { speed: 0.1 } }, misses: { request: { cost: 0.1 } } },
    { key: 'priorities.intelligence', when: { priorities: { intelligence: { gt: 0.5 } } }, matches: { request: { intelligence: 0.6 } }, misses: { request: { intelligence: 0.5 } } },
    { key: 'systemPrompt regex', when: { systemPrompt: '\\bsummar(y|ise)\\b' }, matches: { request: { system: 'Write a summary.' } }, misses: { request: { system: 'Translate.' } } },
    { key: 'systemPrompt /regex/flags', when: { systemPrompt: '/^translate/i' }, matches: { request: { system: 'TRANSLATE this' } }, misses: { request: {} } },
    {
      key: 'metadata equality',
      when: { metadata: { tier: 'free', n: 2 } },
      matches: { request: { metadata: { tier: 'free', n: 2, other: true } } },
      misses: { request: { metadata: { tier: 'free', n: '2' } } },
    },
    { key: 'every condition must hold', when: { server: 'github', tools: true }, matches: { request: { tools: true }, server: 'github' }, misses: { request: {}, server: 'github' } },
  ];
  for (const c of cases) {
    it(`when ${c.key}`, () => {
      const policy = buildPolicy({ models, rules: [route('r', c.when)] });
      const hit = decide(policy, req(c.matches.request), { serverName: c.matches.server });
      assert.equal(hit.rule, 'r');
      assert.deepEqual(order(hit), ['claude-haiku']);
      const miss = decide(policy, req(c.misses.request), { serverName: c.misses.server });
      assert.equal(miss.rule, null);
      assert.deepEqual([...order(miss)].sort(), ['claude-haiku', 'claude-opus', 'gpt-4o-mini']);
    });
  }

  it('the first matching rule wins, in file order', () => {
    const policy = buildPolicy({
      models,
      rules: [
        rule('images', { content: ['image'] }, { models: ['gpt-4o-mini'] }),
        rule('github', { server: 'github' }, { models: ['claude-haiku'] }),
        rule('catch-all', {}, { models: ['claude-opus'] }),
      ],
    });
    assert.equal(decide(policy, req({ image: true }), { serverName: 'github' }).rule, 'images');
    assert.equal(decide(policy, req(), { serverName: 'github' }).rule, 'github');
    const last = decide(policy, req(), { serverName: 'slack' });
    assert.equal(last.rule, 'catch-all');
    assert.deepEqual(order(last), ['claude-opus']);
    assert.match(last.trace[0]!.message, /"images" \(content\), "github" \(server\)/);
  });

  it('a rule overrides only the settings it sets', () => {
    const policy = buildPolicy({
      models,
      defaults: { maxTokens: 2000, tools: 'strip', retry: { attempts: 3, initialDelay: 100, maxDelay: 1000 } },
      rules: [rule('tight', {}, { maxTokens: 300, timeout: 5000 })],
    });
    const d = decide(policy, req({ maxTokens: 4000 }));
    assert.equal(d.settings.maxTokens, 300);
    assert.equal(d.settings.timeout, 5000);
    assert.equal(d.settings.tools, 'strip');
    assert.deepEqual(d.settings.retry, { attempts: 3, initialDelay: 100, maxDelay: 1000 });
    assert.deepEqual(order(d), ['claude-opus', 'claude-haiku', 'gpt-4o-mini']);
  });

  it('action: deny refuses with the rule message', () => {
    const policy = buildPolicy({
      models,
      rules: [rule('no-audio', { content: ['audio'] }, {}, { action: 'deny', message: 'audio is not allowed for this server' })],
    });
    const d = decide(policy, req({ audio: true }));
    assert.equal(d.action, 'deny');
    assert.equal(d.rule, 'no-audio');
    assert.deepEqual(d.candidates, []);
    assert.equal(d.refusal?.code, 'DENIED_BY_RULE');
    assert.match(d.refusal!.message, /^mcp-route: .*"no-audio".*audio is not allowed for this server/);
    const err = refusalError(d);
    assert.equal(err.code, 'DENIED_BY_RULE');
    assert.deepEqual(err.data, { reason: 'DENIED_BY_RULE', rule: 'no-audio' });
    assert.equal(decide(policy, req()).action, 'route');
  });

  it('tools: deny refuses requests that carry tools and routes the rest', () => {
    const policy = buildPolicy({ models, rules: [rule('github', { server: 'github' }, { tools: 'deny' })] });
    const d = decide(policy, req({ tools: true }), { serverName: 'github' });
    assert.equal(d.action, 'deny');
    assert.equal(d.refusal?.code, 'TOOLS_DENIED');
    assert.match(d.refusal!.message, /rule "github" set tools: deny/);
    assert.equal(decide(policy, req(), { serverName: 'github' }).action, 'route');
    assert.equal(decide(policy, req({ tools: true }), { serverName: 'other' }).action, 'route');
  });
});

describe('decide: maxTokens and refusals', () => {
  it('clamps maxTokens to the policy ceiling and lowers each candidate to its maxOutput', () => {
    const policy = buildPolicy({ models: [OPUS, SONNET], defaults: { maxTokens: 40_000 } });
    const d = decide(policy, req({ maxTokens: 100_000 }));
    assert.equal(d.settings.maxTokens, 40_000);
    assert.equal(d.settings.requestedMaxTokens, 100_000);
    assert.deepEqual(
      d.candidates.map((c) => c.maxTokens),
      [32_000, 40_000],
    );
    const small = decide(policy, req({ maxTokens: 500 }));
    assert.equal(small.settings.maxTokens, 500);
    assert.equal(small.settings.requestedMaxTokens, 500);
    const unclamped = decide(buildPolicy({ models: [SONNET] }), req({ maxTokens: 100_000 }));
    assert.equal(unclamped.settings.maxTokens, 100_000);
  });

  it('an empty candidate list refuses and names why each model was dropped', () => {
    const policy = buildPolicy({
      models: [
        { id: 'text-only', supports: ['text'] },
        { id: 'gpt-4o', provider: 'openai' },
        { id: 'tiny', contextWindow: 50 },
      ],
      providers: [provider('openai', { usable: false, unusableReason: 'OPENAI_API_KEY is not set' })],
    });
    const d = decide(policy, req({ image: true }));
    assert.equal(d.action, 'deny');
    assert.equal(d.refusal?.code, 'NO_CANDIDATES');
    const msg = d.refusal!.message;
    assert.match(msg, /^mcp-route: no model can serve this request under the defaults: /);
    assert.match(msg, /text-only \(anthropic\): the request has images and the model does not support image/);
    assert.match(msg, /gpt-4o \(openai\): provider "openai" is not usable: OPENAI_API_KEY is not set/);
    assert.match(msg, /tiny \(anthropic\): estimated prompt \d+ \+ maxTokens 1000 = \d+ tokens exceeds the context window of 50/);
    assert.equal(d.dropped.length, 3);
    const err = refusalError(d);
    assert.equal(err.code, 'NO_CANDIDATES');
    assert.equal((err.data.dropped as unknown[]).length, 3);
  });

  it('a rule with an empty models list refuses clearly', () => {
    const policy = buildPolicy({ models: [HAIKU], rules: [rule('nothing', {}, { models: [] })] });
    const d = decide(policy, req());
    assert.equal(d.refusal?.code, 'NO_CANDIDATES');
    assert.match(d.refusal!.message, /rule "nothing": the candidate list is empty/);
  });
});

describe('decide: purity and trace', () => {
  it('gives the same answer twice and does not touch the policy', () => {
    const policy: Policy = buildPolicy({ models: FOUR, rules: [rule('r', { hints: '*' }, { maxTokens: 10 })] });
    const before = JSON.stringify(policy);
    const request = req({ hints: ['haiku'], cost: 0.5 });
    const a = decide(policy, request);
    const b = decide(policy, request);
    assert.deepEqual(a, b);
    assert.equal(JSON.stringify(policy), before);
  });

  it('traces every step', () => {
    const policy = buildPolicy({ models: [...FOUR, { id: 'text-only', supports: ['text'] }] });
    const d = decide(policy, req({ image: true, hints: ['haiku'], cost: 1 }));
    const steps = new Set(d.trace.map((t) => t.step));
    for (const step of ['rule', 'settings', 'candidates', 'filter', 'priorities', 'hints', 'order'] as const) assert.ok(steps.has(step), step);
    const filter = d.trace.find((t) => t.step === 'filter')!;
    assert.equal(filter.model, 'text-only');
    assert.match(d.trace.find((t) => t.step === 'hints')!.message, /hint "haiku" matched claude-haiku/);
    assert.match(d.trace.at(-1)!.message, /^1\. anthropic\/claude-haiku, 2\. openai\/gpt-4o-mini/);
  });
});
