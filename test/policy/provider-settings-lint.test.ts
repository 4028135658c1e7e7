// Lint and normalisation of the provider and model settings that shape request bodies
// (`options`, `maxTokensParam`, `storeMetadata`, `params`) and of model end-of-life dates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/policy/lint.js';
import { parsePolicy } from '../../src/policy/load.js';
import { END_OF_LIFE_NOTICE_DAYS } from '../../src/policy/semantic.js';

const env = {};
const codes = (text: string) => lintText(text, 'p.yaml', { env }).map((d) => ({ code: d.code, severity: d.severity, line: d.line, column: d.column, message: d.message, hint: d.hint }));

test('maxTokensParam and storeMetadata sit beside baseURL, as the README says', () => {
  const r = parsePolicy('version: 1\nproviders:\n  o: { type: openai, apiKey: k, maxTokensParam: max_tokens, storeMetadata: true }\nmodels: { x: { provider: o } }\n', 'p.yaml', env);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.policy!.providers['o']!.maxTokensParam, 'max_tokens');
  assert.equal(r.policy!.providers['o']!.storeMetadata, true);
  assert.deepEqual(r.policy!.providers['o']!.options, {});
});

test('under options (the old place) they still work, are kept out of the body, and lint says where they belong', () => {
  const text = 'version: 1\nproviders:\n  o:\n    type: openai\n    apiKey: k\n    options: { maxTokensParam: max_tokens, reasoning_effort: low }\nmodels: { x: { provider: o } }\n';
  const r = parsePolicy(text, 'p.yaml', env);
  assert.equal(r.policy!.providers['o']!.maxTokensParam, 'max_tokens');
  assert.deepEqual(r.policy!.providers['o']!.options, { reasoning_effort: 'low' });
  const [d] = codes(text);
  assert.equal(d!.code, 'misplaced-key');
  assert.equal(d!.severity, 'warning');
  assert.deepEqual([d!.line, d!.column], [6, 16]);
  assert.match(d!.hint!, /beside `baseURL`/);
});

test('options that replace a field mcp-route sets draw a warning listing those fields; model/messages/stream are errors', () => {
  const text = [
    'version: 1',
    'providers:',
    '  o:',
    '    type: openai',
    '    apiKey: k',
    '    options: { temperature: 0.2, reasoning_effort: low, stream: true }',
    '  a:',
    '    type: anthropic',
    '    apiKey: k',
    '    options: { model: claude-x, top_k: 3 }',
    'models: { x: { provider: o }, y: { provider: a } }',
    '',
  ].join('\n');
  const ds = codes(text);
  assert.deepEqual(
    ds.map((d) => [d.code, d.severity, d.line, d.column]),
    [
      ['option-overrides', 'warning', 6, 16],
      ['reserved-option', 'error', 6, 57],
      ['reserved-option', 'error', 10, 16],
    ],
  );
  assert.match(ds[0]!.message, /`options\.temperature` replaces the `temperature` mcp-route builds from each sampling request/);
  assert.match(ds[0]!.hint!, /mcp-route itself sets these openai body fields: model, messages, max_completion_tokens, max_tokens, temperature, stop, tools, tool_choice, metadata, store/);
  assert.match(ds[2]!.hint!, /`model:` on a models entry/);
});

test('params on a mock model are ignored; params.set cannot replace the model', () => {
  const text =
    'version: 1\nproviders:\n  m: { type: mock }\n  o: { type: openai, apiKey: k }\nmodels:\n  x: { provider: m, params: { drop: [temperature] } }\n  y: { provider: o, params: { set: { model: other } } }\n';
  assert.deepEqual(
    codes(text).map((d) => [d.code, d.line]),
    [
      ['ignored-key', 6],
      ['reserved-option', 7],
    ],
  );
});

test('a model past or near its end of life is a warning that names the date and a successor', () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const text = [
    'version: 1',
    'providers: { a: { type: anthropic }, l: { type: openai, baseURL: "http://127.0.0.1:1/v1" } }',
    'models:',
    '  extends: builtin',
    `  old-local: { provider: l, endOfLife: "2020-01-31" }`,
    `  soon-local: { provider: l, endOfLife: "${day(10)}" }`,
    `  later-local: { provider: l, endOfLife: "${day(END_OF_LIFE_NOTICE_DAYS + 30)}" }`,
    'defaults:',
    '  models: [claude-sonnet-4-5, claude-sonnet-4-6, old-local, soon-local, later-local]',
    '',
  ].join('\n');
  const ds = codes(text).filter((d) => d.code === 'model-end-of-life');
  assert.deepEqual(
    ds.map((d) => [d.line, d.column]),
    [
      [5, 40],
      [6, 41],
      [9, 12],
    ],
  );
  assert.match(ds[0]!.message, /^model `old-local` reached its end of life on 2020-01-31/);
  assert.match(ds[1]!.message, new RegExp(`^model \`soon-local\` reaches its end of life on ${day(10)} \\(in 1[01] days\\)`));
  // The built-in claude-sonnet-4-5 carries the date the bundled Anthropic SDK announces.
  assert.match(ds[2]!.message, /^model `claude-sonnet-4-5` reache[sd] its end of life on 2026-11-30/);
  assert.equal(ds[2]!.hint, 'move to `claude-sonnet-4-6`');
  assert.ok(ds.every((d) => d.severity === 'warning'));
});

test('an endOfLife that is not a date is refused', () => {
  const ds = codes('version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m, endOfLife: "30/11/2026" } }\n');
  assert.equal(ds[0]!.code, 'invalid-value');
  assert.match(ds[0]!.message, /must be a date such as 2026-11-30/);
});

test('the shipped policies and the built-in default name no model near its end of life', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../../policies/', import.meta.url);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const ds = lintText(readFileSync(new URL(f, dir), 'utf8'), f, { env });
    assert.deepEqual(
      ds.filter((d) => d.code === 'model-end-of-life'),
      [],
      f,
    );
  }
  const { builtinDefaultPolicy } = await import('../../src/policy/discover.js');
  for (const keys of [{ ANTHROPIC_API_KEY: 'a' }, { OPENAI_API_KEY: 'o' }]) {
    const first = Object.values(builtinDefaultPolicy(keys).models)[0]!;
    assert.equal(first.endOfLife, undefined, `${first.id} is the built-in default's first choice`);
  }
});
