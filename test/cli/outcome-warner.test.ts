// The per-request warn lines of `mcp-route run`: which outcomes are worth a line, how a
// failure reads, and the rate limit that keeps a looping server from flooding the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutcomeWarner, describeFailure } from '../../src/cli/startup.js';
import type { SamplingOutcome } from '../../src/router/types.js';
import { createLogger } from '../../src/proxy/log.js';

function outcome(fields: Partial<SamplingOutcome> = {}): SamplingOutcome {
  return { time: '2026-01-01T00:00:00.000Z', server: 'srv', requestId: 1, rule: null, candidates: [], attempts: [], outcome: 'failed', durationMs: 1, ...fields };
}

test('a failed attempt is named once even when its error repeats provider/model (once or more)', () => {
  const text = describeFailure(
    outcome({
      attempts: [
        { provider: 'a', model: 'gpt-5-mini', status: 500, error: 'a/gpt-5-mini: a/gpt-5-mini: HTTP 500 boom', duration: 1, ok: false },
        { provider: 'b', model: 'x.1', error: 'b/x.1: connection failed (ECONNREFUSED 127.0.0.1:9)', duration: 1, ok: false },
        { provider: 'c', model: 'y', status: 429, error: 'rate limited', duration: 1, ok: false },
        { provider: 'd', model: 'z', duration: 1, ok: true },
      ],
    }),
  );
  assert.equal(text, 'a/gpt-5-mini: HTTP 500 boom; b/x.1: connection failed (ECONNREFUSED 127.0.0.1:9); c/y 429: rate limited');
});

test('without attempts the error message is used, without its mcp-route: prefix', () => {
  assert.equal(describeFailure(outcome({ outcome: 'budget', error: { code: 'BUDGET_EXCEEDED', message: 'mcp-route: budget "daily" is exhausted' } })), 'budget "daily" is exhausted');
});

test('ok, aborted and dry-run outcomes log nothing; the others one warn line each', () => {
  const lines: string[] = [];
  const warn = createOutcomeWarner(createLogger('warn', undefined, (l) => lines.push(l)));
  for (const kind of ['ok', 'aborted', 'dry-run'] as const) warn(outcome({ outcome: kind }));
  assert.deepEqual(lines, []);
  warn(outcome({ outcome: 'denied', error: { code: 'DENIED_BY_RULE', message: 'mcp-route: no' } }));
  warn(outcome({ outcome: 'budget', requestId: 'r2', error: { code: 'BUDGET_EXCEEDED', message: 'mcp-route: over' } }));
  warn(outcome({ outcome: 'invalid', server: undefined, error: { code: 'INVALID_PARAMS', message: 'mcp-route: bad' } }));
  warn(outcome({ via: 'gateway:openai', error: { code: 'ALL_CANDIDATES_FAILED', message: 'mcp-route: down' } }));
  assert.deepEqual(lines, [
    'mcp-route warn: sampling 1 from srv refused: no\n',
    'mcp-route warn: sampling "r2" from srv refused by a budget: over\n',
    'mcp-route warn: sampling 1 rejected as invalid: bad\n',
    'mcp-route warn: gateway:openai call 1 from srv failed: down\n',
  ]);
});

test('at log level error nothing is written', () => {
  const lines: string[] = [];
  const warn = createOutcomeWarner(createLogger('error', undefined, (l) => lines.push(l)));
  warn(outcome({ error: { code: 'ALL_CANDIDATES_FAILED', message: 'mcp-route: x' } }));
  assert.deepEqual(lines, []);
});

test('beyond the limit per window the rest are counted, and the count is reported when the window ends', () => {
  const lines: string[] = [];
  let now = 0;
  const warn = createOutcomeWarner(
    createLogger('warn', undefined, (l) => lines.push(l)),
    { limit: 3, windowMs: 60_000, now: () => now },
  );
  for (let i = 0; i < 10; i++) {
    now = i * 1000;
    warn(outcome({ requestId: i, error: { code: 'ALL_CANDIDATES_FAILED', message: `mcp-route: fail ${i}` } }));
  }
  assert.equal(lines.length, 3);
  now = 61_000;
  warn(outcome({ requestId: 99, error: { code: 'ALL_CANDIDATES_FAILED', message: 'mcp-route: later' } }));
  assert.deepEqual(lines.slice(3), [
    'mcp-route warn: 7 more failed or refused sampling request(s) not shown in the last 60 s (--log-level info shows each; so does the audit file)\n',
    'mcp-route warn: sampling 99 from srv failed: later\n',
  ]);
});
