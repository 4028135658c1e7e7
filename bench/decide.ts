// How long one routing decision takes: decide() on a generated 50-rule, 40-model policy with a
// request that only the 48th rule matches, against a minimal policy (one model, no rules) measured
// in the same run. Goal: under 20 µs per decision. Run: node --import tsx bench/decide.ts
import { decide } from '../src/routing/decide.js';
import type { SamplingRequest } from '../src/routing/types.js';
import type { ModelConfig, Policy, Rule } from '../src/policy/types.js';
import { buildPolicy, provider } from '../test/helpers/policy.js';

// The routing tests' policy builder (and its default settings), with both vendors' providers.
function policyWith(models: ModelConfig[], rules: Rule[]): Policy {
  return buildPolicy({ models, rules, providers: [provider('anthropic'), provider('openai')] });
}

const families = ['claude-opus', 'claude-sonnet', 'claude-haiku', 'gpt-5', 'gpt-4.1', 'gpt-4o', 'o3', 'o4-mini'];
const models: ModelConfig[] = [];
for (let i = 0; i < 40; i++) {
  const family = families[i % families.length]!;
  const id = `${family}-v${i}`;
  models.push({
    id,
    provider: family.startsWith('claude') ? 'anthropic' : 'openai',
    model: id,
    aliases: [`${family}-alias-${i}`, `alias-${i}`],
    cost: { input: 0.1 + (i % 7), output: 0.4 + (i % 11) * 3 },
    speed: (i % 10) / 10,
    intelligence: ((i * 7) % 10) / 10,
    contextWindow: i % 5 === 0 ? 128_000 : 200_000,
    maxOutput: 32_000,
    supports: i % 9 === 0 ? ['text'] : ['text', 'image', 'tools'],
  });
}

const rules: Rule[] = [];
for (let i = 0; i < 50; i++) {
  const whens: NonNullable<Rule['when']>[] = [
    { server: `server-${i}-*` },
    { hints: `nomatch-${i}*`, tools: false },
    { metadata: { tenant: `t${i}` } },
    { systemPrompt: `^rule ${i}\\b`, maxTokens: { lt: 100 } },
    { content: ['audio'], priorities: { cost: { gt: 0.9 } } },
  ];
  const when = whens[i % 5]!;
  rules.push({ name: `rule-${i}`, when, action: 'route', settings: i % 2 ? { models: models.slice(i % 10, (i % 10) + 20).map((m) => m.id) } : { maxTokens: 4000 } });
}
// The 48th rule (index 47) is the first the request matches.
rules[47] = { name: 'rule-47', when: { server: 'github*', content: ['text'], maxTokens: { gte: 100 } }, action: 'route', settings: { maxTokens: 2000, models: models.slice(0, 30).map((m) => m.id) } };

const big = policyWith(models, rules);
const minimal = policyWith([models[1]!], []);

const request = {
  messages: [
    { role: 'user', content: { type: 'text', text: 'Summarise the open issues in this repository and suggest which to fix first.' } },
    { role: 'assistant', content: { type: 'text', text: 'Here are the open issues grouped by area...' } },
    { role: 'user', content: [{ type: 'text', text: 'Now only the routing ones, please.' }] },
  ],
  systemPrompt: 'You are a concise assistant for a GitHub MCP server.',
  maxTokens: 3000,
  modelPreferences: { hints: [{ name: 'sonnet' }, { name: 'gpt-4.1' }], costPriority: 0.3, speedPriority: 0.2, intelligencePriority: 0.8 },
  tools: [{ name: 'search_issues', description: 'Search issues', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }],
} as unknown as SamplingRequest;

const check = decide(big, request, { serverName: 'github' });
if (check.rule !== 'rule-47' || check.candidates.length === 0) throw new Error(`bench setup wrong: rule ${check.rule}, ${check.candidates.length} candidates`);

function medianNs(policy: Policy, batches: number, perBatch: number): number {
  const samples: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) sink += decide(policy, request, { serverName: 'github' }).candidates.length;
    samples.push(Number(process.hrtime.bigint() - t0) / perBatch);
  }
  if (sink < 0) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

// Warm up both paths (JIT, the per-policy compile cache).
medianNs(minimal, 20, 500);
medianNs(big, 20, 500);

const base = medianNs(minimal, 200, 500);
const full = medianNs(big, 200, 500);
const us = (ns: number) => (ns / 1000).toFixed(2);
console.log(`decide, minimal policy (1 model, 0 rules):              median ${us(base)} µs`);
console.log(`decide, 50 rules / 40 models, rule #48 matches (${check.candidates.length} kept): median ${us(full)} µs  (${(full / base).toFixed(1)}x the minimal policy)`);
console.log(`goal < 20 µs: ${full < 20_000 ? 'met' : 'NOT met'}`);
