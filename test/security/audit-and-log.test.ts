// The audit file and the log as an untrusted server and a hostile folder meet them (issue 11,
// items 7, 11 and 17), through the built CLI: a planted symlink or FIFO at the audit path,
// requests nested 100k deep, floods of large refused requests, and a server name that tries
// to forge log lines or drive the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { runCli } from '../helpers/cli.js';
import { assertAllGone, assertExactlyOnce, openaiPolicy, samplingLine, skipUnlessBuilt, startRoute, tempDir, userText, type Route } from '../reliability/harness.js';

const env = { OPENAI_API_KEY: 'A7auditKeyValue1212' };

async function closeAll(route: Route, ...servers: Array<{ close(): Promise<void> }>): Promise<void> {
  const pids = [route.routerPid, route.serverPid];
  await route.close();
  for (const s of servers) await s.close();
  await assertAllGone(pids);
}

/** `mcp-route run --audit <path>` with a server that would leave `marker` behind if it were ever started. */
function runWithAudit(dir: string, audit: string) {
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, openaiPolicy('http://127.0.0.1:9/v1'));
  const marker = join(dir, 'server-started');
  const server = `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`;
  return { marker, result: runCli(['run', '--policy', policy, '--audit', audit, '--', process.execPath, '-e', server], { env: { ...process.env, ...env }, timeoutMs: 15_000 }) };
}

test('a symlink planted at the audit path is not followed: mcp-route refuses to start and the target keeps its mode and content', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const dir = tempDir();
  const target = join(dir, 'precious.conf');
  writeFileSync(target, 'do not touch\n');
  chmodSync(target, 0o644);
  const audit = join(dir, 'audit.jsonl');
  symlinkSync(target, audit);
  const { marker, result } = runWithAudit(dir, audit);
  const r = await result;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot open the audit file .*audit\.jsonl: .* is a symbolic link; mcp-route does not follow links/);
  assert.equal(readFileSync(target, 'utf8'), 'do not touch\n');
  assert.equal(statSync(target).mode & 0o777, 0o644);
  assert.equal(existsSync(marker), false, 'the server was not started');
});

test('a FIFO at the audit path does not hang start-up: mcp-route refuses at once', { skip: skipUnlessBuilt || (process.platform === 'win32' && 'no FIFOs'), timeout: 30_000 }, async () => {
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  assert.equal(spawnSync('mkfifo', [audit]).status, 0);
  const { marker, result } = runWithAudit(dir, audit);
  const r = await result; // runCli fails the test if this takes more than 15 s
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot open the audit file .*audit\.jsonl: .*FIFO/);
  assert.equal(existsSync(marker), false, 'the server was not started');
});

test('an audit file owned by another user is refused, not appended to', { skip: skipUnlessBuilt || (process.getuid?.() !== 0 && 'needs root to chown'), timeout: 30_000 }, async () => {
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  writeFileSync(audit, 'theirs\n');
  chmodSync(audit, 0o644);
  chownSync(audit, 65534, 65534);
  const { result } = runWithAudit(dir, audit);
  const r = await result;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /belongs to uid 65534, not to this user/);
  assert.equal(readFileSync(audit, 'utf8'), 'theirs\n');
  assert.equal(statSync(audit).mode & 0o777, 0o644);
});

