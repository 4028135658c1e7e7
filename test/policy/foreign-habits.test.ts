// Lint warns on habits from other tools that a policy accepts but that break at run time:
// shell and LiteLLM variable syntax sent literally as a key, a key that is a variable's name,
// and plain numbers under 1000 used as durations (they are milliseconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../src/policy/lint.js';
import { parsePolicy } from '../../src/policy/load.js';

const env = { OPENAI_API_KEY: 'sk-real', TOKEN: 't' };
const base = (providers: string, rest = '') => `version: 1\nproviders:\n${providers}\nmodels:\n  gpt-5: { provider: oa }\n${rest}`;
const codes = (text: string) => lintText(text, 'p.yaml', { env }).map((d) => [d.code, d.line, d.column, d.severity]);

test('`apiKey: $OPENAI_API_KEY` is sent literally: a warning whose hint writes ${OPENAI_API_KEY}', () => {
  const ds = lintText(base('  oa:\n    type: openai\n    apiKey: $OPENAI_API_KEY'), 'p.yaml', { env });
  assert.deepEqual(
    ds.map((d) => [d.code, d.severity, d.line, d.column]),
    [['env-foreign-syntax', 'warning', 5, 13]],
  );
  assert.match(ds[0]!.message, /sent literally with "\$OPENAI_API_KEY"/);
  assert.equal(ds[0]!.hint, 'write `apiKey: "${OPENAI_API_KEY}"`');
  // It loads (a warning), and the key really is the literal text: the reason for the warning.
  assert.equal(parsePolicy(base('  oa:\n    type: openai\n    apiKey: $OPENAI_API_KEY'), 'p.yaml', env).policy!.providers['oa']!.apiKey, '$OPENAI_API_KEY');
});

test("LiteLLM's os.environ/VAR and a $VAR inside a header value are flagged the same way", () => {
  const ds = lintText(base('  oa:\n    type: openai\n    apiKey: os.environ/OPENAI_API_KEY\n    headers: { x-auth: "Bearer $TOKEN" }'), 'p.yaml', { env });
  assert.deepEqual(
    ds.map((d) => [d.code, d.line]),
    [
      ['env-foreign-syntax', 5],
      ['env-foreign-syntax', 6],
    ],
  );
  assert.match(ds[0]!.message, /LiteLLM/);
  assert.equal(ds[0]!.hint, 'write `apiKey: "${OPENAI_API_KEY}"`');
  assert.equal(ds[1]!.hint, 'write `headers.x-auth: "Bearer ${TOKEN}"`');
});

test('an apiKey that looks like a variable name is flagged; the hint says the default variable needs no apiKey', () => {
  const ds = lintText(base('  oa:\n    type: openai\n    apiKey: OPENAI_API_KEY'), 'p.yaml', { env });
  assert.deepEqual(
    ds.map((d) => d.code),
    ['api-key-is-variable-name'],
  );
  assert.match(ds[0]!.hint!, /write `apiKey: "\$\{OPENAI_API_KEY\}"` to read that variable, or leave `apiKey` out: OPENAI_API_KEY is read by default/);
});

test('correct spellings raise nothing: ${VAR}, ${VAR:-default}, $${ escapes, real-looking keys', () => {
  for (const key of ['"${OPENAI_API_KEY}"', '"${OPENAI_API_KEY:-x}"', 'sk-proj-AbC_123', '"$${LITERAL}"', 'price$5']) {
    assert.deepEqual(codes(base(`  oa:\n    type: openai\n    apiKey: ${key}`)), [], key);
  }
});

test('plain numbers under 1000 as timeout, deadline, cooldown, retry delays or maxWait warn: they are milliseconds', () => {
  const text = base(
    '  oa:\n    type: openai\n    timeout: 30',
    'defaults:\n  timeout: 45\n  deadline: "120"\n  cooldown: 5\n  retry: { initialDelay: 500, maxDelay: 2 }\nrules:\n  - { name: r, when: { server: x }, deadline: 90 }\nbudgets:\n  - { name: b, rpm: 3, onExceed: wait, maxWait: 20 }\n',
  );
  const ds = lintText(text, 'p.yaml', { env }).filter((d) => d.code === 'duration-without-unit');
  assert.deepEqual(
    ds.map((d) => d.message.match(/^`([^`]+)`/)![1]),
    [
      'providers.oa.timeout: 30',
      'defaults.timeout: 45',
      'defaults.deadline: 120',
      'defaults.cooldown: 5',
      'defaults.retry.initialDelay: 500',
      'defaults.retry.maxDelay: 2',
      'rules[0].deadline: 90',
      'budgets[0].maxWait: 20',
    ],
  );
  assert.ok(ds.every((d) => d.severity === 'warning'));
  assert.equal(ds[0]!.hint, 'add the unit: `30s` for seconds, `30ms` to keep milliseconds');
  assert.deepEqual([ds[0]!.line, ds[0]!.column], [5, 14]);
});

test('durations with a unit, zero, or 1000 and more raise nothing; mock delays are milliseconds by design', () => {
  const text = base(
    '  oa:\n    type: openai\n    timeout: 30s\n  m:\n    type: mock\n    responses: [{ text: hi, delay: 50 }]',
    'defaults:\n  timeout: 30000\n  deadline: 2m\n  cooldown: 0\n  retry: { initialDelay: 500ms, maxDelay: 8s }\n',
  );
  assert.deepEqual(
    codes(text).filter(([c]) => c === 'duration-without-unit'),
    [],
  );
});
