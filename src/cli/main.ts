#!/usr/bin/env node
// The mcp-route command line: thin wrappers that parse, call the library, print, exit.
// Each subcommand lives in its own file under commands/ and registers itself here.

import { Command } from 'commander';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

const program = new Command();
program
  .name('mcp-route')
  .description('A policy-driven router for MCP sampling: a transparent stdio proxy that answers sampling/createMessage.')
  .version(pkg.version, '-V, --version')
  .showHelpAfterError()
  // Usage errors exit 2, like every other "you called it wrong" in this CLI.
  .exitOverride((err) => {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
    process.exit(2);
  });

// `run` stays resident for hours inside a host, so only the subcommand being invoked is
// loaded: the proxy must not carry the other commands' dependencies (the MCP SDK's schemas
// alone are ~18 MB of RSS). Help and unknown commands load them all, in this order.
const commands: Record<string, () => Promise<(program: Command) => void>> = {
  run: async () => (await import('./commands/run.js')).registerRun,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  explain: async () => (await import('./commands/explain.js')).registerExplain,
  budgets: async () => (await import('./commands/budgets.js')).registerBudgets,
  usage: async () => (await import('./commands/usage.js')).registerUsage,
};
const invoked = process.argv[2];
// `--version` needs no subcommand at all (and scripts call it to probe the install).
const versionOnly = process.argv.length === 3 && (invoked === '--version' || invoked === '-V');
const wanted = versionOnly ? [] : invoked !== undefined && invoked in commands ? [invoked] : Object.keys(commands);
for (const name of wanted) (await commands[name]!())(program);

await program.parseAsync(process.argv);
