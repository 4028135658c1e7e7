#!/usr/bin/env node
// The `mcp-route` bin. For `run`, spawns the server before anything else loads when the
// start-up cache allows it (early-start.ts): even commander, which would cost the server its
// head start. Bundled on its own as CommonJS, dist/cli/main.cjs, with everything the early
// start needs and no other file to read (scripts/bundle-cli.mjs): every module read and
// evaluated before the spawn is time the server has not started booting. The command line
// itself (cli.ts: commander, then the invoked subcommand, each a CommonJS file of its own)
// loads afterwards. dist/cli/main.js, the path the docs and older host configurations name,
// loads this same file.
// No top-level await here: CommonJS has none.

import { startEarlyFromArgv } from './early-start.js';

async function main(): Promise<void> {
  if (process.argv[2] === 'run') {
    await startEarlyFromArgv(process.argv.slice(3));
  }
  await (await import('./cli.js')).runCli();
}

// As an error thrown by a top-level await would be: its stack on stderr, exit code 1 (and the
// 'exit' handlers run: a server spawned early is killed with its group).
main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
