// Every diagnostic the linter promises, each from its own bad fixture, with its exact
// position: a regression that moves a caret or loses a hint fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lintText } from '../../src/policy/lint.js';
import { formatDiagnostic } from '../../src/policy/diagnostics.js';

const dir = fileURLToPath(new URL('../fixtures/policies/', import.meta.url));
const read = (f: string) => readFileSync(dir + f, 'utf8');

interface Expected {
  severity: 'error' | 'warning';
  code: string;
  line: number;
  column: number;
  message: RegExp;
  hint?: RegExp;
}

const cases: Record<string, Expected> = {
  'yaml-syntax.yaml': { severity: 'error', code: 'yaml-syntax', line: 5, column: 1, message: /^YAML syntax error: All mapping items must start at the same column/ },
  'duplicate-key.yaml': { severity: 'error', code: 'duplicate-key', line: 5, column: 3, message: /duplicate key/ },
  'empty.yaml': { severity: 'error', code: 'empty-policy', line: 1, column: 1, message: /empty/ },
  'unknown-key.yaml': { severity: 'error', code: 'unknown-key', line: 7, column: 3, message: /^unknown key `maxToken` in `defaults`$/, hint: /did you mean `maxTokens`\?/ },
  'unknown-key-in-scope.yaml': { severity: 'error', code: 'unknown-key', line: 8, column: 30, message: /unknown key `modle` in `budgets\[0\]\.scope`/, hint: /did you mean `model`\?/ },
  'missing-key.yaml': { severity: 'error', code: 'missing-key', line: 3, column: 3, message: /`providers\.demo` is missing required key `type`/ },
  'missing-version.yaml': { severity: 'error', code: 'missing-key', line: 1, column: 1, message: /`version`/, hint: /version: 1/ },
  'wrong-version.yaml': { severity: 'error', code: 'invalid-value', line: 1, column: 10, message: /`version` must be 1 \(got 2\)/ },
  'invalid-type.yaml': { severity: 'error', code: 'invalid-type', line: 7, column: 14, message: /`defaults\.maxTokens` must be an integer \(got "lots"\)/ },
  'invalid-enum.yaml': { severity: 'error', code: 'invalid-value', line: 7, column: 10, message: /must be one of allow, strip, deny/, hint: /did you mean `strip`\?/ },
  'invalid-duration.yaml': { severity: 'error', code: 'invalid-value', line: 7, column: 12, message: /`defaults\.timeout` must be a duration such as 500ms, 30s/ },
  'invalid-scope.yaml': {
    severity: 'error',
    code: 'invalid-value',
    line: 8,
    column: 12,
    message: /`budgets\[0\]\.scope` must be global, server, provider, model, or an object/,
    hint: /did you mean `provider`\?/,
  },
  'undefined-provider.yaml': { severity: 'error', code: 'undefined-provider', line: 6, column: 15, message: /model `claude` names provider `anthropc`/, hint: /did you mean `anthropic`\?/ },
  'missing-provider.yaml': { severity: 'error', code: 'missing-provider', line: 6, column: 3, message: /model `homegrown` has no `provider`/ },
  'undefined-model.yaml': { severity: 'error', code: 'undefined-model', line: 8, column: 19, message: /`smrt` is not a model id or alias/, hint: /did you mean `smart`\?/ },
  'undefined-model-in-rule.yaml': { severity: 'error', code: 'undefined-model', line: 9, column: 20, message: /`coder` is not a model id or alias/, hint: /defined models: fast/ },
  'duplicate-rule-name.yaml': { severity: 'error', code: 'duplicate-rule-name', line: 9, column: 11, message: /duplicate rule name `small`/, hint: /line 7/ },
  'duplicate-budget-name.yaml': { severity: 'error', code: 'duplicate-budget-name', line: 11, column: 11, message: /duplicate budget name `spend`/, hint: /line 7/ },
  'unreachable-rule.yaml': {
    severity: 'error',
    code: 'unreachable-rule',
    line: 9,
    column: 5,
    message: /rule `untrusted` can never match: rule `everything` before it has no conditions/,
    hint: /line 7/,
  },
  'env-unset.yaml': { severity: 'warning', code: 'env-unset', line: 5, column: 14, message: /MCP_ROUTE_TEST_UNSET_KEY is not set/, hint: /\$\{MCP_ROUTE_TEST_UNSET_KEY:-value\}/ },
  'env-syntax.yaml': { severity: 'error', code: 'env-syntax', line: 5, column: 16, message: /malformed interpolation `\$\{OPENAI KEY\}`/ },
  'budget-empty.yaml': { severity: 'error', code: 'budget-empty', line: 7, column: 5, message: /budget `forgot-the-limit` limits nothing/, hint: /rpm, concurrency, tpm, tokens, usd/ },
  'invalid-regex.yaml': { severity: 'error', code: 'invalid-regex', line: 9, column: 21, message: /not a valid regular expression: .*Unterminated group/ },
  // The router reads `/source/flags`; lint must reject what the router cannot compile.
  'invalid-regex-flags.yaml': { severity: 'error', code: 'invalid-regex', line: 9, column: 21, message: /not a valid regular expression: .*flags/ },
  'deny-without-message.yaml': { severity: 'warning', code: 'deny-without-message', line: 7, column: 5, message: /rule `no-images` denies without a `message`/ },
  'provider-unused.yaml': { severity: 'warning', code: 'provider-unused', line: 4, column: 3, message: /provider `spare` serves no model/ },
};

