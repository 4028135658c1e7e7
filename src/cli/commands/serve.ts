// `mcp-route serve [options] -- command args...`: the wrapped stdio server as a Streamable HTTP
// endpoint at /mcp, one child per session, sampling answered by the policy. Shares every part
// of its start-up with `run` (runRouted); only the host side differs.

import type { Command } from 'commander';
import { runRouted, type RunFlags } from './run-routed.js';
import { parseDuration } from '../../policy/duration.js';

interface ServeFlags extends RunFlags {
  host: string;
  port: string;
  maxSessions: string;
  idleTimeout: string;
  allowHost: string[];
  allowOrigin: string[];
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve an MCP stdio server over Streamable HTTP at /mcp: one child per session, sampling answered by the policy')
    .argument('<command>', 'the server command (after --)')
    .argument('[args...]', 'its arguments')
    .option('-p, --policy <file>', 'policy file (default: discovered, see README)')
    .option('--host <address>', 'address to listen on (beyond loopback needs MCP_ROUTE_SERVE_TOKEN)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', '8080')
    .option('--max-sessions <n>', 'open sessions at most; more get 503', '32')
    .option('--idle-timeout <duration>', 'end a session (and its child) after this long without a request', '15m')
    .option('--allow-host <host[:port]>', 'also accept this Host header (behind a reverse proxy; repeatable)', collect, [] as string[])
    .option('--allow-origin <origin>', 'also accept this Origin (repeatable)', collect, [] as string[])
    .option('--server-name <name>', 'name rules and budgets match on (default: the serverInfo.name each session reports)')
    .option('--cwd <dir>', 'working directory of the server')
    .option('--env <NAME=VALUE>', 'extra environment variable for the server (repeatable)', collect, [] as string[])
    .option('--log-level <level>', 'error | warn | info | debug (stderr only)', 'warn')
    .option('--log-format <format>', 'text | json', process.env.MCP_ROUTE_LOG_FORMAT ?? 'text')
    .option('--dry-run', 'answer every sampling request with the routing decision; call no provider')
    .option('--audit <file>', "audit file (overrides the policy's audit.path)")
    .option('--metrics <[host:]port>', 'also serve /metrics on a separate address (it is always at /metrics on the serve port)')
    .option('--grace <duration>', 'wait this long after closing a child before SIGTERM, and again before SIGKILL', '2s')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-route serve --policy prod.yaml --port 8080 -- node server.js
  $ MCP_ROUTE_SERVE_TOKEN=$(openssl rand -hex 32) mcp-route serve --host 0.0.0.0 -- npx @modelcontextprotocol/server-everything
`,
    )
    .action(async (command: string, args: string[], flags: ServeFlags) => {
      let port: number;
      let idleTimeoutMs: number;
      let maxSessions: number;
      try {
        port = Number(flags.port);
        maxSessions = Number(flags.maxSessions);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, not "${flags.port}"`);
        if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new Error(`--max-sessions must be a positive integer, not "${flags.maxSessions}"`);
        idleTimeoutMs = parseDuration(flags.idleTimeout);
      } catch (err) {
        process.stderr.write(`mcp-route serve: ${(err as Error).message}\n`);
        process.exit(2);
      }
      const token = process.env.MCP_ROUTE_SERVE_TOKEN || undefined;
      const code = await runRouted(command, args, flags, {
        host: flags.host,
        port,
        ...(token ? { token } : {}),
        maxSessions,
        idleTimeoutMs,
        allowedHosts: flags.allowHost,
        allowedOrigins: flags.allowOrigin,
      });
      process.exit(code);
    });
}
