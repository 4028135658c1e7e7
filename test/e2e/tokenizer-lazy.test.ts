// Start-up never pays for the OpenAI tokenizers (issue 20): `--version` and `run` up to the
// host's first sampling request load no encoding; the first request routed to a gpt-4o loads
// o200k_base. Node's own module log (NODE_DEBUG=module) shows every CommonJS load.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, runNode, ROOT } from '../helpers/cli.js';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { connectHost, sample, e2e, tempDir, writePolicy } from './harness.js';

const DEBUG = { ...process.env, NODE_DEBUG: 'module' };
const TOKENIZER = /gpt-tokenizer\/cjs\/encoding\/o200k_base/;

test('--version does not load a tokenizer; estimating for gpt-4o does (the same log would show it)', e2e, async () => {
  const version = await runCli(['--version'], { env: DEBUG });
  assert.equal(version.code, 0);
  assert.doesNotMatch(version.stderr, /gpt-tokenizer/);
  const script = `import('./dist/routing/estimate.js').then((m) => m.estimatePromptTokens({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 1 }, m.tokenizerFor('openai', 'gpt-4o')))`;
  const used = await runNode(['-e', script], { env: DEBUG, cwd: ROOT });
  assert.equal(used.code, 0, used.stderr.slice(-2000));
  assert.match(used.stderr, TOKENIZER);
});

test('run loads o200k_base on the first sampling request for a gpt-4o, not at start-up', e2e, async () => {
  const openai = await startFakeOpenAI();
  after(() => openai.close());
  const dir = tempDir();
  const policy = `version: 1
providers:
  oa: { type: openai, apiKey: "sk-test-lazy-0123456789", baseURL: "${openai.baseURL}" }
models:
  gpt-4o: { provider: oa }
`;
  const host = await connectHost(['--policy', writePolicy(dir, policy)], { env: DEBUG });
  try {
    await host.client.listTools();
    assert.doesNotMatch(host.stderr(), /gpt-tokenizer/, 'nothing loaded before the first sampling request');
    const out = await sample(host.client, { prompt: 'hello' });
    assert.equal(out.ok, true, JSON.stringify(out));
    // The load is logged before the answer is sent, but on stderr, another pipe: its bytes may
    // reach this process after the answer's.
    for (let waited = 0; !TOKENIZER.test(host.stderr()) && waited < 5_000; waited += 50) await sleep(50);
    assert.match(host.stderr(), TOKENIZER);
  } finally {
    await host.close();
  }
});
