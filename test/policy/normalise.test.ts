// What a loaded policy means: defaults, credentials and the variables they came from,
// the built-in catalogue merge, rules, budgets, state paths, discovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModels } from '../../src/catalogue/catalogue.js';
import { PolicyError } from '../../src/errors.js';
import { loadPolicyFile, normalisePolicy, parsePolicy } from '../../src/policy/load.js';
import { discoverPolicy } from '../../src/policy/discover.js';

const HOME = '/home/tester';
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ HOME, ...extra });
const load = (yaml: string, e = env()) => {
  const r = parsePolicy(yaml, '/etc/mcp-route/p.yaml', e);
  assert.ok(r.policy, r.diagnostics.map((d) => d.message).join('\n'));
  return r.policy;
};

test('absent keys take the documented defaults', () => {
  const p = load('version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\n');
  assert.deepEqual(p.defaults, {
    tools: 'allow',
    timeout: 60_000,
    deadline: 120_000,
    retry: { attempts: 3, initialDelay: 500, maxDelay: 8_000 },
    cooldown: 5_000,
    hints: 'prefer',
    approval: 'none',
    approvalFallback: 'deny',
    approvalTimeout: 120_000,
  });
  assert.equal(p.defaults.models, undefined);
  assert.equal(p.defaults.maxTokens, undefined);
  assert.deepEqual(p.state, { store: 'sqlite', prefix: 'mcp-route', path: join(HOME, '.local/state/mcp-route/state.db') });
  assert.deepEqual(p.audit, { content: false });
  assert.deepEqual(p.rules, []);
  assert.deepEqual(p.budgets, []);
  assert.deepEqual(p.models['x'], { id: 'x', provider: 'm', model: 'x', aliases: [], supports: ['text'] });
  assert.equal(p.source, '/etc/mcp-route/p.yaml');
});

test('XDG_STATE_HOME moves the sqlite file; relative paths resolve against the policy folder', () => {
  const p = load('version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\naudit: { path: logs/audit.jsonl, content: true }\n', env({ XDG_STATE_HOME: '/var/state' }));
  assert.equal(p.state.path, '/var/state/mcp-route/state.db');
  assert.deepEqual(p.audit, { path: '/etc/mcp-route/logs/audit.jsonl', content: true });
  const r = load('version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\nstate: { store: redis }\n');
  assert.deepEqual(r.state, { store: 'redis', prefix: 'mcp-route', url: 'redis://127.0.0.1:6379' });
});

test('keys come from ${VAR} or the vendor variable; both are recorded for stripping, values kept as secrets', () => {
  const yaml = [
    'version: 1',
    'providers:',
    '  a: { type: anthropic }',
    '  o: { type: openai, apiKey: "${MY_OPENAI}", headers: { X-Team: "${TEAM_TOKEN}" } }',
    'models: { claude-haiku-4-5: { provider: a }, gpt-5-mini: { provider: o } }',
  ].join('\n');
  const p = load(yaml, env({ ANTHROPIC_API_KEY: 'sk-ant-1', MY_OPENAI: 'sk-oai-2', TEAM_TOKEN: 'tt-3', OPENAI_API_KEY: 'unused' }));
  assert.equal(p.providers['a']!.apiKey, 'sk-ant-1');
  assert.deepEqual(p.providers['a']!.envVars, ['ANTHROPIC_API_KEY']);
  assert.equal(p.providers['o']!.apiKey, 'sk-oai-2');
  assert.deepEqual(p.providers['o']!.envVars.sort(), ['MY_OPENAI', 'TEAM_TOKEN']);
  assert.deepEqual(p.providers['o']!.headers, { 'X-Team': 'tt-3' });
  assert.deepEqual([...p.credentialEnv].sort(), ['ANTHROPIC_API_KEY', 'MY_OPENAI', 'TEAM_TOKEN']);
  assert.deepEqual([...p.secrets].sort(), ['sk-ant-1', 'sk-oai-2', 'tt-3']);
});