/** `{"a":{"a":...1...}}`, `depth` levels deep, built as text (JSON.stringify would overflow). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

test('with audit.content, metadata nested 100k deep is answered and audited; a tool schema 100k deep is refused and audited', { skip: skipUnlessBuilt, timeout: 60_000 }, async () => {
  const oa = await startFakeOpenAI();
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  const route = await startRoute({ policy: openaiPolicy(oa.baseURL, { extra: 'audit: { content: true }' }), env, args: ['--audit', audit], dir });
  try {
    const deepMeta = `{"jsonrpc":"2.0","id":"deep-meta","method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":5,"metadata":${nested(100_000)}}}`;
    const deepTool = `{"jsonrpc":"2.0","id":"deep-tool","method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":5,"tools":[{"name":"t","inputSchema":{"type":"object","properties":${nested(100_000)}}}]}}`;
    const ids = ['deep-meta', 'deep-tool'];
    const { responses } = await route.call('faulty/emit', { lines: [deepMeta, deepTool], awaitIds: ids, timeoutMs: 30_000 }, 40_000);
    assertExactlyOnce(responses, ids);
    assert.ok(responses['sdeep-meta'][0].result, JSON.stringify(responses['sdeep-meta'][0]).slice(0, 300));
    const toolError = responses['sdeep-tool'][0].error;
    assert.ok(toolError, JSON.stringify(responses['sdeep-tool'][0]).slice(0, 300));
    assert.equal(toolError.code, -32602);
    assert.match(toolError.message, /nested too deeply/);
    await route.call('ping');
    await route.close();
    await assertAllGone([route.routerPid, route.serverPid]);
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const byId = Object.fromEntries(lines.map((l) => [l.requestId, l]));
    assert.equal(byId['deep-meta']?.outcome, 'ok');
    assert.match(JSON.stringify(byId['deep-meta']?.request.metadata), /\[truncated: nested deeper than \d+\]/);
    assert.equal(byId['deep-tool']?.outcome, 'invalid');
    assert.doesNotMatch(route.stderr(), /audit .*Maximum call stack/);
  } finally {
    await closeAll(route, oa);
  }
});

test('refused requests write a bounded audit line: 20 denied 1 MB requests stay under 200 KB of audit', { skip: skipUnlessBuilt, timeout: 60_000 }, async () => {
  const oa = await startFakeOpenAI();
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  const rules = ['rules:', '  - { name: no-big, when: { hints: "blocked" }, action: deny, message: "not here" }', 'audit: { content: true }'].join('\n');
  const route = await startRoute({ policy: openaiPolicy(oa.baseURL, { extra: rules }), env, args: ['--audit', audit], dir });
  try {
    const big = 'x'.repeat(1024 * 1024);
    const ids = Array.from({ length: 20 }, (_, i) => `big${i}`);
    const lines = ids.map((id) => samplingLine(id, { messages: [userText(big)], maxTokens: 5, modelPreferences: { hints: [{ name: 'blocked' }] } }));
    // Sent in batches so the host-side request stays a sensible size.
    for (let i = 0; i < ids.length; i += 5) {
      const { responses } = await route.call('faulty/emit', { lines: lines.slice(i, i + 5), awaitIds: ids.slice(i, i + 5) }, 40_000);
      for (const id of ids.slice(i, i + 5)) assert.equal(responses[`s${id}`][0].error?.code, -1, id);
    }
    // And one answered request keeps its content whole: it was paid for.
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('paid', { messages: [userText(`paid ${'y'.repeat(20_000)}`)], maxTokens: 5 })], awaitIds: ['paid'] });
    assert.ok(responses.spaid[0].result);
    await route.close();
    await assertAllGone([route.routerPid, route.serverPid]);
    const text = readFileSync(audit, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    assert.equal(records.length, 21);
    const denied = records.filter((r) => r.outcome === 'denied');
    assert.equal(denied.length, 20);
    for (const r of denied) {
      assert.equal(r.request.truncated, true);
      assert.ok(r.request.characters > 1024 * 1024, 'the size is recorded');
    }
    assert.ok(statSync(audit).size < 200 * 1024 + 25_000, `audit file is ${statSync(audit).size} bytes`);
    assert.ok(JSON.stringify(records.find((r) => r.requestId === 'paid')).includes('y'.repeat(20_000)));
  } finally {
    await closeAll(route, oa);
  }
});

test('newlines and ANSI escapes in serverInfo.name cannot forge log lines or reach the terminal', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const oa = await startFakeOpenAI();
  const evilName = 'evil\nmcp-route error: forged by the server\r\x1b[2J\x1b]0;owned\x07\u009b31m\u2028end';
  const route = await startRoute({ policy: openaiPolicy(oa.baseURL), env: { ...env, FAULTY_NAME: evilName }, args: ['--log-level', 'debug'] });
  try {
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('n1')], awaitIds: ['n1'] });
    assert.ok(responses.sn1[0].result);
    await route.close();
    await assertAllGone([route.routerPid, route.serverPid]);
    const stderr = route.stderr();
    assert.match(stderr, /from evil\\nmcp-route error: forged by the server\\r\\x1b\[2J\\x1b\]0;owned\\x07\\x9b31m\\u2028end: ok/, stderr);
    for (const line of stderr.split('\n').filter(Boolean)) assert.match(line, /^mcp-route (error|warn|info|debug): /, `a line not written by the logger: ${JSON.stringify(line)}`);
    assert.doesNotMatch(stderr, /^mcp-route error: forged/m);
    assert.doesNotMatch(stderr, /[\x1b\x07\r\u009b\u2028]/, 'no control character reached stderr');
  } finally {
    await closeAll(route, oa);
  }
});
