// The gateway holds one router for the whole run (it is asked for once): a policy reloaded
// while the gateway runs must still reach the calls after it, as it reaches sampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../../src/gateway/gateway.js';
import { createLiveRouters } from '../../src/reload/live-routers.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import { startFakeOpenAI, openaiCompletion } from '../helpers/fake-openai.js';
import { silentLogger } from '../helpers/input-required-sides.js';

function policyFor(baseURL: string): Policy {
  const yaml = `version: 1
providers:
  oa: { type: openai, baseURL: "${baseURL}", apiKey: test-key-123456 }
models:
  gpt-x: { provider: oa }
gateway: { openai: true, anthropic: false }
`;
  const { policy, diagnostics } = parsePolicy(yaml, 'reload-test.yaml', {});
  assert.ok(policy, JSON.stringify(diagnostics));
  return policy;
}

test('a call after a policy reload goes where the new policy sends it', async () => {
  const before = await startFakeOpenAI();
  const after = await startFakeOpenAI();
  before.setDefault(() => openaiCompletion({ model: 'gpt-x', text: 'from the first policy' }));
  after.setDefault(() => openaiCompletion({ model: 'gpt-x', text: 'from the reloaded policy' }));
  const routers = createLiveRouters(policyFor(before.baseURL));
  const gateway = await startGateway({ apis: { openai: true, anthropic: false }, getRouter: routers.forGateway, serverName: () => 'srv', policy: () => routers.policy, log: silentLogger() });
  const ask = async (): Promise<unknown> => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await res.json()) as { choices: Array<{ message: { content: unknown } }> };
    return body.choices[0]?.message.content;
  };
  try {
    assert.equal(await ask(), 'from the first policy');
    routers.swap(policyFor(after.baseURL));
    assert.equal(await ask(), 'from the reloaded policy');
    assert.equal(before.requests.length, 1);
    assert.equal(after.requests.length, 1);
  } finally {
    await gateway.close();
    await routers.close();
    await before.close();
    await after.close();
  }
});
