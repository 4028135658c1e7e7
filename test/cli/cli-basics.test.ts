// The command line's first impressions: no arguments, the version flags, and the hint for the
// commonest `run` slip (server options without `--` before the server command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runCli } from '../helpers/cli.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
const env = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home' };

test('no arguments prints the help on stdout, with every command, and exits 1', async () => {
  const r = await runCli([], { env });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Usage: mcp-route \[options\] \[command\]/);
  for (const command of ['run', 'lint', 'explain', 'budgets', 'init', 'models', 'doctor']) assert.match(r.stdout, new RegExp(`^  ${command}\\b`, 'm'), command);
  assert.equal(r.stderr, '');
});

test('-v, -V and --version print the version', async () => {
  for (const flag of ['-v', '-V', '--version']) {
    const r = await runCli([flag], { env });
    assert.equal(r.code, 0, flag);
    assert.equal(r.stdout, `${pkg.version}\n`, flag);
  }
});

test('server options without `--` get a usage error with a hint to add it, and nothing is spawned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-cli-'));
  const marker = join(dir, 'spawned');
  const r = await runCli(['run', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { env, cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '-e'/);
  assert.match(r.stderr, /hint: .*put `--` before it: mcp-route run \[options\] -- <command>/);
  assert.equal(existsSync(marker), false);
});

test('an unknown mcp-route option before `--` gets no such hint: `--` is already there', async () => {
  const r = await runCli(['run', '--polcy', 'x.yaml', '--', 'node', '-e', '0'], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--polcy'/);
  assert.doesNotMatch(r.stderr, /hint: options after the server command/);
});
