// End to end through the BUILT CLI: what is not sampling passes through exactly (tools,
// resources, prompts, notifications, progress, cancellation, stderr), and the lifecycle
// holds: crashes, the host going away, signals, no orphaned server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoggingMessageNotificationSchema, ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { callText, connectHost, isAlive, e2e, spawnRun, tempDir, writePolicy } from './harness.js';

const dir = tempDir();
const policy = writePolicy(
  dir,
  `version: 1
providers: { canned: { type: mock, responses: [{ text: "hi" }] } }
models: { m: { provider: canned } }
defaults: { models: [m] }
`,
);

test('tools, resources, prompts and notifications pass through unchanged', e2e, async () => {
  const host = await connectHost(['--policy', policy], { env: { FIXTURE_STDERR: 'fixture stderr reaches ours' } });
  try {
    const c = host.client;
    assert.equal(c.getServerVersion()?.name, 'fixture-server');
    const { tools } = await c.listTools();
    assert.ok(tools.some((t) => t.name === 'sample') && tools.some((t) => t.name === 'echo'));
    const odd = 'ünïcödé \u2028 "quotes" \\ back\nslash';
    assert.equal(await callText(c, 'echo', { text: odd }), odd);
    assert.deepEqual((await c.readResource({ uri: 'fixture://hello' })).contents, [{ uri: 'fixture://hello', text: 'hello resource' }]);
    assert.equal(((await c.readResource({ uri: 'fixture://items/42' })).contents[0] as { text?: string }).text, '{"id":"42"}');
    assert.ok((await c.listResourceTemplates()).resourceTemplates.some((t) => t.uriTemplate === 'fixture://items/{id}'));
    const prompt = await c.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    assert.deepEqual(prompt.messages[0]?.content, { type: 'text', text: 'Hello, Ada!' });
    const logged = new Promise((resolve) => c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(n.params.data)));
    const listChanged = new Promise((resolve) => c.setNotificationHandler(ResourceListChangedNotificationSchema, () => resolve(true)));
    await c.setLoggingLevel('debug');
    assert.equal(await callText(c, 'notify'), 'notified');
    assert.equal(await logged, 'hello from the fixture');
    assert.equal(await listChanged, true);
    assert.equal((await c.callTool({ name: 'no-such-tool', arguments: {} })).isError, true);
    await c.ping();
    assert.match(host.stderr(), /fixture stderr reaches ours/);
  } finally {
    await host.close();
  }
});

test('progress notifications and cancellation of a tool call pass through, in order', e2e, async () => {
  const run = await spawnRun(['--policy', policy, '--grace', '300ms']);
  let raw = '';
  run.child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
  const host = { client: run.client, close: async () => (await run.client.close(), void (await run.exited)) };
  try {
    const c = host.client;
    // Checked on the bytes the host receives: the SDK client itself can lose a progress
    // notification that arrives in the same read as its response (it handles notifications
    // a microtask later), so counting onprogress calls would test the SDK, not us.
    const calls = await Promise.all(Array.from({ length: 10 }, () => c.callTool({ name: 'slow', arguments: { steps: 3, stepMs: 1 } }, undefined, { onprogress: () => {} })));
    assert.ok(calls.every((r) => (r.content as Array<{ text: string }>)[0]?.text === 'done'));
    const lines = raw
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: number; method?: string; params?: { progressToken?: number; progress?: number } });
    const responses = lines.filter((l) => l.id !== undefined && l.method === undefined && l.id > 0);
    assert.equal(responses.length, 10);
    for (const r of responses) {
      const at = lines.indexOf(r);
      const progress = lines.filter((l) => l.method === 'notifications/progress' && l.params?.progressToken === r.id);
      assert.deepEqual(
        progress.map((p) => p.params?.progress),
        [1, 2, 3],
        `progress for ${r.id}`,
      );
      assert.ok(
        progress.every((p) => lines.indexOf(p) < at),
        'progress precedes its response',
      );
    }

    const controller = new AbortController();
    const firstProgress = new Promise<void>((resolve) => {
      const pending = c.callTool({ name: 'slow', arguments: { steps: 1000, stepMs: 1000 } }, undefined, {
        signal: controller.signal,
        onprogress: () => resolve(),
      });
      pending.catch(() => {});
    });
    await firstProgress;
    controller.abort('host changed its mind');
    // The server saw the cancellation: its next answer lists the cancelled call.
    let cancelled: unknown[] = [];
    for (let i = 0; i < 100 && cancelled.length === 0; i++) cancelled = JSON.parse(await callText(c, 'cancelled'));
    assert.equal(cancelled.length, 1);
  } finally {
    await host.close();
  }
});

test("non-JSON lines on the server's stdout are dropped and logged, not sent to the host", e2e, async () => {
  const run = await spawnRun(['--policy', policy, '--grace', '300ms']);
  let raw = '';
  run.child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
  try {
    assert.equal(await callText(run.client, 'noise'), 'after noise');
    assert.ok(!raw.includes('stray console.log') && !raw.includes('{"half"'), raw);
    assert.match(await run.stderrMatching(/not JSON-RPC.*stray console\.log/), /dropped a line/);
  } finally {
    await run.client.close();
    await run.exited;
  }
});

