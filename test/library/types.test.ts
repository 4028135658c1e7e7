// Type tests: the consumer fixture is compiled the way a user's project would compile it —
// strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, library .d.ts files checked,
// 'mcp-route' resolved through package exports to the built declarations. Its
// lines marked to expect an error make the compile fail if a public type degrades to `any`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.js';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('public types', () => {
  it('compile for a strict TypeScript consumer importing mcp-route by name', () => {
    const r = spawnSync(process.execPath, [tsc, '-p', 'test/library/consumer', '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});
