// `mcp-route run [options] -- command args...`: load the policy, spawn the server behind the
// stdio proxy, answer its sampling requests, exit with the server's code. Only the command line
// is here, so that `run` starts with little loaded: the server may be spawned at once
// (early-start.ts), and the rest (run-routed.ts, with the policy loader and the proxy) loads
// while it boots.

import type { Command } from 'commander';
import { DEFAULT_GRACE, takeEarlyStart } from '../early-start.js';
import type { RunFlags } from './run-routed.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an MCP server behind mcp-route: every message passes through, sampling is answered by the policy')
    .argument('[command]', 'the server command (after --); or --url')
    .argument('[args...]', 'its arguments')
    .option('-p, --policy <file>', 'policy file (default: discovered, see README)')
    .option('--url <url>', 'a remote MCP server over Streamable HTTP, instead of a command')
    .option('--header <Name: value>', 'HTTP header for --url, ${VAR} expanded from the environment (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--header-file <file>', "headers for --url, one 'Name: value' per line")
    .option('--server-name <name>', 'the trusted name rules and budgets match on (default: the serverInfo.name the server reports, which the server chooses)')
    .option('--cwd <dir>', 'working directory of the server')
    .option('--env <NAME=VALUE>', 'extra environment variable for the server (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--log-level <level>', 'error | warn | info | debug (stderr only; default $MCP_ROUTE_LOG_LEVEL or warn)', process.env['MCP_ROUTE_LOG_LEVEL'] || 'warn')
    .option('--log-format <format>', 'text | json (one JSON object per line on stderr)', process.env.MCP_ROUTE_LOG_FORMAT ?? 'text')
    .option('--require-policy', 'refuse to start when no policy file is found (also MCP_ROUTE_REQUIRE_POLICY=1), instead of using the built-in default')
    .option('--dry-run', 'answer every sampling request with an error carrying the routing decision; call no provider')
    .option('--audit <file>', "audit file (overrides the policy's audit.path)")
    .option('--metrics <[host:]port>', 'serve Prometheus metrics at http://host:port/metrics (host defaults to 127.0.0.1)', process.env.MCP_ROUTE_METRICS)
    .option('--grace <duration>', 'wait this long after closing the server before SIGTERM, and again before SIGKILL', process.env.MCP_ROUTE_GRACE ?? DEFAULT_GRACE)
    .addHelpText('after', "\nExamples:\n  mcp-route run --policy prod.yaml -- node server.js\n  mcp-route run --url https://mcp.example.com/mcp --header 'Authorization: Bearer ${TOKEN}'\n")
    .action(async (command: string | undefined, args: string[], flags: RunFlags) => {
      const code = await run(command, args, flags);
      // Exit explicitly once stdout has flushed: a store connection or a host that keeps our
      // stdin open must not keep a finished proxy alive.
      const exit = () => process.exit(code);
      setTimeout(exit, 1000).unref();
      process.stdout.write('', exit);
    });
}

async function run(command: string | undefined, args: string[], flags: RunFlags): Promise<number> {
  const usage = runTargetError(command, flags);
  if (usage) {
    process.stderr.write(`mcp-route: ${usage}\n`);
    return 2;
  }
  // A server command (not --url): spawned now when the start-up cache knows its environment.
  const early = command !== undefined ? await takeEarlyStart(command, args, flags) : undefined;
  const { runRouted } = await import('./run-routed.js');
  return runRouted(command ?? '', args, flags, undefined, early);
}

/** Exactly one of a command and --url; headers only with --url; only http(s) URLs. */
function runTargetError(command: string | undefined, flags: RunFlags): string | undefined {
  if (flags.url === undefined) {
    if (flags.header?.length || flags.headerFile !== undefined) return '--header and --header-file need --url';
    return command === undefined ? 'give the server command after --, or --url URL for a remote server' : undefined;
  }
  if (command !== undefined) return 'give either --url or a server command after --, not both';
  let url: URL;
  try {
    url = new URL(flags.url);
  } catch {
    return `--url expects an http:// or https:// URL, not "${flags.url}"`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--url expects an http:// or https:// URL, not ${url.protocol}`;
  return undefined;
}
