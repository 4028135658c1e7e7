// `mcp-route --version` is what install checks and scripts probe: it must answer without
// loading any subcommand (the proxy's dependencies alone cost ~150 ms and ~18 MB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runCli } from '../helpers/cli.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Runs the CLI with a preloaded script that records, at exit, every file of the CLI that
 * require() loaded, and names the subcommands among them: the bundled CLI loads each
 * subcommand as its own file, dist/cli/command-<name>.cjs (scripts/bundle-cli.mjs).
 */
async function commandsLoadedBy(args: string[]): Promise<{ loaded: string[]; stdout: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-version-'));
  const log = join(dir, 'loaded.txt');
  const preload = join(dir, 'record.cjs');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join('\\n')));\n`);
  const r = await runCli(args, { env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home', NODE_OPTIONS: `--require ${preload}` } });
  const files = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
  assert.ok(
    files.some((file) => file.endsWith('/dist/cli/main.cjs')),
    `the preload saw the CLI's files: ${files.join(', ')}`,
  );
  const loaded = files.flatMap((file) => /\/dist\/cli\/command-([\w-]+)\.cjs$/.exec(file)?.[1] ?? []);
  return { loaded, stdout: r.stdout, code: r.code };
}

test('--version, -v and -V print the package version and load no subcommand', async () => {
  for (const flag of ['--version', '-v', '-V']) {
    const r = await commandsLoadedBy([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
    assert.deepEqual(r.loaded, [], `${flag} loaded: ${r.loaded.join(', ')}`);
  }
});

test('the preload sees commands when they are loaded (lint --help loads lint only)', async () => {
  const r = await commandsLoadedBy(['lint', '--help']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.loaded, ['lint']);
});

test('a command named like an Object.prototype member is an unknown command, not a crash', async () => {
  for (const name of ['constructor', 'toString', '__proto__']) {
    const r = await runCli([name], { env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home' } });
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /unknown command/);
    assert.doesNotMatch(r.stderr, /TypeError/);
  }
});