test('a provider without its key is unusable, and the reason names the variable', () => {
  const p = load('version: 1\nproviders:\n  a: { type: anthropic }\n  o: { type: openai, apiKey: "${TEAM_KEY:-}" }\nmodels: { claude-haiku-4-5: {}, gpt-5: {} }\n');
  assert.equal(p.providers['a']!.usable, false);
  assert.match(p.providers['a']!.unusableReason!, /ANTHROPIC_API_KEY is not set/);
  assert.equal(p.providers['o']!.usable, false);
  assert.match(p.providers['o']!.unusableReason!, /TEAM_KEY is not set/);
  assert.deepEqual(p.secrets, []);
});

test('a local OpenAI-compatible endpoint needs no key and never receives the vendor key', () => {
  const p = load('version: 1\nproviders: { ollama: { type: openai, baseURL: "http://127.0.0.1:11434/v1" } }\nmodels: { llama3.2: { provider: ollama } }\n', env({ OPENAI_API_KEY: 'sk-real' }));
  assert.equal(p.providers['ollama']!.usable, true);
  assert.equal(p.providers['ollama']!.apiKey, 'no-key-needed');
  // Not sent, yet still a key in mcp-route's environment: redacted wherever it might appear.
  assert.deepEqual(p.secrets, ['sk-real']);
  // A remote compatible endpoint still needs one.
  const q = load('version: 1\nproviders: { r: { type: openai, baseURL: "https://api.example.com/v1" } }\nmodels: { m: { provider: r } }\n');
  assert.equal(q.providers['r']!.usable, false);
});

