// The start-up cache (src/cli/startup-cache.ts, early-start.ts): `run --policy FILE` spawns the
// server before loading the policy when an earlier start recorded, for the same policy text
// and environment, which variables the server must not get. What must hold: a server spawned
// early gets exactly the environment a normal start gives it (no key, the gateway's
// variables), a changed policy or a changed value is never served from the entry, the file
// holds names only, and an entry that disagrees with the loaded policy is caught before the
// server receives a single message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { readRunArgv } from '../../src/cli/early-start.js';
import { bindGatewayPort, closeGatewayPort, gatewayChildEnv } from '../../src/gateway/gateway-port.js';
import { startupDigest, type StartupInputs } from '../../src/cli/startup-cache.js';
import { isAlive, ROOT, runCli } from '../helpers/cli.js';
import { assertAllGone, skipUnlessBuilt, startRoute, tempDir, type Route } from '../reliability/harness.js';

const EARLY = /spawned before the policy was loaded/;
const STALE = /start-up cache did not match the policy/;

/** A policy whose openai provider reads `keyVar`, so that the gateway is on for openai. */
function policyReading(keyVar: string): string {
  return ['version: 1', 'providers:', '  oa:', '    type: openai', `    apiKey: "\${${keyVar}}"`, 'models:', '  gpt-x: { provider: oa }', 'state: { store: memory }', ''].join('\n');
}

async function childEnvOf(route: Route): Promise<Record<string, string>> {
  const { env } = await route.call('faulty/env');
  return env as Record<string, string>;
}

async function closeRoute(route: Route): Promise<void> {
  const pids = [route.routerPid, route.serverPid];
  await route.close();
  await assertAllGone(pids);
}

function cacheFiles(state: string): string[] {
  const dir = join(state, 'mcp-route', 'startup');
  return readdirSync(dir).map((name) => join(dir, name));
}

test('a second start with the same policy and environment spawns the server early, with the environment a normal start gives', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const KEY = 'sk-startupCacheKey4242';
  const dir = tempDir();
  const state = tempDir();
  const options = { policy: policyReading('OPENAI_API_KEY'), env: { OPENAI_API_KEY: KEY, XDG_STATE_HOME: state }, args: ['--log-level', 'debug'], dir };
  const first = await startRoute(options);
  const normal = await childEnvOf(first);
  await closeRoute(first);
  assert.doesNotMatch(first.stderr(), EARLY, 'nothing was recorded yet');
  const [file] = cacheFiles(state);
  const stored = readFileSync(file!, 'utf8');
  assert.ok(!stored.includes(KEY), 'the entry holds no value');
  assert.deepEqual(JSON.parse(stored).strip, ['OPENAI_API_KEY']);

  const second = await startRoute(options);
  try {
    const early = await childEnvOf(second);
    assert.match(second.stderr(), EARLY);
    assert.doesNotMatch(second.stderr(), STALE);
    for (const env of [normal, early]) {
      assert.notEqual(env['OPENAI_API_KEY'], KEY, 'the key never reaches the server');
      assert.ok(!JSON.stringify(env).includes(KEY));
      assert.match(env['OPENAI_BASE_URL'] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/v1$/, 'the gateway is named');
    }
    assert.deepEqual(Object.keys(early).sort(), Object.keys(normal).sort(), 'the same variables as a normal start');
    // The gateway the early environment names is the one that answers, with its token.
    const models = await fetch(`${early['OPENAI_BASE_URL']}/models`, { headers: { authorization: `Bearer ${early['OPENAI_API_KEY']}` } });
    assert.equal(models.status, 200);
  } finally {
    await closeRoute(second);
  }
});

test('the bin named in package.json (dist/cli/main.cjs, CommonJS) spawns early as dist/cli/main.js does', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const bin = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['mcp-route']!);
  const state = tempDir();
  const options = { policy: policyReading('OPENAI_API_KEY'), env: { OPENAI_API_KEY: 'sk-startupCacheKeyBin42', XDG_STATE_HOME: state }, args: ['--log-level', 'debug'], dir: tempDir(), cli: bin };
  const first = await startRoute(options);
  const normal = await childEnvOf(first);
  await closeRoute(first);
  assert.doesNotMatch(first.stderr(), EARLY);
  const second = await startRoute(options);
  try {
    assert.match(second.stderr(), EARLY);
    assert.doesNotMatch(second.stderr(), STALE);
    assert.deepEqual(Object.keys(await childEnvOf(second)).sort(), Object.keys(normal).sort());
  } finally {
    await closeRoute(second);
  }
});

