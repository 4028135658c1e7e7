// What `mcp-route run` tells operators at the default log level (warn), through the BUILT CLI:
// the built-in default in effect, a policy that must exist, providers that cannot answer, and
// each failed or refused sampling request — once, without repeated prefixes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { runCli } from '../helpers/cli.js';
import { e2e, sample, spawnRun, tempDir, writePolicy } from '../e2e/harness.js';

const dir = tempDir();
// Keys blanked so the built-in default is the same on every machine; no config-folder policy.
const noPolicyEnv = { XDG_CONFIG_HOME: join(dir, 'cfg'), ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', MCP_ROUTE_LOG_LEVEL: '', MCP_ROUTE_POLICY: '', MCP_ROUTE_REQUIRE_POLICY: '' };

async function stop(run: Awaited<ReturnType<typeof spawnRun>>): Promise<void> {
  await run.client.close();
  await run.exited;
}

test('with no policy file, run warns at the default level that the built-in default applies, and where it looked', e2e, async () => {
  const run = await spawnRun([], { env: noPolicyEnv });
  try {
    const stderr = await run.stderrMatching(/built-in default/);
    assert.match(
      stderr,
      /^mcp-route warn: no policy file found \(looked for .*mcp-route\.yaml, .*mcp-route\.yml, .*policy\.yaml, .*policy\.yml\); using the built-in default: providers host \(client\), no budgets/m,
    );
    assert.match(stderr, /MCP_ROUTE_POLICY/);
  } finally {
    await stop(run);
  }
});

test('--require-policy and MCP_ROUTE_REQUIRE_POLICY=1 refuse to start without a policy file; the server is never spawned', async () => {
  const cwd = tempDir();
  const marker = join(cwd, 'spawned');
  const server = ['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`];
  const env = { ...process.env, ...noPolicyEnv };
  const flag = await runCli(['run', '--require-policy', ...server], { cwd, env });
  assert.equal(flag.code, 1, flag.stderr);
  assert.match(flag.stderr, /^mcp-route: no policy file found \(looked for .*\), and --require-policy refuses the built-in default; pass --policy FILE or set MCP_ROUTE_POLICY/m);
  const fromEnv = await runCli(['run', ...server], { cwd, env: { ...env, MCP_ROUTE_REQUIRE_POLICY: '1' } });
  assert.equal(fromEnv.code, 1, fromEnv.stderr);
  assert.match(fromEnv.stderr, /MCP_ROUTE_REQUIRE_POLICY refuses the built-in default/);
  assert.equal(existsSync(marker), false, 'the server must not start');
  // With a file found, the flag is satisfied.
  writeFileSync(join(cwd, 'mcp-route.yml'), 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\n');
  const found = await runCli(['run', '--require-policy', ...server], { cwd, env });
  assert.equal(found.code, 0, found.stderr);
  assert.equal(existsSync(marker), true);
});

test('MCP_ROUTE_POLICY selects the policy and MCP_ROUTE_LOG_LEVEL the level; a missing file or a bad level is refused', e2e, async () => {
  const policy = writePolicy(dir, 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\n', 'env-selected.yaml');
  const run = await spawnRun([], { env: { ...noPolicyEnv, MCP_ROUTE_POLICY: policy, MCP_ROUTE_LOG_LEVEL: 'info' } });
  try {
    const stderr = await run.stderrMatching(/policy /);
    assert.match(stderr, new RegExp(`^mcp-route info: policy ${policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.doesNotMatch(stderr, /built-in default/);
  } finally {
    await stop(run);
  }
  const env = { ...process.env, ...noPolicyEnv };
  const missing = await runCli(['run', '--', process.execPath, '-e', '0'], { env: { ...env, MCP_ROUTE_POLICY: join(dir, 'nope.yaml') } });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /MCP_ROUTE_POLICY names .*nope\.yaml, which does not exist/);
  const loud = await runCli(['run', '--', process.execPath, '-e', '0'], { env: { ...env, MCP_ROUTE_LOG_LEVEL: 'loud' } });
  assert.equal(loud.code, 2);
  assert.match(loud.stderr, /MCP_ROUTE_LOG_LEVEL must be error, warn, info or debug, not "loud"/);
});

test('a policy whose providers are all unusable is a warning at start, naming each reason', e2e, async () => {
  const policy = writePolicy(dir, 'version: 1\nproviders:\n  oa: { type: openai, apiKey: "${MCP_ROUTE_TEST_UNSET_KEY}" }\nmodels:\n  gpt-5-mini: { provider: oa }\n', 'unusable.yaml');
  const run = await spawnRun(['--policy', policy], { env: { ...noPolicyEnv, MCP_ROUTE_TEST_UNSET_KEY: '' } });
  try {
    const stderr = await run.stderrMatching(/no usable provider/);
    assert.match(stderr, /^mcp-route warn: no usable provider: oa: MCP_ROUTE_TEST_UNSET_KEY is not set \(providers\.oa\.apiKey\); every sampling request will be refused$/m);
  } finally {
    await stop(run);
  }
});

test('each failed or refused sampling request is one warn line at the default level, each attempt named once', e2e, async () => {
  const openai = await startFakeOpenAI();
  after(() => openai.close());
  openai.setDefault(() => ({ status: 500, body: { error: { message: 'boom', type: 'server_error' } } }));
  const policy = writePolicy(
    dir,
    `version: 1
providers:
  oa: { type: openai, apiKey: "sk-test-warn-0123456789", baseURL: "${openai.baseURL}" }
models:
  gpt-4o-mini: { provider: oa }
defaults: { models: [gpt-4o-mini], retry: { attempts: 2, initialDelay: 1ms, maxDelay: 5ms } }
rules:
  - { name: no-secrets, when: { systemPrompt: "secret" }, action: deny, message: "no secrets here" }
`,
    'failing.yaml',
  );
  const run = await spawnRun(['--policy', policy], { env: noPolicyEnv });
  try {
    const failed = await sample(run.client, { prompt: 'hello' });
    assert.equal(failed.ok, false);
    let stderr = await run.stderrMatching(/sampling .* failed: /);
    const line = stderr.split('\n').find((l) => / failed: /.test(l))!;
    assert.match(line, /^mcp-route warn: sampling \d+ from fixture-server failed: oa\/gpt-4o-mini: HTTP 500 server_error: boom; oa\/gpt-4o-mini: HTTP 500 server_error: boom$/);
    assert.doesNotMatch(stderr, /gpt-4o-mini( 500)?: oa\/gpt-4o-mini/);
    assert.ok(!stderr.includes('sk-test-warn'), 'no key in the log');
    const refused = await sample(run.client, { prompt: 'hello', systemPrompt: 'tell me a secret' });
    assert.equal(refused.code, -1);
    stderr = await run.stderrMatching(/ refused: /);
    assert.match(stderr, /^mcp-route warn: sampling \d+ from fixture-server refused: request refused by rule "no-secrets": no secrets here$/m);
    assert.equal(stderr.match(/^mcp-route warn: sampling /gm)!.length, 2, stderr);
  } finally {
    await stop(run);
  }
});

test('--grace (or MCP_ROUTE_GRACE) without a unit under 1000 warns that it is milliseconds; with a unit it is quiet', async () => {
  const env = { ...process.env, ...noPolicyEnv };
  const policy = writePolicy(dir, 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\n', 'grace.yaml');
  const bare = await runCli(['run', '--policy', policy, '--grace', '2', '--', process.execPath, '-e', '0'], { env });
  assert.match(bare.stderr, /^mcp-route warn: --grace 2 is 2 ms; write 2s for seconds, or 2ms to keep milliseconds$/m);
  const fromEnv = await runCli(['run', '--policy', policy, '--', process.execPath, '-e', '0'], { env: { ...env, MCP_ROUTE_GRACE: '3' } });
  assert.match(fromEnv.stderr, /^mcp-route warn: MCP_ROUTE_GRACE 3 is 3 ms/m);
  const unit = await runCli(['run', '--policy', policy, '--grace', '2s', '--', process.execPath, '-e', '0'], { env });
  assert.equal(unit.code, 0);
  assert.doesNotMatch(unit.stderr, /--grace/);
});
