// Install and first-run scripts: no TypeScript builds on `npm install` (the package builds in
// `prepack` and ships dist/; the one install script compiles only the small native addon that
// makes the process non-dumpable, see README: Security), `npm test` builds first, and `npm run demo` builds when dist/ is
// missing or older than the sources (scripts/build-if-stale.mjs, run in a scratch project).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNode } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

test('no prepare or install script builds TypeScript on install; prepack builds; test builds first; demo builds when needed', () => {
  for (const hook of ['prepare', 'preinstall', 'postinstall']) assert.equal(pkg.scripts[hook], undefined, hook);
  assert.equal(pkg.scripts['install'], 'node scripts/build-native.mjs', 'install builds the native addon only');
  assert.doesNotMatch(readFileSync(join(ROOT, 'scripts', 'build-native.mjs'), 'utf8'), /\btsc\b/);
  assert.equal(pkg.scripts['prepack'], 'npm run build');
  assert.match(pkg.scripts['test']!, /^npm run build && /);
  assert.equal(pkg.scripts['predemo'], 'node scripts/build-if-stale.mjs');
});

test('build-if-stale builds when dist is missing or older than src, and not otherwise', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mcp-route-stale-'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'src'));
  copyFileSync(join(ROOT, 'scripts', 'build-if-stale.mjs'), join(root, 'scripts', 'build-if-stale.mjs'));
  writeFileSync(join(root, 'src', 'a.ts'), 'export {};\n');
  // A stand-in build that records each run and writes the CLI entry the script checks.
  const build = "const fs=require('fs');fs.mkdirSync('dist/cli',{recursive:true});fs.writeFileSync('dist/cli/main.js','');fs.appendFileSync('builds.log','x')";
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true, scripts: { build: `node -e "${build}"` } }));
  const builds = () => (existsSync(join(root, 'builds.log')) ? readFileSync(join(root, 'builds.log'), 'utf8').length : 0);
  const env = { ...process.env, npm_config_update_notifier: 'false' };

  const missing = await runNode([join(root, 'scripts', 'build-if-stale.mjs')], { cwd: root, env, timeoutMs: 60_000 });
  assert.equal(missing.code, 0, missing.stderr);
  assert.match(missing.stderr, /dist\/ is missing: building first/);
  assert.equal(builds(), 1);

  const fresh = await runNode([join(root, 'scripts', 'build-if-stale.mjs')], { cwd: root, env, timeoutMs: 60_000 });
  assert.equal(fresh.code, 0);
  assert.equal(builds(), 1, 'an up-to-date dist is not rebuilt');

  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, 'src', 'a.ts'), later, later);
  const stale = await runNode([join(root, 'scripts', 'build-if-stale.mjs')], { cwd: root, env, timeoutMs: 60_000 });
  assert.equal(stale.code, 0, stale.stderr);
  assert.match(stale.stderr, /sources changed since the last build/);
  assert.equal(builds(), 2);
});
