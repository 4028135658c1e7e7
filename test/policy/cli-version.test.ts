// `mcp-route --version` is what install checks and scripts probe: it must answer without
// loading any subcommand (the proxy's dependencies alone cost ~150 ms and ~18 MB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { runCli } from '../helpers/cli.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Runs the CLI with a module hook that records every module of the CLI it resolves, and names
 * the subcommands among them: the bundled CLI (dist/cli/bundle-*.js chunks) and the unbundled
 * one (dist/cli/commands/*.js) alike, a subcommand's module being the one that defines its
 * `registerX` function.
 */
async function commandsLoadedBy(args: string[]): Promise<{ loaded: string[]; stdout: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-version-'));
  const log = join(dir, 'loaded.txt');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/\\/cli\\/(commands\\/|bundle-)/.test(r.url)) appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}\n`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const r = await runCli(args, { env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home', NODE_OPTIONS: `--import ${register}` } });
  const urls = existsSync(log) ? [...new Set(readFileSync(log, 'utf8').trim().split('\n'))] : [];
  // The bundle is minified (whitespace): a definition need not start a line.
  const loaded = urls.flatMap((url) => [...readFileSync(fileURLToPath(url), 'utf8').matchAll(/(?:^|[\s;{}])function register([A-Z]\w*)\(/gm)].map((m) => m[1]!.toLowerCase()));
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

test('the hook sees commands when they are loaded (lint --help loads lint only)', async () => {
  const r = await commandsLoadedBy(['lint', '--help']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.loaded, ['lint']);
});