// Records which of Node's modules the router had loaded at its first spawn (the server's),
// and at its exit.
const SPAWN_PROBE = `
const { ChildProcess } = require('node:child_process');
const { writeFileSync } = require('node:fs');
if (process.env.MODULES_AT_EXIT && /main\\.c?js$/.test(process.argv[1] ?? '')) process.on('exit', () => writeFileSync(process.env.MODULES_AT_EXIT, JSON.stringify(process.moduleLoadList)));
const spawn = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function (options) {
  ChildProcess.prototype.spawn = spawn;
  if (process.env.MODULES_AT_SPAWN) writeFileSync(process.env.MODULES_AT_SPAWN, JSON.stringify(process.moduleLoadList));
  return spawn.call(this, options);
};
`;

test('the bin spawns early without loading node:crypto, node:dns, node:cluster or node:v8 first, nor node:crypto, the ES module loader, perf_hooks or node:v8 later while only proxying (the gateway on)', {
  skip: skipUnlessBuilt,
  timeout: 30_000,
}, async () => {
  const bin = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['mcp-route']!);
  const dir = tempDir();
  const probe = join(dir, 'probe.cjs');
  writeFileSync(probe, SPAWN_PROBE);
  const record = join(dir, 'modules.json');
  // The server is a Node process too and runs the probe as well; it spawns nothing, so records nothing.
  const atExit = join(dir, 'modules-at-exit.json');
  const env = { OPENAI_API_KEY: 'sk-startupCacheKeyMods42', XDG_STATE_HOME: tempDir(), NODE_OPTIONS: `--require ${probe}`, MODULES_AT_SPAWN: record, MODULES_AT_EXIT: atExit };
  const options = { policy: policyReading('OPENAI_API_KEY'), env, args: ['--log-level', 'debug'], dir: tempDir(), cli: bin };
  await closeRoute(await startRoute(options));
  rmSync(record);
  const second = await startRoute(options);
  try {
    assert.match(second.stderr(), EARLY);
    const env = await childEnvOf(second);
    assert.equal(env['OPENAI_API_KEY']?.length, 64, 'the gateway token, 32 random bytes as hex');
    assert.match(env['OPENAI_BASE_URL'] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  } finally {
    await closeRoute(second);
  }
  const loaded = new Set(JSON.parse(readFileSync(record, 'utf8')) as string[]);
  assert.ok(loaded.has('NativeModule child_process'), 'recorded at the spawn');
  for (const name of ['crypto', 'dns', 'cluster', 'v8']) assert.ok(!loaded.has(`NativeModule ${name}`), `node:${name} was loaded before the spawn`);
  // An idle router that never loaded node:crypto holds about 1 MiB less (src/util/random-bytes.ts).
  const loadedByExit = new Set(JSON.parse(readFileSync(atExit, 'utf8')) as string[]);
  assert.ok(loadedByExit.has('NativeModule child_process') && loadedByExit.size > loaded.size, 'recorded at the exit, after the spawn');
  assert.ok(!loadedByExit.has('NativeModule crypto'), 'node:crypto was loaded by a router that only proxied');
  // Nor, for the same reason (README, Start-up), Node's ES module loader (the CLI bundle is
  // CommonJS), perf_hooks or node:v8.
  for (const name of ['internal/modules/esm/translators', 'perf_hooks', 'v8']) {
    assert.ok(!loadedByExit.has(`NativeModule ${name}`), `${name} was loaded by a router that only proxied`);
  }
});

test('an edited policy is not served from the entry of its old text: the variable it reads now stays out', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const dir = tempDir();
  const state = tempDir();
  const env = { KEY_A: 'sk-firstPolicyKey1111', KEY_B: 'sk-secondPolicyKey2222', XDG_STATE_HOME: state };
  const first = await startRoute({ policy: policyReading('KEY_A'), env, args: ['--log-level', 'debug'], dir });
  assert.equal((await childEnvOf(first))['KEY_B'], env.KEY_B, 'the first policy does not read KEY_B');
  await closeRoute(first);
  // The same file, edited: it now reads KEY_B.
  const second = await startRoute({ policy: policyReading('KEY_B'), env, args: ['--log-level', 'debug'], dir });
  try {
    const childEnv = await childEnvOf(second);
    assert.equal(childEnv['KEY_B'], undefined);
    assert.equal(childEnv['KEY_A'], env.KEY_A, 'KEY_A is nothing to this policy');
    assert.doesNotMatch(second.stderr(), EARLY);
  } finally {
    await closeRoute(second);
  }
});

