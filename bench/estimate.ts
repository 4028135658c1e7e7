// What a prompt estimate costs per request: 1 KB, 100 KB and 1 MB prompts in English and
// Japanese, for a model counted by an OpenAI tokenizer (gpt-4o: o200k_base, gpt-4: cl100k_base)
// and one counted by the bound (Claude), against a baseline measured in the same run: one plain
// pass over the characters (what the old characters/4 estimate cost). Goal: under 2 ms for
// 100 KB. Run: npm run bench -- estimate
import { readFileSync } from 'node:fs';
import { PromptEstimator, tokenizerFor, type TokenizerChoice } from '../src/routing/estimate.js';
import type { SamplingRequest } from '../src/routing/types.js';

const corpus = (name: string) => readFileSync(new URL(`../test/fixtures/corpus/${name}`, import.meta.url), 'utf8');
const texts = { English: corpus('english.txt') + corpus('code.ts.txt'), Japanese: corpus('japanese.txt') };
const sizes = [
  ['1 KB', 1_000],
  ['100 KB', 100_000],
  ['1 MB', 1_000_000],
] as const;
const models: Array<[string, TokenizerChoice]> = [
  ['gpt-4o', tokenizerFor('openai', 'gpt-4o')],
  ['gpt-4', tokenizerFor('openai', 'gpt-4')],
  ['claude', tokenizerFor('anthropic', 'claude-sonnet-4-5')],
];

/** `chars` characters of `text`, starting at a different place each time so no two requests are the same string. */
function promptOf(text: string, chars: number, variant: number): SamplingRequest {
  const start = (variant * 97) % text.length;
  const body = (text.slice(start) + text.repeat(Math.ceil(chars / text.length) + 1)).slice(0, chars);
  // Through JSON, as requests arrive: flat strings, not the rope that slice + concat build.
  return JSON.parse(JSON.stringify({ messages: [{ role: 'user', content: { type: 'text', text: body } }], maxTokens: 1000 })) as SamplingRequest;
}

function baseline(request: SamplingRequest): number {
  let n = 0;
  const text = (request.messages[0]!.content as { text: string }).text;
  for (let i = 0; i < text.length; i++) n += text.charCodeAt(i) > 127 ? 2 : 1;
  return Math.ceil(n / 4);
}

/** CPU ms per request: CPU time, not wall time, so a busy shared machine skews it less. */
function timeEach(requests: SamplingRequest[], run: (r: SamplingRequest) => number): number {
  let sink = 0;
  const t0 = process.cpuUsage();
  for (const r of requests) sink += run(r);
  const used = process.cpuUsage(t0);
  const per = (used.user + used.system) / 1000 / requests.length;
  if (sink < 0) console.log(sink);
  return per;
}

// Load the encodings before timing: their one-off cost is reported on its own.
for (const [name, choice] of models) {
  const t0 = performance.now();
  new PromptEstimator(promptOf('warm up', 10, 0)).estimate(choice);
  const ms = performance.now() - t0;
  if (choice.counter !== 'bound') console.log(`load ${choice.counter} (first ${name} request of a process): ${ms.toFixed(0)} ms`);
}

console.log('\nCPU ms per request (fresh text each request)');
console.log(['prompt'.padEnd(16), 'baseline'.padStart(9), ...models.map(([m]) => m.padStart(9)), '  ratio to baseline'].join(' '));
for (const [lang, text] of Object.entries(texts)) {
  for (const [label, chars] of sizes) {
    const runs = chars >= 1_000_000 ? 5 : chars >= 100_000 ? 30 : 500;
    const requests = Array.from({ length: runs }, (_, i) => promptOf(text, chars, i + 1));
    // One untimed pass per model warms the JIT on this shape of input.
    for (const [, choice] of models) new PromptEstimator(requests[0]!).estimate(choice);
    const base = timeEach(requests, baseline);
    const per = models.map(([, choice]) => timeEach(requests, (r) => new PromptEstimator(r).estimate(choice).tokens));
    console.log([`${lang} ${label}`.padEnd(16), base.toFixed(3).padStart(9), ...per.map((p) => p.toFixed(3).padStart(9)), `  ${per.map((p) => `${(p / base).toFixed(0)}x`).join(' / ')}`].join(' '));
  }
}
