// The proxy's small pure pieces: wire error mapping, the child's environment, audit lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpRouteError, ProviderError } from '../../src/errors.js';
import { createRedactor } from '../../src/redact.js';
import { toWireError, WIRE_BUDGET_EXCEEDED, WIRE_INTERNAL_ERROR, WIRE_INVALID_PARAMS, WIRE_REFUSED } from '../../src/proxy/wire-errors.js';
import { buildChildEnv, parseEnvFlags } from '../../src/proxy/child-env.js';
import { auditLine, openAuditLog } from '../../src/audit/audit-log.js';
import type { SamplingOutcome } from '../../src/router/types.js';

const KEY = 'sk-live-abcdefghijklmnop';
const redact = createRedactor([KEY]);

test('local error codes map to the wire codes of DESIGN.md, with reason and no key', () => {
  const cases: Array<[McpRouteError, number]> = [
    [new McpRouteError('DENIED_BY_RULE', 'refused', { rule: 'r' }), WIRE_REFUSED],
    [new McpRouteError('TOOLS_DENIED', 'tools denied'), WIRE_REFUSED],
    [new McpRouteError('BUDGET_EXCEEDED', 'over', { budget: 'daily' }), WIRE_BUDGET_EXCEEDED],
    [new McpRouteError('ALL_CANDIDATES_FAILED', `all failed (key ${KEY})`, { attempts: [{ provider: 'p', model: 'm', error: KEY }] }), WIRE_INTERNAL_ERROR],
    [new McpRouteError('INVALID_PARAMS', 'messages is required'), WIRE_INVALID_PARAMS],
    [new ProviderError({ message: 'x', provider: 'p', model: 'm', status: 500 }), WIRE_INTERNAL_ERROR],
  ];
  for (const [err, code] of cases) {
    const wire = toWireError(err, redact);
    assert.equal(wire.code, code, err.code);
    assert.match(wire.message, /^mcp-route: /);
    assert.equal(wire.data?.reason, err.code);
    assert.ok(!JSON.stringify(wire).includes(KEY));
  }
  assert.equal(toWireError(new McpRouteError('DENIED_BY_RULE', 'x', { rule: 'r' }), redact).data?.rule, 'r');
  const unknown = toWireError(new TypeError(`oops ${KEY}`), redact);
  assert.equal(unknown.code, WIRE_INTERNAL_ERROR);
  assert.ok(!unknown.message.includes(KEY));
});

test('the child environment loses credential variables and any variable holding a secret', () => {
  const { env, stripped } = buildChildEnv({ PATH: '/bin', OPENAI_API_KEY: KEY, ALIAS: KEY, KEEP: 'yes' }, { EXTRA: '1', OPENAI_API_KEY: 'explicit' }, ['OPENAI_API_KEY'], [KEY]);
  assert.deepEqual(env, { PATH: '/bin', KEEP: 'yes', EXTRA: '1' });
  assert.deepEqual(stripped.sort(), ['ALIAS', 'OPENAI_API_KEY']);
  assert.deepEqual(parseEnvFlags(['A=1', 'B=x=y', 'C=']), { A: '1', B: 'x=y', C: '' });
  assert.throws(() => parseEnvFlags(['NOVALUE']), /NAME=VALUE/);
});

const outcome: SamplingOutcome = {
  time: '2026-01-01T00:00:00.000Z',
  server: 's',
  requestId: 3,
  rule: null,
  candidates: ['p/m'],
  attempts: [{ provider: 'p', model: 'm', ok: false, duration: 3, error: `401 for ${KEY}` }],
  outcome: 'failed',
  durationMs: 4,
  request: { messages: [{ role: 'user', content: { type: 'text', text: 'the prompt' } }], maxTokens: 5 },
};

test('audit lines leave out prompt and completion unless content is on, and never carry a key', () => {
  const off = auditLine(outcome, { content: false, redact });
  assert.ok(!off.includes('the prompt'));
  assert.ok(!off.includes(KEY));
  assert.ok(off.endsWith('\n'));
  const on = JSON.parse(auditLine(outcome, { content: true, redact }));
  assert.equal(on.request.messages[0].content.text, 'the prompt');
});

test('the audit file is appended to and tightened to 0600', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'a.jsonl');
  writeFileSync(path, '{"earlier":true}\n', { mode: 0o644 });
  const log = openAuditLog(path, { content: false, redact });
  log.write(outcome);
  log.write({ ...outcome, requestId: 4 });
  log.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(JSON.parse(lines[2]!).requestId, 4);
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('the audit file may live in a folder that does not exist yet: it is created, private', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'audit-')), 'logs', 'mcp-route');
  const log = openAuditLog(join(dir, 'audit.jsonl'), { content: false, redact });
  log.write(outcome);
  log.close();
  assert.equal(JSON.parse(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).requestId, outcome.requestId);
  assert.equal(statSync(dir).mode & 0o077, 0, 'the new folder is not readable by others');
});
