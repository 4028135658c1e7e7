// Through the BUILT CLI: the Anthropic SDK's per-request deprecation notice for a model near
// its end of life reaches stderr once, as an mcp-route log line at warn, and not at all under
// `--log-level error` (it used to print two raw lines on every request at any level).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeAnthropic } from '../helpers/fake-anthropic.js';
import { connectHost, sample, e2e, tempDir, writePolicy } from './harness.js';

const policyFor = (baseURL: string) => `version: 1
providers:
  an: { type: anthropic, apiKey: sk-ant-test-notices-1234, baseURL: "${baseURL}" }
models:
  claude-sonnet-4-5: { provider: an }
`;

test('an SDK deprecation notice is one mcp-route warn line, silenced by --log-level error', e2e, async () => {
  const fake = await startFakeAnthropic();
  const policy = writePolicy(tempDir(), policyFor(fake.baseURL));
  try {
    for (const level of ['warn', 'error']) {
      const host = await connectHost(['--policy', policy, '--log-level', level]);
      try {
        for (let i = 0; i < 2; i++) assert.equal((await sample(host.client, { prompt: `hello ${i}` })).ok, true);
      } finally {
        await host.close();
      }
      const notices = host
        .stderr()
        .split('\n')
        .filter((line) => /deprecated/.test(line));
      if (level === 'warn') {
        assert.equal(notices.length, 1, host.stderr());
        assert.match(notices[0]!, /^mcp-route warn: an: The model 'claude-sonnet-4-5' is deprecated and will reach end-of-life on November 30th, 2026/);
      } else {
        assert.deepEqual(notices, [], host.stderr());
      }
    }
    assert.equal(fake.requests.length, 4);
  } finally {
    await fake.close();
  }
});
