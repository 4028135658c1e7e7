// The shipped policies route the hints real servers send the way their comments promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyFile } from '../../src/policy/load.js';
import { decide } from '../../src/routing/decide.js';
import type { SamplingRequest } from '../../src/routing/types.js';

const env = { ANTHROPIC_API_KEY: 'k1', OPENAI_API_KEY: 'k2' };
const ask = (...hints: string[]) =>
  ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 256, modelPreferences: { hints: hints.map((name) => ({ name })) } }) as unknown as SamplingRequest;

test('prod.yaml: a gpt-4o hint goes to the large model, a gpt-4o-mini hint to the small one', () => {
  const policy = loadPolicyFile('policies/prod.yaml', env);
  const large = policy.defaults.models![0]!;
  const first = (...hints: string[]) => decide(policy, ask(...hints), { serverName: 'github' }).candidates[0]!.model;
  assert.equal(first('gpt-4o'), large);
  assert.equal(first('gpt-4o-mini'), 'claude-haiku-4-5');
  assert.equal(first('gemini-flash'), 'claude-haiku-4-5');
  assert.equal(first('gemini'), large, 'a family hint prefers the large model, in models: order');
});
