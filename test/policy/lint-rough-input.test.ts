// Inputs a user gets wrong before the policy format even starts: a list instead of a mapping,
// tab indentation, a binary file given by mistake, a one-line JSON policy. Each must give one
// clear diagnostic with a hint, never echo kilobytes of source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintFiles, lintText } from '../../src/policy/lint.js';
import { formatDiagnostic } from '../../src/policy/diagnostics.js';

const dir = fileURLToPath(new URL('../fixtures/policies/', import.meta.url));
const env = { HOME: '/nonexistent-home' };

test('a top-level list says the policy must be a mapping, at 2:1, with a hint', () => {
  const ds = lintText(readFileSync(`${dir}not-a-mapping.yaml`, 'utf8'), 'not-a-mapping.yaml', { env });
  assert.equal(ds.length, 1);
  const d = ds[0]!;
  assert.equal(d.code, 'invalid-type');
  assert.deepEqual([d.line, d.column], [2, 1]);
  assert.match(d.message, /^the policy must be a mapping of top-level keys \(version, providers, models, \.\.\.\), not a list$/);
  assert.match(d.hint ?? '', /version: 1/);
});

test('a top-level scalar names its kind instead of an empty path', () => {
  const [d] = lintText('just some words\n', 'words.yaml', { env });
  assert.match(d!.message, /^the policy must be a mapping .* not a string$/);
  assert.doesNotMatch(d!.message, /``/);
});

test('tab indentation: yaml-syntax at 3:1 with a hint to use spaces', () => {
  const ds = lintText(readFileSync(`${dir}tab-indent.yaml`, 'utf8'), 'tab-indent.yaml', { env });
  const d = ds[0]!;
  assert.equal(d.code, 'yaml-syntax');
  assert.deepEqual([d.line, d.column], [3, 1]);
  assert.match(d.message, /Tabs are not allowed as indentation/);
  assert.match(d.hint ?? '', /spaces/);
});

test('a binary file is "not a text file", without echoing its bytes', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'mcp-route-lint-')), 'logo.png');
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
  writeFileSync(path, bytes);
  const r = await lintFiles([path], { env });
  const ds = r.files[0]!.diagnostics;
  assert.equal(r.errorCount, 1);
  assert.equal(ds[0]!.code, 'not-text');
  const shown = formatDiagnostic(ds[0]!, r.files[0]!.text);
  assert.match(shown, /not a text file/);
  assert.ok(shown.length < 300, `diagnostic too long (${shown.length} chars):\n${shown}`);
});

test('a one-line JSON policy: the code frame is clipped around the column and the caret stays under the key', () => {
  const models = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`model-${i}`, { provider: 'm' }]));
  const text = JSON.stringify({ version: 1, providers: { m: { type: 'mock' } }, models, bogus: 1 });
  const ds = lintText(text, 'one-line.json', { env });
  assert.equal(ds.length, 1);
  const d = ds[0]!;
  assert.equal(d.code, 'unknown-key');
  assert.equal(d.column, text.indexOf('"bogus"') + 1);
  const frame = formatDiagnostic(d, text).split('\n');
  const src = frame.find((l) => l.startsWith('  > 1 | '))!;
  const caret = frame.find((l) => /^\s+\| +\^/.test(l))!;
  assert.ok(src.length < 200, `source line not clipped: ${src.length} chars`);
  const at = caret.indexOf('^');
  assert.equal(src.slice(at, at + 7), '"bogus"', `caret not under the key:\n${src}\n${caret}`);
});

test('duplicate keys are found in flow mappings and deep block mappings, at the repeated key', () => {
  const text = 'version: 1\nproviders:\n  m: {type: mock, type: mock}\nmodels:\n  a:\n    provider: m\n    speed: 0.5\n    speed: 0.6\n';
  const ds = lintText(text, 'dup.yaml', { env });
  assert.deepEqual(
    ds.map((d) => [d.code, d.line, d.column]),
    [
      ['duplicate-key', 3, 19],
      ['duplicate-key', 8, 5],
    ],
  );
});

test('a policy with 30,000 models lints in well under the time a quadratic key check takes', () => {
  // The yaml package's own unique-key check compares every key with every earlier one: this
  // file took ~7 s. Linear, it takes about 1 s; 5 s leaves room for a loaded machine.
  const lines = ['version: 1', 'providers:', '  m: {type: mock}', 'models:'];
  for (let i = 0; i < 30_000; i++) lines.push(`  model-${i}: {provider: m}`);
  const started = performance.now();
  const ds = lintText(`${lines.join('\n')}\n`, 'big.yaml', { env });
  const ms = performance.now() - started;
  assert.deepEqual(ds, []);
  assert.ok(ms < 5000, `lint took ${Math.round(ms)} ms`);
});

test('an unquoted ${VAR} inside a flow mapping: the syntax error says to quote it', () => {
  const text = 'version: 1\nproviders:\n  m: {type: mock, apiKey: ${KEY:-x}}\n';
  const ds = lintText(text, 'flow-env.yaml', { env });
  assert.equal(ds[0]!.code, 'yaml-syntax');
  assert.deepEqual([ds[0]!.line, ds[0]!.column], [3, 28]);
  assert.match(ds[0]!.hint ?? '', /must be quoted: "\$\{VAR\}"/);
});
