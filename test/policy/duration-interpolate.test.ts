import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/policy/duration.js';
import { interpolateString, interpolateValue } from '../../src/policy/interpolate.js';

test('durations read ms, s, m, h, d and plain milliseconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('250'), 250);
  assert.equal(parseDuration(2000), 2000);
});

test('bad durations throw a message that says what is accepted', () => {
  for (const bad of ['30 seconds', 'soon', '-5s', '', '1w']) {
    assert.throws(() => parseDuration(bad), /invalid duration .*(ms, s, m, h or d)/, bad);
  }
  assert.throws(() => parseDuration(-1), /non-negative/);
  assert.throws(() => parseDuration(Number.NaN), /invalid duration/);
});

test('${VAR} and ${VAR:-default} read the environment; $${ is a literal', () => {
  const env = { KEY: 'sk-1', EMPTY: '' };
  assert.equal(interpolateString('Bearer ${KEY}', env).value, 'Bearer sk-1');
  assert.equal(interpolateString('${MISSING:-http://127.0.0.1:11434/v1}', env).value, 'http://127.0.0.1:11434/v1');
  assert.equal(interpolateString('${EMPTY:-fallback}', env).value, 'fallback', ':- applies to empty values too, as in the shell');
  assert.equal(interpolateString('cost $${KEY}', env).value, 'cost ${KEY}');
  assert.deepEqual(interpolateString('${KEY}-${MISSING:-x}', env).reads, ['KEY', 'MISSING']);
});

test('an unset variable without default resolves to empty and is reported with its offset', () => {
  const r = interpolateString('key=${NOPE}', {});
  assert.equal(r.value, 'key=');
  assert.deepEqual(r.unset, [{ name: 'NOPE', index: 4 }]);
});

test('malformed interpolations are reported, not guessed at', () => {
  assert.deepEqual(
    interpolateString('${BAD NAME}', {}).syntax.map((s) => s.text),
    ['${BAD NAME}'],
  );
  assert.deepEqual(
    interpolateString('x ${OPEN', {}).syntax.map((s) => s.text),
    ['${OPEN'],
  );
});

test('every string value in a policy is interpolated, keys are not, and reads keep their path', () => {
  const r = interpolateValue({ providers: { '${X}': { apiKey: '${X}', n: 3, list: ['${Y:-d}'] } } }, { X: 'v' });
  assert.deepEqual(r.value, { providers: { '${X}': { apiKey: 'v', n: 3, list: ['d'] } } });
  assert.deepEqual(r.reads, [
    { path: ['providers', '${X}', 'apiKey'], name: 'X' },
    { path: ['providers', '${X}', 'list', 0], name: 'Y' },
  ]);
});
