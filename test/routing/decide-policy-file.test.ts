// decide() on policies that went through the real YAML loader, so that what the loader
// produces (catalogue merge, aliases, rule settings) and what decide() expects stay in step.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../src/policy/load.js';
import { decide } from '../../src/routing/decide.js';
import type { Policy } from '../../src/policy/types.js';
import type { SamplingRequest } from '../../src/routing/types.js';

function load(yaml: string, env: NodeJS.ProcessEnv = { ANTHROPIC_API_KEY: 'k1', OPENAI_API_KEY: 'k2' }): Policy {
  const { policy, diagnostics } = parsePolicy(yaml, 'inline.yaml', env);
  assert.ok(policy, diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return policy;
}

const PROVIDERS = `
version: 1
providers:
  anthropic: { type: anthropic, apiKey: "\${ANTHROPIC_API_KEY}" }
  openai: { type: openai, apiKey: "\${OPENAI_API_KEY}" }
`;

const ask = (prefs: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 256, modelPreferences: prefs, ...extra }) as unknown as SamplingRequest;

describe('decide on loaded policies', () => {
  it('extends: builtin lets hints and priorities pick from the catalogue', () => {
    const policy = load(`${PROVIDERS}models: { extends: builtin }\n`);
    // Every Sonnet matches the hint; catalogue order (newest first) places them.
    assert.deepEqual(
      decide(policy, ask({ hints: [{ name: 'sonnet' }] }))
        .candidates.slice(0, 3)
        .map((c) => c.model),
      ['claude-sonnet-4-6', 'claude-sonnet-4-5', 'claude-sonnet-4-0'],
    );
    assert.equal(decide(policy, ask({ hints: [{ name: 'gpt-4.1-mini' }] })).candidates[0]!.model, 'gpt-4.1-mini');
    const cheapest = decide(policy, ask({ costPriority: 1 })).candidates[0]!;
    assert.equal(cheapest.model, 'gpt-5-nano');
    assert.equal(cheapest.provider, 'openai');
  });

  it("a missing key drops that provider's catalogue models with the variable named", () => {
    const policy = load(`${PROVIDERS}models: { extends: builtin }\n`, { ANTHROPIC_API_KEY: 'k1' });
    const d = decide(policy, ask({ costPriority: 1 }));
    assert.equal(d.candidates[0]!.model, 'claude-haiku-4-5');
    const gpt = d.dropped.find((x) => x.model === 'gpt-5-nano')!;
    assert.equal(gpt.code, 'provider-unusable');
    assert.match(gpt.reason, /OPENAI_API_KEY/);
  });

  it('rules from YAML: deny, model lists by alias, maxTokens ceiling', () => {
    const policy = load(`${PROVIDERS}models: { extends: builtin }
defaults:
  models: [claude-haiku-4-5, gpt-4o-mini]
  maxTokens: 1000
rules:
  - name: no-tools-for-fs
    when: { server: "fs*", tools: true }
    action: deny
    message: filesystem server may not sample with tools
  - name: smart
    when: { priorities: { intelligence: { gte: 0.8 } } }
    models: [claude-opus-4-5, sonnet]
    maxTokens: 200
`);
    const tools = [{ name: 't', inputSchema: { type: 'object' } }];
    const denied = decide(policy, ask({}, { tools }), { serverName: 'fs-local' });
    assert.equal(denied.refusal?.code, 'DENIED_BY_RULE');
    assert.match(denied.refusal!.message, /filesystem server may not sample with tools/);
    const smart = decide(policy, ask({ intelligencePriority: 0.9 }));
    assert.equal(smart.rule, 'smart');
    assert.deepEqual(
      smart.candidates.map((c) => c.model),
      ['claude-opus-4-5', 'claude-sonnet-4-6'],
    );
    assert.equal(smart.settings.maxTokens, 200);
    const plain = decide(policy, ask({}, { maxTokens: 5000 }));
    assert.deepEqual(
      plain.candidates.map((c) => c.model),
      ['claude-haiku-4-5', 'gpt-4o-mini'],
    );
    assert.equal(plain.settings.maxTokens, 1000);
  });
});
