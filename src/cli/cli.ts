// The mcp-route command line: thin wrappers that parse, call the library, print, exit.
// Each subcommand lives in its own file under commands/ and registers itself here. Run by
// main.ts (the bin) once `run` has spawned its server when it could. A function, not top-level
// code: the bundle is CommonJS (scripts/bundle-cli.mjs), which has no top-level await.

import type { Command as CommandType } from 'commander';
import { packageVersion } from '../util/package-root.js';

// `run` stays resident for hours inside a host, so only the subcommand being invoked is
// loaded: the proxy must not carry the other commands' dependencies (the MCP SDK's schemas
// alone are ~18 MB of RSS). Help and unknown commands load them all, in this order.
const commands: Record<string, () => Promise<(program: CommandType) => void>> = {
  run: async () => (await import('./commands/run.js')).registerRun,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  explain: async () => (await import('./commands/explain.js')).registerExplain,
  budgets: async () => (await import('./commands/budgets.js')).registerBudgets,
  usage: async () => (await import('./commands/usage.js')).registerUsage,
  init: async () => (await import('./commands/init.js')).registerInit,
  models: async () => (await import('./commands/models.js')).registerModels,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  auth: async () => (await import('./commands/auth.js')).registerAuth,
};

/** Parses process.argv and runs the subcommand it names. */
export async function runCli(): Promise<void> {
  const pkg = { version: packageVersion() };
  const invoked = process.argv[2];
  // `--version` needs no subcommand at all (and scripts call it to probe the install).
  // `-V` stays as an alias of `-v` for the scripts written before `-v` existed.
  if (process.argv.length === 3 && (invoked === '--version' || invoked === '-v' || invoked === '-V')) {
    process.stdout.write(`${pkg.version}\n`);
    process.exit(0);
  }

  const { Command } = await import('commander');
  const program = new Command();
  program
    .name('mcp-route')
    .description('A policy-driven router for MCP sampling: a transparent stdio proxy that answers sampling/createMessage.')
    .version(pkg.version, '-v, --version')
    .showHelpAfterError()
    // Usage errors exit 2, like every other "you called it wrong" in this CLI.
    .exitOverride((err) => {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
      if (err.code === 'commander.unknownOption' && invoked === 'run' && !process.argv.includes('--')) {
        // `mcp-route run npx -y server` reads `-y` as ours: the usual slip, so name the fix.
        process.stderr.write('hint: options after the server command belong to the server; put `--` before it: mcp-route run [options] -- <command> [its arguments and options]\n');
      }
      process.exit(2);
    });

  // Own keys only: `mcp-route constructor` is an unknown command, not Object.prototype's.
  const wanted = invoked !== undefined && Object.hasOwn(commands, invoked) ? [invoked] : Object.keys(commands);
  for (const name of wanted) (await commands[name]!())(program);

  if (invoked === undefined) {
    // No command is a usage slip, not a request for help: show what there is, on stdout where a
    // pager or `| less` sees it, and fail so a script that lost its arguments notices.
    program.outputHelp();
    process.exit(1);
  }
  await program.parseAsync(process.argv);
}
