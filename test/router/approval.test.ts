// Approval and limits at the router seam: the settings as normalised from YAML (defaults and a
// rule), what explain says, the lint warning, and a router with no approver (the model
// gateway's case) answering from approvalFallback without calling a provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouter } from '../../src/router/router.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import type { SamplingOutcome } from '../../src/router/types.js';
import type { McpRouteError } from '../../src/errors.js';
import { SamplingSession } from '../../src/approval/session.js';

const yaml = (defaults: string, rules = '') => `version: 1
providers:
  canned: { type: mock, responses: [{ text: "hi" }] }
models:
  m: { provider: canned, supports: [text, tools] }
defaults: { models: [m], ${defaults} }
${rules}`;

function load(text: string): { policy: Policy; warnings: string[] } {
  const { policy, diagnostics } = parsePolicy(text, 'p.yaml', {});
  assert.ok(policy, JSON.stringify(diagnostics));
  return { policy, warnings: diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.code}@${d.line}`) };
}
const hello = { messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }], maxTokens: 10 };

test('approval settings default to none / deny / 2m, and a rule overrides them and limits key by key', () => {
  const { policy } = load(
    yaml('limits: { requestsPerSession: 5, toolRounds: 3 }', 'rules:\n  - { name: ask-untrusted, when: { server: "untrusted-*" }, approval: ask, approvalTimeout: 30s, limits: { toolRounds: 1 } }'),
  );
  const router = createRouter(policy);
  const plain = router.explain(hello, { serverName: 'trusted' });
  assert.equal(plain.settings.approval, 'none');
  assert.equal(plain.settings.approvalFallback, 'deny');
  assert.equal(plain.settings.approvalTimeout, 120_000);
  assert.ok(!plain.trace.some((t) => /approval/.test(t.message)));
  const asked = router.explain(hello, { serverName: 'untrusted-x' });
  assert.equal(asked.settings.approval, 'ask');
  assert.equal(asked.settings.approvalTimeout, 30_000);
  assert.deepEqual(asked.settings.limits, { requestsPerSession: 5, toolRounds: 1 });
  assert.ok(
    asked.trace.some((t) => /approval: ask: the host is asked .*30s.*approvalFallback: deny/.test(t.message)),
    JSON.stringify(asked.trace),
  );
  assert.ok(asked.trace.some((t) => /limits per server connection: requestsPerSession 5, toolRounds 1/.test(t.message)));
});

test('lint warns on approval: ask with approvalFallback: allow where tools are allowed, not where they are stripped', () => {
  const { warnings } = load(
    yaml(
      'tools: allow',
      'rules:\n  - { name: loose, when: { server: a }, approval: ask, approvalFallback: allow }\n  - { name: safe, when: { server: b }, approval: ask, approvalFallback: allow, tools: strip }',
    ),
  );
  assert.deepEqual(
    warnings.filter((w) => w.startsWith('approval-fallback-allows-tools')),
    ['approval-fallback-allows-tools@8'],
  );
  assert.deepEqual(load(yaml('approval: ask, approvalFallback: allow')).warnings, ['approval-fallback-allows-tools@6']);
});

test('a router without an approver (the model gateway) answers from approvalFallback and calls no provider on deny', async () => {
  const outcomes: SamplingOutcome[] = [];
  const deny = createRouter(load(yaml('approval: ask')).policy, { onOutcome: (o) => outcomes.push(o) });
  await assert.rejects(deny.createMessage(hello, { serverName: 's' }), (err: McpRouteError) => err.code === 'APPROVAL_DECLINED' && /approvalFallback is deny/.test(err.message));
  assert.deepEqual(outcomes[0]!.approval, { asked: false, result: 'declined', by: 'fallback' });
  assert.equal(outcomes[0]!.outcome, 'denied');
  assert.deepEqual(outcomes[0]!.attempts, []);
  const allow = createRouter(load(yaml('approval: ask, approvalFallback: allow, tools: strip')).policy);
  const result = await allow.createMessage(hello, { serverName: 's' });
  assert.deepEqual(result.content, { type: 'text', text: 'hi' });
});

test('an approver that throws is a decline; a remembered answer is per server name', async () => {
  const { policy } = load(yaml('approval: ask'));
  let asked = 0;
  const router = createRouter(policy, {
    approver: async (q) => {
      asked++;
      if (q.server === 'broken') throw new Error('host went away');
      return { approve: true, remember: true, response: 'accept' };
    },
  });
  const session = new SamplingSession();
  await assert.rejects(router.createMessage(hello, { serverName: 'broken', session }), /asking the host failed: host went away/);
  await router.createMessage(hello, { serverName: 'a', session });
  await router.createMessage(hello, { serverName: 'a', session });
  assert.equal(asked, 2);
  await router.createMessage(hello, { serverName: 'b', session });
  assert.equal(asked, 3, 'server b is asked although a is remembered');
});
