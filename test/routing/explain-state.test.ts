// `mcp-route explain` judges a request as `run` would: it reads the budget store (a budget the
// router exhausted shows as exhausted; --no-state skips it) and treats `client` providers as
// usable only with --host-sampling. Each case is checked against the real router on the same store.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, envWithoutKeys, runCli } from '../helpers/cli.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { createRouter } from '../../src/router/router.js';
import { META_KEY } from '../../src/providers/result-meta.js';
import type { McpRouteError } from '../../src/errors.js';

const REQUEST = { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 50 };
const INPUT = JSON.stringify(REQUEST);

function policyFile(dir: string, name: string, onExceed: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `version: 1
providers:
  a: { type: mock, responses: [{ text: "from a" }] }
  b: { type: mock, responses: [{ text: "from b" }] }
models:
  model-a: { provider: a }
  model-b: { provider: b }
defaults: { models: [model-a, model-b] }
budgets:
  - { name: a-rate, scope: { provider: a }, rpm: 1, onExceed: ${onExceed} }
state: { store: sqlite, path: ${JSON.stringify(join(dir, 'state.db'))} }
`,
  );
  return path;
}

async function answeredBy(path: string): Promise<string> {
  const router = createRouter(loadPolicyFile(path, {}));
  try {
    const result = await router.createMessage(REQUEST);
    return (result._meta![META_KEY] as { model: string }).model;
  } finally {
    await router.close();
  }
}

describe('explain reads budget state and the host declaration like run', () => {
  before(() => assert.ok(existsSync(CLI), 'npm run build first'));

  it('a fallback budget the router exhausted drops its model in explain too; --no-state ignores the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-route-explain-state-'));
    const fallback = policyFile(dir, 'fallback.yaml', 'fallback');
    const explain = async (...extra: string[]) => {
      const r = await runCli(['explain', '--policy', fallback, '-', '--format', 'json', ...extra], { input: INPUT, env: envWithoutKeys(), timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    assert.equal((await explain()).candidates[0].model, 'model-a');
    assert.equal(await answeredBy(fallback), 'model-a'); // takes a-rate's one request this minute

    const after = await explain();
    assert.deepEqual(
      after.candidates.map((c: { model: string }) => c.model),
      ['model-b'],
    );
    assert.deepEqual(
      after.dropped.map((d: { model: string; code: string }) => [d.model, d.code]),
      [['model-a', 'budget']],
    );
    assert.equal(after.budgets.read, true);
    assert.equal(after.budgets.blocked[0].budget, 'a-rate');
    assert.match(after.budgets.blocked[0].message, /budget "a-rate" \(rpm, provider=a\) is exhausted: limit 1, used 1/);
    assert.equal(await answeredBy(fallback), 'model-b', 'run agrees');

    const blind = await explain('--no-state');
    assert.equal(blind.candidates[0].model, 'model-a');
    assert.equal(blind.budgets.read, false);

    // The same counter under onExceed: reject: run refuses, and explain says so and exits 3.
    const reject = policyFile(dir, 'reject.yaml', 'reject');
    await assert.rejects(answeredBy(reject), (e: McpRouteError) => e.code === 'BUDGET_EXCEEDED');
    const text = await runCli(['explain', '--policy', reject, '-'], { input: INPUT, env: envWithoutKeys(), timeoutMs: 30_000 });
    assert.equal(text.code, 3, text.stdout + text.stderr);
    assert.match(text.stdout, /action:\s+budget: run would refuse before calling a\/model-a/);
    assert.match(text.stdout, /budgets:\s+read from sqlite .*state\.db/);
    assert.match(text.stdout, /a\/model-a: budget "a-rate" .* \(onExceed: reject\)/);
  });

  it('a client provider answers only with --host-sampling, as run uses it only for a host that declares sampling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-route-explain-host-'));
    const path = join(dir, 'p.yaml');
    writeFileSync(path, 'version: 1\nproviders:\n  host: { type: client }\nmodels:\n  host-model: { provider: host }\n');
    const without = await runCli(['explain', '--policy', path, '-'], { input: INPUT, env: envWithoutKeys() });
    assert.equal(without.code, 3, without.stdout);
    assert.match(without.stdout, /host-model\s+host\s+dropped\s+-\s+provider "host" \(type client\) cannot answer: the host did not declare the sampling capability/);
    assert.match(without.stdout, /host:\s+does not declare sampling \(pass --host-sampling/);
    const withHost = await runCli(['explain', '--policy', path, '-', '--host-sampling'], { input: INPUT, env: envWithoutKeys() });
    assert.equal(withHost.code, 0, withHost.stdout);
    assert.match(withHost.stdout, /action:\s+route to host\/host-model/);
    assert.match(withHost.stdout, /budgets:\s+none in the policy/);
  });
});
