// `mcp-route lint` as a user runs it: the built CLI, real files, exit codes, output formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const fixture = (f: string) => `test/fixtures/policies/${f}`;
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home', ...extra });

test('the example policies lint clean: exit 0', async () => {
  const r = await runCli(['lint', 'policies/demo.yaml', 'policies/prod.yaml', 'policies/local.yaml'], { env: cleanEnv() });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /3 files checked: no problems/);
});

test('an error prints path:line:col, a code frame and the hint, and exits 1', async () => {
  const r = await runCli(['lint', fixture('unknown-key.yaml')], { env: cleanEnv() });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^test\/fixtures\/policies\/unknown-key\.yaml:7:3: error: unknown key `maxToken` in `defaults` \(unknown-key\)$/m);
  assert.match(r.stdout, /> 7 \| {3}maxToken: 100/);
  assert.match(r.stdout, /hint: did you mean `maxTokens`\?/);
  assert.match(r.stdout, /1 file checked: 1 error, 0 warnings/);
});

test('warnings alone exit 0; --strict makes them fail', async () => {
  const loose = await runCli(['lint', fixture('deny-without-message.yaml')], { env: cleanEnv() });
  assert.equal(loose.code, 0);
  assert.match(loose.stdout, /:7:5: warning: rule `no-images` denies without a `message`/);
  const strict = await runCli(['lint', '--strict', fixture('deny-without-message.yaml')], { env: cleanEnv() });
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /:7:5: error: rule `no-images`/);
});

test('--format json gives files, diagnostics with severity, message, line, column, code', async () => {
  const r = await runCli(['lint', '--format', 'json', fixture('undefined-model.yaml'), 'policies/demo.yaml'], { env: cleanEnv() });
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { files: Array<{ path: string; diagnostics: Array<Record<string, unknown>> }> };
  assert.equal(out.files.length, 2);
  assert.equal(out.files[0]!.path, fixture('undefined-model.yaml'));
  assert.deepEqual(out.files[0]!.diagnostics, [
    { severity: 'error', message: '`smrt` is not a model id or alias defined under `models`', line: 8, column: 19, code: 'undefined-model', hint: 'did you mean `smart`?' },
  ]);
  assert.deepEqual(out.files[1], { path: 'policies/demo.yaml', diagnostics: [] });
});

test('a missing file is an error for that file, the others are still checked', async () => {
  const r = await runCli(['lint', 'no-such-policy.yaml', 'policies/demo.yaml'], { env: cleanEnv() });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^no-such-policy\.yaml: error: cannot read policy: no such file \(file-unreadable\)$/m);
  assert.match(r.stdout, /2 files checked: 1 error/);
  assert.equal(r.stderr, '');
});

test('usage errors exit 2: a bad --format, or no file given and none discoverable', async () => {
  const bad = await runCli(['lint', '--format', 'xml', 'policies/demo.yaml'], { env: cleanEnv() });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format must be text or json/);
  const empty = mkdtempSync(join(tmpdir(), 'mcp-route-lint-'));
  const none = await runCli(['lint'], { cwd: empty, env: cleanEnv({ XDG_CONFIG_HOME: join(empty, 'cfg') }) });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no policy file given, and none found at .*mcp-route\.yaml/);
});

test('with no file given, lint checks the discovered ./mcp-route.yaml', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-lint-'));
  writeFileSync(join(dir, 'mcp-route.yaml'), 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\ndefaults: { hints: prefr }\n');
  const r = await runCli(['lint'], { cwd: dir, env: cleanEnv({ XDG_CONFIG_HOME: join(dir, 'cfg') }) });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /mcp-route\.yaml:4:20: error: `defaults\.hints` must be one of prefer, ignore/);
  assert.match(r.stdout, /did you mean `prefer`\?/);
});

test('--help shows usage with an example', async () => {
  const r = await runCli(['lint', '--help'], { env: cleanEnv() });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: mcp-route lint \[options\] \[files\.\.\.\]/);
  assert.match(r.stdout, /--format <format>/);
  assert.match(r.stdout, /--strict/);
  assert.match(r.stdout, /\$ mcp-route lint policies\/prod\.yaml/);
});