test('a key that changed to a value another variable holds: that variable stays out too, and nothing is spawned early', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const dir = tempDir();
  const state = tempDir();
  const OTHER = 'sk-sharedValue77777777';
  const first = await startRoute({ policy: policyReading('MY_KEY'), env: { MY_KEY: 'sk-oldValue55555555', OTHER, XDG_STATE_HOME: state }, args: ['--log-level', 'debug'], dir });
  assert.equal((await childEnvOf(first))['OTHER'], OTHER, 'OTHER held nothing secret then');
  await closeRoute(first);
  // The entry's digest leaves MY_KEY's value out, so it still matches; OTHER now holds the key.
  const second = await startRoute({ policy: policyReading('MY_KEY'), env: { MY_KEY: OTHER, OTHER, XDG_STATE_HOME: state }, args: ['--log-level', 'debug'], dir });
  try {
    const childEnv = await childEnvOf(second);
    assert.equal(childEnv['OTHER'], undefined);
    assert.equal(childEnv['MY_KEY'], undefined);
    assert.doesNotMatch(second.stderr(), EARLY);
  } finally {
    await closeRoute(second);
  }
});

test('an entry that disagrees with the loaded policy is caught: the early server is stopped and the proxied one gets the right environment', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const dir = tempDir();
  const state = tempDir();
  const options = { policy: policyReading('OPENAI_API_KEY'), env: { OPENAI_API_KEY: 'sk-staleEntryKey3333', XDG_STATE_HOME: state }, args: ['--log-level', 'debug'], dir };
  await closeRoute(await startRoute(options));
  // The gateway is outside the digest: an entry saying "no gateway" still matches the inputs.
  const [file] = cacheFiles(state);
  writeFileSync(file!, JSON.stringify({ ...JSON.parse(readFileSync(file!, 'utf8')), gateway: null }));
  const second = await startRoute(options);
  try {
    const childEnv = await childEnvOf(second);
    assert.match(second.stderr(), STALE);
    assert.match(childEnv['OPENAI_BASE_URL'] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/v1$/, 'the server that answers was started with the policy’s environment');
    // The entry is rewritten from the policy, so the next start is early again.
    assert.deepEqual(JSON.parse(readFileSync(file!, 'utf8')).gateway, { openai: true, anthropic: false });
  } finally {
    await closeRoute(second);
  }
});

test('the digest covers the text, the path and every value but those of the variables kept out', () => {
  const inputs: StartupInputs = { version: '1', policyPath: 'p.yaml', text: 'version: 1\n', cwd: '/w', env: { KEY: 'secret-1', HOME: '/h' } };
  const digest = startupDigest(inputs, ['KEY']);
  assert.equal(startupDigest({ ...inputs, env: { KEY: 'secret-2', HOME: '/h' } }, ['KEY']), digest, 'a kept-out value is not part of it');
  for (const changed of [
    { text: 'version: 1\n# edited\n' },
    { policyPath: 'q.yaml' },
    { cwd: '/v' },
    { version: '2' },
    { env: { KEY: 'secret-1', HOME: '/g' } },
    { env: { KEY: 'secret-1', HOME: '/h', NEW: '' } },
  ]) {
    assert.notEqual(startupDigest({ ...inputs, ...changed }, ['KEY']), digest, JSON.stringify(changed));
  }
  assert.notEqual(startupDigest(inputs, []), digest, 'nor is the list of names kept out');
});

test('a server spawned early that exits at once still gives mcp-route its exit code', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const dir = tempDir();
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, policyReading('MY_KEY'));
  const env = { ...process.env, MY_KEY: 'sk-exitCodeKey99999999', XDG_STATE_HOME: tempDir() };
  const args = ['run', '--policy', policy, '--log-level', 'debug', '--', process.execPath, '-e', 'process.exit(3)'];
  const first = await runCli(args, { env });
  assert.equal(first.code, 3, first.stderr);
  const second = await runCli(args, { env });
  assert.match(second.stderr, EARLY);
  assert.equal(second.code, 3, second.stderr);
});

