// Bundles the CLI into dist/cli/main.js (the `bin`), after tsc has built dist/ (the library,
// which stays unbundled). Why: a host spawns one mcp-route per server and waits for it, and
// loading the CLI as some 150 modules of ours and 100 of its dependencies' cost more than
// running them (resolving, reading and compiling each file). Two outputs: main.js, the bin,
// one file with all `run` needs to spawn its server early; and cli.js plus chunks that load on
// demand (a subcommand, the router at the first sampling request).
// Chunks sit flat beside main.js, two levels below the package root like every module in
// dist/<folder>/, so paths relative to a module (src/util/package-root.ts, the native addon)
// still hold. Dependencies that load late or are large stay outside the bundle, loaded from
// node_modules when first used: the provider SDKs, the MCP SDK, telemetry, stores, tokenizers,
// and cross-spawn (used on Windows only).
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

/** main.ts loads the command line as the separate bundle cli.js, not as code of its own. */
const cliAsExternal = {
  name: 'cli-as-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist/cli`;
const CHUNK_PREFIX = 'bundle-';
for (const name of readdirSync(outdir)) if (name.startsWith(CHUNK_PREFIX)) rmSync(`${outdir}/${name}`);
const external = ['@anthropic-ai/sdk', 'openai', '@modelcontextprotocol/*', '@opentelemetry/*', 'better-sqlite3', 'ioredis', 'prom-client', 'gpt-tokenizer', 'gpt-tokenizer/*', 'cross-spawn'];
// Whitespace and syntax only (names stay, for stack traces; `node --enable-source-maps` maps
// lines back): less source to scan and to keep in memory (V8 holds every module's text). The
// idle router's RSS fell by about 1 MiB (56.3 to 55.3 MiB, cache warm, prod.yaml).
const minify = { minifyWhitespace: true, minifySyntax: true };

// yaml and the policy validator go into a CommonJS file of their own, which the bundle loads
// through a shim when a policy is read and drops once the router is idle: an ES module would
// stay resident for good (scripts/bundle/policy-parsers-shim.mjs, src/util/collectible.ts).
// Idle `mcp-route run` with prod.yaml (bench/startup.ts): 47.9 -> 46.4 MiB.
const shim = `${root}scripts/bundle/policy-parsers-shim.mjs`;
const collectibleParsers = {
  name: 'collectible-policy-parsers',
  setup(b) {
    b.onResolve({ filter: /^yaml$|\/schema-validator\.generated\.js$/ }, () => ({ path: shim }));
  },
};
await build({
  entryPoints: [`${root}scripts/bundle/policy-parsers.mjs`],
  outfile: `${outdir}/policy-parsers.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  allowOverwrite: true,
  sourcemap: 'linked',
  ...minify,
  logLevel: 'warning',
});

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  allowOverwrite: true,
  // Bundled CommonJS dependencies (commander, yaml) call require() for Node's own modules.
  banner: { js: "import { createRequire as __mcpRouteRequire } from 'node:module';\nconst require = __mcpRouteRequire(import.meta.url);" },
  external,
  plugins: [collectibleParsers],
  sourcemap: 'linked',
  ...minify,
  logLevel: 'warning',
};

// The command line (commander, the subcommands, the router): one entry and chunks.
await build({ ...common, entryPoints: { cli: `${root}src/cli/cli.ts` }, splitting: true, chunkNames: `${CHUNK_PREFIX}[name]-[hash]` });

// The bin: one CommonJS file with everything `run` needs to spawn its server early
// (src/cli/main.ts), then cli.js. Not split: every chunk would be one more file to read,
// compile and link before the spawn (per file, not per byte: the code is some 15 KB), which
// cost the server about 35 ms of its head start on a 2-core machine. CommonJS, since Node sets
// up its ES module loader (some 180 KiB of young heap, ~9 M instructions) before it runs an
// ES module entry: with a .cjs entry that happens when cli.js is imported, after the spawn.
// The few modules both sides use (spawning and stopping the server, the child's environment)
// are in both copies. import.meta.url, which package-root.ts and non-dumpable.ts resolve
// files against, is this file's URL.
await build({
  ...common,
  entryPoints: { main: `${root}src/cli/main.ts` },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // "use strict" first: the directive esbuild emits comes after the banner, where it is not one,
  // and the code was written for ES modules, which are always strict.
  banner: { js: "'use strict';\nconst __mcpRouteUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__mcpRouteUrl' },
  plugins: [cliAsExternal, collectibleParsers],
});

// dist/cli/main.js: the path the docs, the tests and existing host configurations name. It
// loads main.cjs through require (one file, no ES-to-CommonJS translation).
writeFileSync(
  `${outdir}/main.js`,
  "#!/usr/bin/env node\n// The mcp-route CLI as an ES module path; the bin is main.cjs (see scripts/bundle-cli.mjs).\nimport { createRequire } from 'node:module';\n\ncreateRequire(import.meta.url)('./main.cjs');\n",
);
rmSync(`${outdir}/main.js.map`, { force: true });
