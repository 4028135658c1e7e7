#!/usr/bin/env node
// The mcp-route command line: thin wrappers that parse, call the library, print, exit.
// Each subcommand lives in its own file under commands/ and registers itself here.

import { Command } from 'commander';
import { createRequire } from 'node:module';
import { registerLint } from './commands/lint.js';
import { registerExplain } from './commands/explain.js';
import { registerRun } from './commands/run.js';
import { registerBudgets } from './commands/budgets.js';

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

registerRun(program);
registerLint(program);
registerExplain(program);
registerBudgets(program);

await program.parseAsync(process.argv);