test('a built-in id inherits what it does not set; extends: builtin appends the catalogue bound to the first provider of each type', () => {
  const yaml = [
    'version: 1',
    'providers: { main: { type: anthropic }, backup: { type: anthropic }, o: { type: openai } }',
    'models:',
    '  extends: builtin',
    '  mine: { provider: backup, cost: { input: 1, output: 2 } }',
    '  claude-haiku-4-5: { provider: backup, aliases: [small], cost: { input: 0.5, output: 4 } }',
  ].join('\n');
  const p = load(yaml, env({ ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k2' }));
  const haiku = builtinModels().find((m) => m.id === 'claude-haiku-4-5')!;
  const ids = Object.keys(p.models);
  assert.deepEqual(ids.slice(0, 2), ['mine', 'claude-haiku-4-5'], 'own entries first, in file order');
  assert.equal(ids.length, 2 + builtinModels().length - 1);
  const h = p.models['claude-haiku-4-5']!;
  assert.equal(h.provider, 'backup');
  assert.deepEqual(h.cost, { input: 0.5, output: 4 });
  assert.equal(h.contextWindow, haiku.contextWindow);
  assert.deepEqual(h.aliases, ['small', ...haiku.aliases]);
  assert.equal(h.builtin, true);
  for (const m of builtinModels()) {
    if (m.id === 'claude-haiku-4-5') continue;
    assert.equal(p.models[m.id]!.provider, m.vendor === 'anthropic' ? 'main' : 'o', m.id);
  }
  assert.equal(p.models['mine']!.builtin, undefined);
});

test('without extends only the listed built-in ids are used, and a built-in id may omit provider', () => {
  const p = load('version: 1\nproviders: { a: { type: anthropic } }\nmodels: { claude-sonnet-4-5: {} }\n', env({ ANTHROPIC_API_KEY: 'k' }));
  assert.deepEqual(Object.keys(p.models), ['claude-sonnet-4-5']);
  assert.equal(p.models['claude-sonnet-4-5']!.provider, 'a');
});

test('rules keep only the settings they set, durations in ms; model lists resolve aliases to ids', () => {
  const yaml = [
    'version: 1',
    'providers: { m: { type: mock } }',
    'models: { big: { provider: m, aliases: [large] }, small: { provider: m } }',
    'defaults: { retry: { attempts: 5 }, timeout: 10s, deadline: 1m }',
    'rules:',
    '  - name: r1',
    '    when: { server: "gh-*", priorities: { cost: { gte: 0.5 } }, content: [image] }',
    '    models: [LARGE, small]',
    '    retry: { maxDelay: 2s }',
    '    cooldown: 1m',
    '  - name: no',
    '    action: deny',
    '    message: nope',
  ].join('\n');
  const p = load(yaml);
  assert.deepEqual(p.defaults.retry, { attempts: 5, initialDelay: 500, maxDelay: 8000 });
  assert.equal(p.defaults.timeout, 10_000);
  assert.deepEqual(p.rules[0], {
    name: 'r1',
    action: 'route',
    when: { server: 'gh-*', priorities: { cost: { gte: 0.5 } }, content: ['image'] },
    settings: { models: ['big', 'small'], retry: { attempts: 5, initialDelay: 500, maxDelay: 2000 }, cooldown: 60_000 },
  });
  assert.deepEqual(p.rules[1], { name: 'no', action: 'deny', message: 'nope', settings: {} });
});

test('budgets: scope forms, defaults per/onExceed/maxWait', () => {
  const yaml = [
    'version: 1',
    'providers: { m: { type: mock } }',
    'models: { x: { provider: m, cost: { input: 1, output: 1 } } }',
    'budgets:',
    '  - { name: g, usd: 5 }',
    '  - { name: s, scope: server, rpm: 10 }',
    '  - { name: sel, scope: { provider: m, model: "x*" }, tokens: 1000, per: hour, onExceed: wait, maxWait: 5s }',
  ].join('\n');
  const p = load(yaml);
  assert.deepEqual(p.budgets, [
    { name: 'g', scope: { kind: 'global' }, usd: 5, per: 'day', onExceed: 'reject', maxWait: 30_000 },
    { name: 's', scope: { kind: 'server' }, rpm: 10, per: 'day', onExceed: 'reject', maxWait: 30_000 },
    { name: 'sel', scope: { kind: 'select', provider: 'm', model: 'x*' }, tokens: 1000, per: 'hour', onExceed: 'wait', maxWait: 5000 },
  ]);
});

test('normalisePolicy checks objects from code with the same rules and throws PolicyError', () => {
  const p = normalisePolicy({ version: 1, providers: { m: { type: 'mock' } }, models: { x: { provider: 'm' } }, defaults: { timeout: '2s' } }, '<code>', env());
  assert.equal(p.defaults.timeout, 2000);
  assert.equal(p.source, '<code>');
  assert.throws(
    () => normalisePolicy({ version: 1, providers: { m: { type: 'mock' } }, models: { x: { provider: 'n' } }, defaults: { maxToken: 5 } }, '<code>', env()),
    (err: unknown) => {
      assert.ok(err instanceof PolicyError);
      assert.deepEqual(err.diagnostics.map((d) => d.code).sort(), ['undefined-provider', 'unknown-key']);
      assert.match(err.message, /unknown key `maxToken` in `defaults`/);
      return true;
    },
  );
});

test('loadPolicyFile throws PolicyError with path:line:col diagnostics and a code frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-load-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\ndefaults: { tools: never }\n');
  assert.throws(
    () => loadPolicyFile(file, env()),
    (err: unknown) => {
      assert.ok(err instanceof PolicyError);
      assert.equal(err.code, 'POLICY_INVALID');
      assert.match(err.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:20: error: \`defaults.tools\` must be one of allow, strip, deny`));
      assert.match(err.message, /> 4 \| defaults: \{ tools: never \}/);
      assert.equal(err.diagnostics[0]!.line, 4);
      return true;
    },
  );
  assert.throws(
    () => loadPolicyFile(join(dir, 'missing.yaml'), env()),
    (err: unknown) => err instanceof PolicyError && /no such file/.test(err.message),
  );
});

