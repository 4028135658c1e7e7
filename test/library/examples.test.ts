// Every example under examples/ runs as a user would run it (plain node, importing
// 'mcp-route' by name through package exports, no API keys), and says what it should.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envWithoutKeys, ROOT, runNode } from '../helpers/cli.js';

/** No provider keys in the environment: the examples must not need any. */
function run(args: string[]) {
  return runNode(args, { cwd: ROOT, env: envWithoutKeys() });
}

describe('examples', () => {
  it('host: an SDK Client answers its server’s sampling with createSamplingHandler', async () => {
    const r = await run(['examples/host/host.mjs']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ask -> Paris\. \[model: /m);
    assert.match(r.stdout, /^ask \(5000 tokens\) -> sampling failed \(-1\): .*mcp-route: request refused by rule "no-essays"/m);
  });

  it('server-test: the server author’s node:test file passes with the mock provider', async () => {
    const r = await run(['--test', '--test-reporter=tap', 'examples/server-test/']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^# pass 2$/m);
    assert.match(r.stdout, /^# fail 0$/m);
  });

  it('custom-provider: a type registered with registerProvider serves a policy, with fallback', async () => {
    const r = await run(['examples/custom-provider/run.mjs', 'what does the router do?']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^plan: down\/keyword-primary -> keywords\/keyword-backup$/m);
    assert.match(r.stdout, /^answer: mcp-route picks a model for each sampling request\.$/m);
    assert.match(r.stdout, /^answered by keywords\/keyword-backup after 2 attempt\(s\)$/m);
  });
});
