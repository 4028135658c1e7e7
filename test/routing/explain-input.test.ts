// `mcp-route explain` given a request it cannot use: the message says where (file:line:col for
// broken JSON) and what, in words rather than errno codes, and the exit status is 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.js';

const POLICY = join(ROOT, 'policies/demo.yaml');
const env = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home' };
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-explain-input-'));

test('broken JSON is reported at its line and column', async () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, '{\n  "messages": [],\n  maxTokens: 5\n}\n');
  const r = await runCli(['explain', '--policy', POLICY, file], { env });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:3: error: not valid JSON: `));
  assert.doesNotMatch(r.stderr, /at position/);
});

test('broken JSON on stdin names <stdin> with the position', async () => {
  const r = await runCli(['explain', '--policy', POLICY, '-'], { env, input: '{"maxTokens": 5,\n}' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^<stdin>:2:1: error: not valid JSON: Expected double-quoted property name$/m);
});

test('an empty request says it is empty', async () => {
  const r = await runCli(['explain', '--policy', POLICY, '-'], { env, input: '' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /<stdin>: error: the request is empty/);
});

test('a missing request file and a directory are named in words, not errno codes', async () => {
  const missing = await runCli(['explain', '--policy', POLICY, join(dir, 'nope.json')], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read request .*nope\.json: no such file/);
  assert.doesNotMatch(missing.stderr, /ENOENT/);
  const directory = await runCli(['explain', '--policy', POLICY, dir], { env });
  assert.equal(directory.code, 1);
  assert.match(directory.stderr, /: is a directory/);
  assert.doesNotMatch(directory.stderr, /EISDIR/);
});