test('discovery: ./mcp-route.yaml, then $XDG_CONFIG_HOME/mcp-route/policy.yaml, else the built-in default', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcp-route-discover-'));
  const cwd = join(root, 'project');
  const xdg = join(root, 'config');
  mkdirSync(cwd);
  mkdirSync(join(xdg, 'mcp-route'), { recursive: true });
  const e = env({ XDG_CONFIG_HOME: xdg });
  const policy = (model: string) => `version: 1\nproviders: { m: { type: mock } }\nmodels: { ${model}: { provider: m } }\n`;

  const none = discoverPolicy({ cwd, env: e });
  assert.equal(none.path, undefined);
  assert.equal(none.policy.source, '<built-in default>');

  writeFileSync(join(xdg, 'mcp-route', 'policy.yaml'), policy('from-config'));
  const fromConfig = discoverPolicy({ cwd, env: e });
  assert.equal(fromConfig.path, join(xdg, 'mcp-route', 'policy.yaml'));
  assert.deepEqual(Object.keys(fromConfig.policy.models), ['from-config']);

  writeFileSync(join(cwd, 'mcp-route.yaml'), policy('from-cwd'));
  const fromCwd = discoverPolicy({ cwd, env: e });
  assert.equal(fromCwd.path, join(cwd, 'mcp-route.yaml'));
  assert.deepEqual(Object.keys(fromCwd.policy.models), ['from-cwd']);

  writeFileSync(join(cwd, 'mcp-route.yaml'), 'version: 1\nprovidrs: {}\n');
  assert.throws(() => discoverPolicy({ cwd, env: e }), PolicyError, 'an invalid discovered file is an error, not a silent fallback');
});

test('the built-in default uses whichever vendor key is set, else the host', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mcp-route-default-'));
  const host = discoverPolicy({ cwd, env: env({ XDG_CONFIG_HOME: cwd }) }).policy;
  assert.deepEqual(
    Object.values(host.providers).map((p) => [p.name, p.type, p.usable]),
    [['host', 'client', true]],
  );
  assert.deepEqual(Object.keys(host.models), ['host']);
  assert.deepEqual(host.credentialEnv, []);

  const anthropic = discoverPolicy({ cwd, env: env({ XDG_CONFIG_HOME: cwd, ANTHROPIC_API_KEY: 'sk-a' }) }).policy;
  assert.deepEqual(Object.keys(anthropic.providers), ['anthropic']);
  assert.equal(Object.keys(anthropic.models)[0], 'claude-sonnet-4-6', 'a balanced, current model first, not the dearest nor one near its end of life');
  assert.ok(Object.values(anthropic.models).every((m) => m.provider === 'anthropic'));
  assert.deepEqual(anthropic.secrets, ['sk-a']);

  const both = discoverPolicy({ cwd, env: env({ XDG_CONFIG_HOME: cwd, ANTHROPIC_API_KEY: 'sk-a', OPENAI_API_KEY: 'sk-o' }) }).policy;
  assert.deepEqual(Object.keys(both.providers), ['anthropic', 'openai']);
  assert.equal(Object.keys(both.models).length, builtinModels().length);
  assert.deepEqual(both.credentialEnv.sort(), ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
});

test('example policies in policies/ load with no keys and no warnings', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../../policies/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 3);
  for (const f of files) {
    const r = parsePolicy(readFileSync(new URL(f, dir), 'utf8'), f, env());
    assert.deepEqual(r.diagnostics, [], f);
    assert.ok(r.policy, f);
  }
});

test('YAML anchors and merge keys work; alias bombs are refused, not expanded', () => {
  const p = load(
    'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\n' +
      'defaults: &d\n  tools: strip\n  timeout: 5s\nrules:\n  - name: r\n    when: { tools: true }\n    <<: *d\n    timeout: 9s\n',
  );
  assert.deepEqual(p.rules[0]!.settings, { tools: 'strip', timeout: 9000 });
  const bomb = [
    'version: 1',
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
  ].join('\n');
  const r = parsePolicy(bomb, 'bomb.yaml', env());
  assert.equal(r.policy, undefined);
  assert.equal(r.diagnostics[0]!.code, 'yaml-syntax');
  assert.match(r.diagnostics[0]!.message, /alias/i);
});