test('a server crash mid-request: the host gets an error for its pending call and we exit with the code', e2e, async () => {
  const run = await spawnRun(['--policy', policy]);
  // Both calls are answered with errors at once; hold the first one's outcome from the start.
  const slow = run.client.callTool({ name: 'slow', arguments: { steps: 100, stepMs: 1000 } }).then(
    () => new Error('the slow call should not succeed'),
    (err: Error) => err,
  );
  await assert.rejects(run.client.callTool({ name: 'crash', arguments: { code: 7 } }), /server exited \(code 7\)/);
  assert.match((await slow).message, /server exited \(code 7\) before answering/);
  assert.deepEqual(await run.exited, { code: 7, signal: null });
});

test('the host closing stdin ends a server that exits on EOF, with its exit code', e2e, async () => {
  const pidFile = join(dir, 'pid-eof');
  const run = await spawnRun(['--policy', policy, '--grace', '5s'], { env: { FIXTURE_PID_FILE: pidFile } });
  await callText(run.client, 'echo', { text: 'x' });
  const started = Date.now();
  run.child.stdin.end();
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.ok(Date.now() - started < 4000, 'no need to wait for the grace period');
  assert.equal(isAlive(Number(readFileSync(pidFile, 'utf8'))), false);
});

test('a host that closes stdin but keeps reading still gets the answers already asked for', e2e, async () => {
  const run = await spawnRun(['--policy', policy, '--grace', '5s']);
  let started!: () => void;
  const progressed = new Promise<void>((resolve) => (started = resolve));
  const pending = run.client.callTool({ name: 'slow', arguments: { steps: 3, stepMs: 30 } }, undefined, { onprogress: () => started() });
  await progressed;
  run.child.stdin.end();
  const result = await pending;
  assert.equal((result.content as Array<{ text: string }>)[0]?.text, 'done');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
});

test('a server that ignores EOF gets SIGTERM after the grace period, one that ignores SIGTERM gets SIGKILL', e2e, async () => {
  const pidFile = join(dir, 'pid-term');
  const run = await spawnRun(['--policy', policy, '--grace', '200ms'], { env: { FIXTURE_PID_FILE: pidFile, FIXTURE_IGNORE_STDIN_CLOSE: '1' } });
  await callText(run.client, 'echo', { text: 'x' });
  run.child.stdin.end();
  assert.deepEqual(await run.exited, { code: 128 + 15, signal: null });
  assert.equal(isAlive(Number(readFileSync(pidFile, 'utf8'))), false);

  const pidFile2 = join(dir, 'pid-kill');
  const stubborn = await spawnRun(['--policy', policy, '--grace', '200ms'], {
    env: { FIXTURE_PID_FILE: pidFile2, FIXTURE_IGNORE_STDIN_CLOSE: '1', FIXTURE_IGNORE_SIGTERM: '1' },
  });
  await callText(stubborn.client, 'echo', { text: 'x' });
  stubborn.child.stdin.end();
  assert.deepEqual(await stubborn.exited, { code: 128 + 9, signal: null });
  assert.equal(isAlive(Number(readFileSync(pidFile2, 'utf8'))), false);
});

test('SIGTERM to mcp-route is passed to the server; we exit with 128+15', e2e, async () => {
  const pidFile = join(dir, 'pid-sig');
  const run = await spawnRun(['--policy', policy, '--grace', '2s'], { env: { FIXTURE_PID_FILE: pidFile } });
  await callText(run.client, 'echo', { text: 'x' });
  run.child.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 128 + 15, signal: null });
  assert.equal(isAlive(Number(readFileSync(pidFile, 'utf8'))), false);
});

test('a server that ignores the forwarded SIGTERM is SIGKILLed after the grace period', e2e, async () => {
  const pidFile = join(dir, 'pid-sig-kill');
  const run = await spawnRun(['--policy', policy, '--grace', '200ms'], { env: { FIXTURE_PID_FILE: pidFile, FIXTURE_IGNORE_SIGTERM: '1' } });
  await callText(run.client, 'echo', { text: 'x' });
  run.child.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 128 + 9, signal: null });
  assert.equal(isAlive(Number(readFileSync(pidFile, 'utf8'))), false);
  assert.match(run.stderr(), /ignored SIGTERM/);
});

test('usage and policy errors: exit 2 without a command, 1 for a missing policy file', e2e, async () => {
  const { runCli } = await import('../helpers/cli.js');
  const noCommand = await runCli(['run', '--policy', policy]);
  assert.equal(noCommand.code, 2);
  const missing = await runCli(['run', '--policy', join(dir, 'nope.yaml'), '--', 'node', '-e', '0']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.yaml/);
  assert.doesNotMatch(missing.stderr, /:0:0/, 'no made-up position for a file that cannot be read');
  assert.equal(missing.stdout, '', 'stdout carries protocol only');
  // An invalid policy: each diagnostic once, with its position.
  const badPolicy = join(dir, 'bad-type.yaml');
  writeFileSync(badPolicy, 'version: 1\nproviders: {a: {type: bogus}}\n');
  const invalid = await runCli(['run', '--policy', badPolicy, '--', 'node', '-e', '0']);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /bad-type\.yaml:2:23: error: `providers\.a\.type` must be one of/);
  assert.equal(invalid.stderr.split('must be one of').length - 1, 1, invalid.stderr);
  const notFound = await runCli(['run', '--policy', policy, '--', join(dir, 'no-such-binary')]);
  assert.equal(notFound.code, 127);
  assert.match(notFound.stderr, /cannot start/);
});
