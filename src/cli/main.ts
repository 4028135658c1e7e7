#!/usr/bin/env node
// The `mcp-route` bin. For `run`, spawns the server before anything else loads when the
// start-up cache allows it (early-start.ts): even commander, which would cost the server its
// head start. This file is bundled on its own, with everything the early start needs and no
// chunk to fetch (scripts/bundle-cli.mjs): each module the ES loader reads, links and
// evaluates before the spawn is time the server has not started booting. The command line
// itself (cli.ts, commander and the subcommands) loads afterwards, split into chunks.

import { startEarlyFromArgv } from './early-start.js';
import { holdOptimizingCompiler } from './startup-tiering.js';

if (process.argv[2] === 'run') {
  await startEarlyFromArgv(process.argv.slice(3));
  // Off the server's path (spawned above when it could be): no optimising compiler during start-up.
  holdOptimizingCompiler();
}
await import('./cli.js');
