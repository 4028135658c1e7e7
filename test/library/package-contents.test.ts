// What `npm pack` would publish: dist (the compiled src only), the schema, the example
// policies, the native addon's source and build script, README, LICENSE and package.json —
// nothing from test/, bench/, examples/ or src/.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.js';

describe('npm pack', () => {
  it('lists only what a user needs', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const [pack] = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
    const paths = pack!.files.map((f) => f.path).sort();
    // native/ and its build script: the prctl addon is compiled at install (see README, Security).
    const allowed = (p: string) => /^(dist|schemas|policies|native)\//.test(p) || ['README.md', 'LICENSE', 'package.json', 'binding.gyp', 'scripts/build-native.mjs'].includes(p);
    assert.deepEqual(
      paths.filter((p) => !allowed(p)),
      [],
    );
    assert.deepEqual(
      paths.filter((p) => /^dist\/(test|bench|examples|src)\/|\.test\./.test(p)),
      [],
    );
    for (const needed of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/cli/main.cjs',
      'dist/library/sampling-handler.js',
      'schemas/policy.schema.json',
      'policies/demo.yaml',
      'LICENSE',
      'README.md',
      'binding.gyp',
      'native/addon.c',
      'native/addon.h',
      'native/harden.c',
      'native/scan.c',
      'native/engine.cc',
      'scripts/build-native.mjs',
    ]) {
      assert.ok(paths.includes(needed), `${needed} missing from the package`);
    }
  });
});