test('a start that fails after the early spawn (no --server-name where the policy requires one) leaves no server behind', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const dir = tempDir();
  const state = tempDir();
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, `requireServerName: true\n${policyReading('MY_KEY')}`);
  const pidFile = join(dir, 'server.pid');
  const env = { ...process.env, MY_KEY: 'sk-failedStartKey8888888', XDG_STATE_HOME: state };
  // A server that says its pid at once and ignores its stdin closing.
  const server = ['--', 'sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`];
  await runCli(['run', '--policy', policy, '--server-name', 'named', '--grace', '100ms', ...server], { env });
  assert.equal(cacheFiles(state).length, 1, 'the first start recorded its entry');
  rmSync(pidFile, { force: true });
  // The entry matches (arguments are not part of it): the server is spawned, then the start fails.
  // The grace is long, so the watchdog's own clean-up cannot be what ends it.
  const second = await runCli(['run', '--policy', policy, '--grace', '20s', ...server], { env });
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, /--server-name/);
  await waitFor(() => existsSync(pidFile), 'the server was spawned early');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  await waitFor(() => !isAlive(pid), 'the early server is gone');
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 40 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(condition(), what);
}

test('run arguments read before commander: only the plain shape, else left to commander', () => {
  const env = {};
  assert.deepEqual(readRunArgv(['--policy', 'p.yaml', '--server-name', 'x', '--env', 'A=1', '--env=B=2', '--grace=3s', '-p', 'q.yaml', '--dry-run', '--', 'node', 's.js', '--flag'], env), {
    command: 'node',
    args: ['s.js', '--flag'],
    flags: { policy: 'q.yaml', env: ['A=1', 'B=2'], grace: '3s' },
  });
  assert.equal(readRunArgv(['--policy', 'p.yaml', '--', 'node'], { MCP_ROUTE_GRACE: '1s' })?.flags.grace, '1s', 'the same default as commander');
  for (const argv of [
    ['--policy', 'p.yaml', 'node', 's.js'], // no `--`: options and the command interleave
    ['--policy', 'p.yaml', '--'], // no command
    ['--policy', '--', 'node'], // a value missing
    ['--policy', '-x.yaml', '--', 'node'], // a value that looks like an option
    ['--url', 'https://example.com/mcp', '--', 'node'], // a remote server
    ['--unknown', '--', 'node'],
    ['-h', '--', 'node'],
    ['--dry-run=yes', '--', 'node'],
  ]) {
    assert.equal(readRunArgv(argv, env), undefined, argv.join(' '));
  }
});

test('a gateway port bound by one copy of its module is closed whole by another, kept-alive connections included', { timeout: 4000 }, async () => {
  // The bin binds the port early with its own copy of gateway-port (dist/cli/main.cjs); the
  // gateway closes it from the other bundle's. A second module instance stands for that here.
  const other = (await import(`../../src/gateway/gateway-port.js?copy=${Date.now()}`)) as typeof import('../../src/gateway/gateway-port.js');
  assert.notEqual(other.closeGatewayPort, closeGatewayPort);
  const port = await bindGatewayPort('t0ken');
  port.serve((_req, res) => res.end('ok'));
  const agent = new Agent({ keepAlive: true });
  const socket = await new Promise<Socket>((resolve, reject) => {
    let used: Socket | undefined;
    get(`${port.url}/models`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(used!));
    })
      .on('socket', (s) => (used = s))
      .on('error', reject);
  });
  const closed = new Promise((resolve) => socket.once('close', resolve));
  // The agent unrefs the sockets it keeps: this one must hold the test open until it closes.
  socket.ref();
  // Within the test's 4 s, before the HTTP server's own 5 s keep-alive timeout could end it.
  await other.closeGatewayPort(port.server);
  await closed;
  agent.destroy();
});

test('the gateway port bound before the spawn holds requests until the gateway serves them', async () => {
  const port = await bindGatewayPort('t0ken');
  try {
    assert.match(port.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(gatewayChildEnv(port.url, port.token, { openai: true, anthropic: false }), { OPENAI_BASE_URL: `${port.url}/v1`, OPENAI_API_KEY: 't0ken' });
    // Sent before there is a handler: they wait rather than fail.
    const early = [fetch(`${port.url}/first`), fetch(`${port.url}/second`)];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const seen: string[] = [];
    port.serve((req, res) => {
      seen.push(req.url ?? '');
      res.end(`answered ${req.url}`);
    });
    const bodies = await Promise.all(early.map(async (r) => (await r).text()));
    assert.deepEqual(bodies, ['answered /first', 'answered /second']);
    assert.equal(await (await fetch(`${port.url}/later`)).text(), 'answered /later');
    assert.deepEqual(seen.sort(), ['/first', '/later', '/second']);
  } finally {
    await closeGatewayPort(port.server);
  }
});
