// The official MCP conformance suite against `mcp-route serve` (scripts/conformance.mjs, also
// `npm run conformance`): server-initialize, tools-call-simple-text, tools-call-with-progress,
// dns-rebinding-protection, tools-call-sampling through a `client`-provider policy, ping,
// logging-set-level and server-sse-multiple-streams; and fifteen of its client auth scenarios
// against mcp-route's OAuth. The script installs tools/conformance (the suite and a Node 22) on
// first use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, skipUnlessBuilt } from '../e2e/harness.js';

test('the conformance suite passes its eight scenarios against serve and fifteen auth scenarios against mcp-route auth', { skip: skipUnlessBuilt, timeout: 600_000 }, async () => {
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
