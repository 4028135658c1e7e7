// Bundles the CLI into dist/cli/ after tsc has built dist/ (the library, which stays
// unbundled). Why: a host spawns one mcp-route per server and waits for it, and loading the CLI
// as some 150 modules of ours and 100 of its dependencies' cost more than running them
// (resolving, reading and compiling each file). Three kinds of output, all CommonJS:
// main.cjs, the bin, one file with all `run` needs to spawn its server early; cli.cjs, the
// command line (commander and the table of subcommands); and command-<name>.cjs, one file per
// subcommand with everything it uses. A subcommand's own lazy parts (the router at the first
// sampling request, the gateway, the stores' glue) are in its file as code that runs when first
// imported (esbuild's lazy module wrappers), so they cost parsing, not running, until used.
// CommonJS, not ES modules: Node sets up its ES module loader (some 20 of its own modules and
// their compiled code) for the first ES module it loads, and keeps it: about 0.9 MiB of an
// idle router's resident memory (README, Start-up). Packages kept outside the bundle (below)
// are required through their CommonJS entries for the same reason.
// Files sit flat beside main.cjs, two levels below the package root like every module in
// dist/<folder>/, so paths relative to a module (src/util/package-root.ts, the native addon)
// still hold. Dependencies that load late or are large stay outside the bundle, loaded from
// node_modules when first used: the provider SDKs, the MCP SDK, telemetry, stores, tokenizers,
// and cross-spawn (used on Windows only).
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

/** main.ts loads the command line as the separate file cli.cjs, not as code of its own. */
const cliAsExternal = {
  name: 'cli-as-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\.js$/ }, () => ({ path: './cli.cjs', external: true }));
  },
};

/** The subcommands cli.ts imports, by name, as its build resolves them. */
const commandNames = new Set();
/** cli.ts loads each subcommand as its own file, command-<name>.cjs. */
const commandsAsFiles = {
  name: 'commands-as-files',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => {
      const name = /([\w-]+)\.js$/.exec(args.path)[1];
      commandNames.add(name);
      return { path: `./command-${name}.cjs`, external: true };
    });
  },
};

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist/cli`;
// What earlier builds left (ES module chunks) and this one remakes. (cli.js and its map are
// tsc's again, written just before this runs.)
for (const name of readdirSync(outdir)) if (/^(bundle-|command-)/.test(name)) rmSync(`${outdir}/${name}`);
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
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir,
  outExtension: { '.js': '.cjs' },
  allowOverwrite: true,
  // "use strict" first: the directive esbuild emits comes after the banner, where it is not one,
  // and the code was written for ES modules, which are always strict. import.meta.url, which
  // package-root.ts, the native addons' loaders and the policy parsers' shim resolve files
  // against, is the bundle file's URL.
  banner: { js: "'use strict';\nconst __mcpRouteUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__mcpRouteUrl' },
  // import() as require(), of another bundle file (cli.cjs, command-*.cjs), of Node's own
  // modules and of the packages kept outside: an import() would start the ES module loader.
  // Every one of those packages has a CommonJS entry (a require condition or main).
  supported: { 'dynamic-import': false },
  external,
  sourcemap: 'linked',
  ...minify,
  logLevel: 'warning',
};

// The command line: commander and the table of subcommands, each loaded from its own file.
await build({ ...common, entryPoints: { cli: `${root}src/cli/cli.ts` }, plugins: [commandsAsFiles] });

// One file per subcommand cli.ts imports, with everything it uses. The few modules several
// subcommands use are in each of their files; a process loads one of them (help loads them
// all, to list them).
await build({
  ...common,
  entryPoints: Object.fromEntries([...commandNames].map((name) => [`command-${name}`, `${root}src/cli/commands/${name}.ts`])),
  plugins: [collectibleParsers],
});

// The bin: one file with everything `run` needs to spawn its server early (src/cli/main.ts),
// then cli.cjs. Not split: every file is one more to read and compile before the spawn (per
// file, not per byte: the code is some 15 KB), which cost the server about 35 ms of its head
// start on a 2-core machine. The few modules both sides use (spawning and stopping the
// server, the child's environment) are in both copies.
await build({ ...common, entryPoints: { main: `${root}src/cli/main.ts` }, plugins: [cliAsExternal, collectibleParsers] });

// dist/cli/main.js: the path the docs, the tests and existing host configurations name. It
// loads main.cjs through require (one file, no ES-to-CommonJS translation).
writeFileSync(
  `${outdir}/main.js`,
  "#!/usr/bin/env node\n// The mcp-route CLI as an ES module path; the bin is main.cjs (see scripts/bundle-cli.mjs).\nimport { createRequire } from 'node:module';\n\ncreateRequire(import.meta.url)('./main.cjs');\n",
);
rmSync(`${outdir}/main.js.map`, { force: true });
