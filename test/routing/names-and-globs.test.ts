// One model-name index and one glob compiler: the loader, lint, routing and budget scopes agree on
// what a name means, globs are case-insensitive everywhere, and matching names the wrapped server
// controls costs work linear in their length.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/routing/decide.js';
import { compileGlob, globMatches, MAX_MATCH_NAME_LENGTH } from '../../src/routing/glob.js';
import { scopeOf } from '../../src/budgets/counters.js';
import { parsePolicy } from '../../src/policy/load.js';
import { lintText } from '../../src/policy/lint.js';
import type { Budget } from '../../src/policy/types.js';
import type { SamplingRequest } from '../../src/routing/types.js';
import { buildPolicy, rule } from '../helpers/policy.js';
import { prng } from '../helpers/prng.js';

const req = (extra: Record<string, unknown> = {}): SamplingRequest => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 100, ...extra }) as unknown as SamplingRequest;

const CLASH_YAML = `version: 1
providers: { m: { type: mock } }
models:
  x: { provider: m, aliases: [Foo] }
  foo: { provider: m }
defaults: { models: [FOO] }
`;

describe('one model-name index', () => {
  it('model `x` alias `Foo` and model `foo`: the loader and decide() both resolve FOO and Foo to foo', () => {
    const loaded = parsePolicy(CLASH_YAML, '/p.yaml', {});
    assert.ok(loaded.policy);
    assert.deepEqual(loaded.policy.defaults.models, ['foo']);
    for (const name of ['FOO', 'Foo', 'foo']) {
      const inCode = buildPolicy({
        models: [
          { id: 'x', provider: 'm', aliases: ['Foo'] },
          { id: 'foo', provider: 'm' },
        ],
        defaults: { models: [name] },
      });
      const d = decide(inCode, req());
      assert.deepEqual(
        d.candidates.map((c) => c.model),
        ['foo'],
        `${name} in a policy built in code`,
      );
    }
    // An alias still resolves when no id takes its name, in any case.
    const aliasOnly = buildPolicy({
      models: [
        { id: 'x', provider: 'm', aliases: ['Foo'] },
        { id: 'y', provider: 'm' },
      ],
      defaults: { models: ['fOO'] },
    });
    assert.deepEqual(
      decide(aliasOnly, req()).candidates.map((c) => c.model),
      ['x'],
    );
  });

  it('lint warns that the alias loses to the id, whichever comes first in the file', () => {
    for (const yaml of [CLASH_YAML, CLASH_YAML.replace('  x: { provider: m, aliases: [Foo] }\n  foo: { provider: m }', '  foo: { provider: m }\n  x: { provider: m, aliases: [Foo] }')]) {
      const warnings = lintText(yaml, '/p.yaml', { env: {} }).filter((d) => d.code === 'duplicate-alias');
      assert.equal(warnings.length, 1, yaml);
      assert.match(warnings[0]!.message, /alias `Foo` of model `x` is already the id of model `foo`.*ids win/);
      assert.equal(warnings[0]!.line, yaml.split('\n').findIndex((l) => l.includes('[Foo]')) + 1);
    }
  });

  it('a budget selector naming a model by alias counts that model (lint accepted it, budgets ignored it)', () => {
    const yaml = `version: 1
providers: { a: { type: anthropic, apiKey: k } }
models: { claude-haiku-4-5: {} }
budgets: [{ name: cheap, usd: 1, scope: { model: HAIKU } }]
`;
    const { policy, diagnostics } = parsePolicy(yaml, '/p.yaml', {});
    assert.ok(policy, diagnostics.map((d) => d.message).join('\n'));
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'undefined-model'),
      [],
    );
    assert.equal(scopeOf(policy.budgets[0]!, { provider: 'a', model: 'claude-haiku-4-5' }), 'model=claude-haiku-4-5');
  });
});

