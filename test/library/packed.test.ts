// The package as a user installs it: `npm pack` the repository, unpack the tarball into a fresh
// project's node_modules/mcp-route (its dependencies linked from this repository's
// node_modules, so no registry and no install step), then run the host and custom-provider
// examples there and compile the TypeScript consumer against the packed declarations with
// moduleResolution NodeNext and bundler. Catches what the in-repo tests cannot: a file left out
// of `files`, an `exports`/`types` path that only resolves inside the repository, a source
// import that leaks into dist.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { envWithoutKeys, ROOT, runNode } from '../helpers/cli.js';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
let dir: string;
let project: string;

/** No provider keys in the environment: the examples must not need any. */
function run(args: string[]) {
  return runNode(args, { cwd: project, env: envWithoutKeys() });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-route-packed-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const tarball = join(dir, out.trim().split('\n').pop()!);
  project = join(dir, 'project');
  const installed = join(project, 'node_modules', 'mcp-route');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'mcp-route' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  for (const example of ['host', 'custom-provider']) cpSync(join(ROOT, 'examples', example), join(project, example), { recursive: true });
  cpSync(join(ROOT, 'test/library/consumer/consumer.ts'), join(project, 'consumer.ts'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarball, installed in a fresh project', () => {
  it('runs the README host (createRouter, samplingCapabilities, createSamplingHandler) against a real stdio server', async () => {
    const r = await run(['host/host.mjs']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ask -> Paris\. \[model: /m);
    assert.match(r.stdout, /^ask \(5000 tokens\) -> sampling failed \(-1\): .*mcp-route: request refused by rule "no-essays"/m);
  });

  it('runs the custom-provider example (registerProvider, fallback)', async () => {
    const r = await run(['custom-provider/run.mjs', 'what does the router do?']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^answered by keywords\/keyword-backup after 2 attempt\(s\)$/m);
  });

  it('warns that a same-user server can read the environment when the native addon was not built (installed with --ignore-scripts)', async () => {
    // No mcp-route.yaml here and an empty config folder: the built-in default, which holds the key.
    const config = join(dir, 'empty-config');
    mkdirSync(config, { recursive: true });
    const cli = join(project, 'node_modules', 'mcp-route', 'dist', 'cli', 'main.js');
    const r = await runNode([cli, 'run', '--', process.execPath, '-e', 'process.exit(0)'], {
      cwd: project,
      env: { ...envWithoutKeys(), XDG_CONFIG_HOME: config, OPENAI_API_KEY: 'packed-test-key-value' },
    });
    assert.equal(r.code, 0, r.stderr);
    if (process.platform === 'linux')
      assert.match(r.stderr, /mcp-route warn: the server can read mcp-route's environment \(and the keys in it\) through \/proc\/\d+\/environ: the native addon was not built/);
    assert.doesNotMatch(r.stderr, /packed-test-key-value/);
  });

  it('keeps internals private: only the root, ./schema and ./package.json resolve', async () => {
    const probe = [
      "const m = await import('mcp-route');",
      "const schema = await import('mcp-route/schema', { with: { type: 'json' } });",
      "let deep = 'resolved';",
      "try { await import('mcp-route/dist/budgets/index.js'); } catch (e) { deep = e.code; }",
      'console.log(JSON.stringify({ router: typeof m.createRouter, schema: schema.default.$id, deep }));',
    ].join('\n');
    const r = await run(['--input-type=module', '-e', probe]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      router: 'function',
      schema: 'https://mcp-route.dev/schemas/policy.schema.json',
      deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  for (const [module, moduleResolution] of [
    ['NodeNext', 'NodeNext'],
    ['ESNext', 'bundler'],
  ] as const) {
    it(`types resolve for a strict TypeScript consumer with moduleResolution ${moduleResolution}`, () => {
      const config = `tsconfig.${moduleResolution}.json`;
      writeFileSync(
        join(project, config),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module,
            moduleResolution,
            lib: ['ES2023', 'DOM'],
            types: ['node'],
            typeRoots: [join(ROOT, 'node_modules/@types')],
            strict: true,
            noUncheckedIndexedAccess: true,
            exactOptionalPropertyTypes: true,
            // Library .d.ts files are checked strictly by types.test.ts; here what matters is
            // that 'mcp-route' resolves to the packed declarations and the consumer compiles.
            skipLibCheck: true,
            noEmit: true,
          },
          files: ['consumer.ts'],
        }),
      );
      const r = spawnSync(process.execPath, [tsc, '-p', config, '--pretty', 'false', '--traceResolution'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
      assert.equal(
        r.status,
        0,
        (r.stdout
          .split('\n')
          .filter((l) => /error TS/.test(l))
          .join('\n') || r.stdout.slice(-2000)) + r.stderr,
      );
      const resolved = /Module name 'mcp-route' was successfully resolved to '([^']+)'/.exec(r.stdout)?.[1];
      assert.equal(resolved, join(project, 'node_modules/mcp-route/dist/index.d.ts'));
    });
  }
});
