// `when.server` takes one glob or a list of globs, any of which may match, from a policy file
// through the schema and the normaliser to decide().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/routing/decide.js';
import { parsePolicy } from '../../src/policy/load.js';
import { lintText } from '../../src/policy/lint.js';

const policyText = (server: string) => `version: 1
providers: { m: { type: mock } }
models: { small: { provider: m }, big: { provider: m } }
defaults: { models: [big] }
rules:
  - name: trusted
    when: { server: ${server} }
    models: [small]
`;
const request = { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10 } as never;

test('a list of globs matches a server that any of them matches, and no other', () => {
  const { policy, diagnostics } = parsePolicy(policyText('[github, "slack-*"]'), 'p.yaml', {});
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(policy!.rules[0]!.when!.server, ['github', 'slack-*']);
  for (const name of ['github', 'GitHub', 'slack-eu']) assert.equal(decide(policy!, request, { serverName: name }).rule, 'trusted', name);
  for (const name of ['gitlab', 'slack']) assert.equal(decide(policy!, request, { serverName: name }).rule, null, name);
  assert.equal(decide(policy!, request, {}).rule, null, 'an unknown server name matches no server condition');
});

test('one glob still works as before', () => {
  const { policy } = parsePolicy(policyText('"git*"'), 'p.yaml', {});
  assert.equal(policy!.rules[0]!.when!.server, 'git*');
  assert.equal(decide(policy!, request, { serverName: 'gitlab' }).rule, 'trusted');
});

test('an empty list or a list of non-strings is an error at the value', () => {
  for (const bad of ['[]', '[1, github]', '{ name: x }']) {
    const ds = lintText(policyText(bad), 'p.yaml', { env: {} }).filter((d) => d.severity === 'error');
    assert.ok(ds.length > 0, bad);
    assert.ok(
      ds.every((d) => d.line === 7),
      `${bad}: ${JSON.stringify(ds)}`,
    );
  }
});
