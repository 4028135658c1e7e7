// Bundles the CLI into dist/cli/main.js (the `bin`), after tsc has built dist/ (the library,
// which stays unbundled). Why: a host spawns one mcp-route per server and waits for it, and
// loading the CLI as some 150 modules of ours and 100 of its dependencies' cost more than
// running them (resolving, reading and compiling each file). One entry plus chunks that load
// on demand (a subcommand, the router at the first sampling request) starts much faster.
// Chunks sit flat beside main.js, two levels below the package root like every module in
// dist/<folder>/, so paths relative to a module (src/util/package-root.ts, the native addon)
// still hold. Dependencies that load late or are large stay outside the bundle, loaded from
// node_modules when first used: the provider SDKs, the MCP SDK, telemetry, stores, tokenizers.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist/cli`;
const CHUNK_PREFIX = 'bundle-';
for (const name of readdirSync(outdir)) if (name.startsWith(CHUNK_PREFIX)) rmSync(`${outdir}/${name}`);
const external = ['@anthropic-ai/sdk', 'openai', '@modelcontextprotocol/*', '@opentelemetry/*', 'better-sqlite3', 'ioredis', 'prom-client', 'gpt-tokenizer', 'gpt-tokenizer/*'];
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

await build({
  entryPoints: { main: `${root}src/cli/main.ts` },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: `${CHUNK_PREFIX}[name]-[hash]`,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  allowOverwrite: true,
  // Bundled CommonJS dependencies (commander, yaml) call require() for Node's own modules.
  banner: { js: "import { createRequire as __mcpRouteRequire } from 'node:module';\nconst require = __mcpRouteRequire(import.meta.url);" },
  external,
  plugins: [collectibleParsers],
  sourcemap: 'linked',
  ...minify,
  logLevel: 'warning',
});