describe('one glob compiler', () => {
  it('when.server and a budget scope glob agree on case', () => {
    const policy = buildPolicy({ models: [{ id: 'm1', provider: 'p' }], rules: [rule('gh', { server: 'GitHub-*' }, { maxTokens: 7 })] });
    const budget: Budget = { name: 'b', scope: { kind: 'select', server: 'GitHub-*' }, per: 'day', onExceed: 'reject', maxWait: 0, usd: 1 };
    for (const server of ['github-enterprise', 'GITHUB-X', 'GitHub-y']) {
      assert.equal(decide(policy, req(), { serverName: server }).rule, 'gh', server);
      assert.notEqual(scopeOf(budget, { server, provider: 'p', model: 'm1' }), undefined, server);
    }
    assert.equal(decide(policy, req(), { serverName: 'gitlab' }).rule, null);
    assert.equal(scopeOf(budget, { server: 'gitlab', provider: 'p', model: 'm1' }), undefined);
  });

  it('`[` and `{` are literal for the compiler, so lint checks such names like any other', () => {
    assert.ok(globMatches('claude-[ab]', 'Claude-[AB]'));
    assert.ok(!globMatches('claude-[ab]', 'claude-a'));
    assert.ok(!globMatches('gpt-{4,5}', 'gpt-4'));
    const yaml = (model: string) => `version: 1
providers: { m: { type: mock } }
models: { claude-a: { provider: m } }
budgets: [{ name: b, usd: 1, scope: { model: "${model}" } }]
`;
    const undef = (model: string) => lintText(yaml(model), '/p.yaml', { env: {} }).filter((d) => d.code === 'undefined-model');
    assert.equal(undef('claude-[ab]').length, 1, 'a bracket is not glob syntax: this selector names no model');
    assert.equal(undef('gpt-{4,5}').length, 1);
    assert.deepEqual(undef('claude-*'), []);
    assert.deepEqual(undef('claude-?'), []);
  });

  it('agrees with a reference regular expression on random globs and names', () => {
    const rand = prng(42);
    const alphabet = ['a', 'b', '-', '*', '?', 'A', '.'];
    const pick = (n: number, chars: string[]) => Array.from({ length: Math.floor(rand() * n) }, () => chars[Math.floor(rand() * chars.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const glob = pick(7, alphabet);
      const value = pick(9, ['a', 'b', '-', 'A', 'B', '.']);
      const source = [...glob.toLowerCase()].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.-]/g, '\\$&'))).join('');
      const expected = new RegExp(`^${source}$`, 's').test(value.toLowerCase());
      assert.equal(compileGlob(glob).test(value), expected, `${JSON.stringify(glob)} vs ${JSON.stringify(value)}`);
    }
  });

  // The backtracking RegExp took 7.3 s on the first and ~45 s on the second; a linear matcher
  // needs well under a millisecond. The bound is wide so a loaded machine cannot fail it.
  it('matches adversarial names in linear time: *-*-*-prod on 4,000 dashes, *claude*sonnet* on 1 MB', () => {
    const cases: Array<[string, string]> = [
      ['*-*-*-prod', '-'.repeat(4000)],
      ['*claude*sonnet*', 'claude'.repeat(175_000)],
      ['*a?a*a?a*b', 'a'.repeat(1_000_000)],
    ];
    for (const [glob, value] of cases) {
      const started = performance.now();
      assert.equal(compileGlob(glob).test(value), false);
      const ms = performance.now() - started;
      assert.ok(ms < 1000, `${glob} on ${value.length} characters took ${ms.toFixed(0)} ms`);
    }
  });

  it(`ignores hints longer than ${MAX_MATCH_NAME_LENGTH} characters and cuts long server names, saying so in the trace`, () => {
    const policy = buildPolicy({
      models: [
        { id: 'claude-sonnet', provider: 'p' },
        { id: 'other', provider: 'p' },
      ],
      rules: [rule('long-hint', { hints: '*claude*sonnet*' }, { maxTokens: 5 }), rule('srv', { server: 'untrusted-*' }, { maxTokens: 6 })],
    });
    const longHint = 'claude-sonnet'.padEnd(MAX_MATCH_NAME_LENGTH + 1, 'x');
    const d = decide(policy, req({ modelPreferences: { hints: [{ name: longHint }] } }));
    assert.equal(d.rule, null);
    assert.ok(d.trace.some((t) => t.message === `1 hint(s) longer than ${MAX_MATCH_NAME_LENGTH} characters ignored`));
    const atCap = 'claude-sonnet'.padEnd(MAX_MATCH_NAME_LENGTH, 'x');
    assert.equal(decide(policy, req({ modelPreferences: { hints: [{ name: atCap }] } })).rule, 'long-hint');

    const server = `untrusted-${'x'.repeat(1_000_000)}`;
    const s = decide(policy, req(), { serverName: server });
    assert.equal(s.rule, 'srv', 'the first 256 characters still carry the prefix');
    assert.ok(s.trace.some((t) => t.message.includes(`cut to its first ${MAX_MATCH_NAME_LENGTH}`)));
    const budget: Budget = { name: 'b', scope: { kind: 'server' }, per: 'day', onExceed: 'reject', maxWait: 0, usd: 1 };
    assert.equal(scopeOf(budget, { server, provider: 'p', model: 'other' })!.length, 'server='.length + MAX_MATCH_NAME_LENGTH);
  });
});