const env = { HOME: '/nonexistent-home' };

for (const [file, want] of Object.entries(cases)) {
  test(`${file}: ${want.severity} ${want.code} at ${want.line}:${want.column}`, () => {
    const ds = lintText(read(file), file, { env });
    // Each fixture holds one mistake; YAML syntax errors may cascade, the first one counts.
    if (want.code !== 'yaml-syntax') assert.equal(ds.length, 1, `expected exactly one diagnostic, got:\n${ds.map((d) => formatDiagnostic(d)).join('\n')}`);
    const d = ds[0]!;
    assert.equal(d.code, want.code);
    assert.equal(d.severity, want.severity);
    assert.deepEqual([d.line, d.column], [want.line, want.column]);
    assert.match(d.message, want.message);
    if (want.hint) assert.match(d.hint ?? '', want.hint);
    assert.equal(d.path, file);
  });
}

test('a valid policy has no diagnostics', () => {
  assert.deepEqual(lintText(read('valid-minimal.yaml'), 'valid-minimal.yaml', { env }), []);
});

test('--strict turns warnings into errors', () => {
  const ds = lintText(read('provider-unused.yaml'), 'p.yaml', { env, strict: true });
  assert.deepEqual(
    ds.map((d) => [d.severity, d.code]),
    [['error', 'provider-unused']],
  );
});

test('reports every problem in a file at once, in source order', () => {
  const text = ['version: 1', 'providers:', '  demo: { type: mock, timeot: 5s }', 'models:', '  m: { provider: dmo }', 'defaults:', '  tools: nope', '  models: [x]'].join('\n');
  const ds = lintText(text, 'many.yaml', { env });
  assert.deepEqual(
    ds.map((d) => [d.code, d.line, d.column]),
    [
      ['provider-unused', 3, 3],
      ['unknown-key', 3, 23],
      ['undefined-provider', 5, 18],
      ['invalid-value', 7, 10],
      ['undefined-model', 8, 12],
    ],
  );
  assert.match(ds[1]!.hint!, /did you mean `timeout`\?/);
});

test('the formatted diagnostic shows path:line:col, a code frame with a caret, and the hint', () => {
  const text = read('unknown-key.yaml');
  const [d] = lintText(text, 'policies/x.yaml', { env });
  const out = formatDiagnostic(d!, text);
  const lines = out.split('\n');
  assert.equal(lines[0], 'policies/x.yaml:7:3: error: unknown key `maxToken` in `defaults` (unknown-key)');
  assert.ok(
    lines.some((l) => /^ {2}> 7 \| {3}maxToken: 100$/.test(l)),
    out,
  );
  assert.ok(
    lines.some((l) => /^ {4} {2}\| {3}\^{8}$/.test(l)),
    out,
  );
  assert.equal(lines[lines.length - 1], '  hint: did you mean `maxTokens`?');
});
