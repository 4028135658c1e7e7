// `mcp-route run` without the CLI: the same stdio proxy (src/proxy/proxy.ts), started from
// code with a policy object, and a handle to wait for the server's exit or to close it. The
// host side defaults to this process's stdin/stdout, like the CLI; tests and supervisors
// pass their own streams.

import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { RouterOptions, SamplingOutcome } from '../router/types.js';
import type { Policy } from '../policy/types.js';
import { openProxyAudit, routedProxyOptions, serverEnv } from '../proxy/proxy-setup.js';
import { createLogger, type LogLevel } from '../proxy/log.js';
import { runProxy } from '../proxy/proxy.js';
import { createRedactor } from '../redact.js';
import { createRouter } from '../router/router.js';
import { missingServerName } from '../policy/server-identity.js';
import { loadPolicy, type PolicyInput } from './policy-input.js';

export interface StartProxyOptions {
  /** The MCP server to spawn. */
  command: string;
  args?: string[];
  /** A policy file path, a policy document object, or a loaded Policy. */
  policy: PolicyInput;
  cwd?: string;
  /**
   * The server's environment. Default: this process's. Either way every variable the policy
   * reads a credential from (and any variable holding a secret) is removed first.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * The trusted name rules and budgets match on; default: the `serverInfo.name` the server
   * reports (chosen by the server). Required when the policy sets `requireServerName`.
   */
  serverName?: string;
  /** The host side. Default: `process.stdin` / `process.stdout`. */
  input?: Readable;
  output?: Writable;
  /** Proxy log lines (already redacted, newline-terminated). Default: stderr. */
  log?: (line: string) => void;
  /** Default `warn`. */
  logLevel?: LogLevel;
  /** Audit file; default: the policy's `audit.path`, if any. */
  audit?: string;
  /** Called once per sampling request, after the audit line is written. */
  onOutcome?: (outcome: SamplingOutcome) => void;
  /** Passed to the router (e.g. a shared `budgetGate`). */
  router?: Pick<RouterOptions, 'budgetGate' | 'now'>;
  /** ms between closing the server's stdin and SIGTERM, and between SIGTERM and SIGKILL. Default 2000. */
  graceMs?: number;
  /** Pass SIGINT/SIGTERM/SIGHUP received by this process on to the server. Default false. */
  forwardSignals?: boolean;
}

export interface ProxyHandle {
  /** Resolves with the server's exit code (128+n when killed by signal n; 127 when it could not start). */
  readonly exited: Promise<number>;
  /**
   * Ends the host side: the server's stdin is closed, then SIGTERM and SIGKILL follow after
   * `graceMs` each if it lingers. Resolves like `exited`.
   */
  close(): Promise<number>;
}

/**
 * Spawns `command` behind the proxy and answers its sampling under `policy`. Throws
 * `PolicyError` at once when the policy is invalid (TypeError when it requires a `serverName`
 * and none is given); a server that cannot start is reported
 * through `exited` (127), as `run` reports it.
 */
export function startProxy(options: StartProxyOptions): ProxyHandle {
  const policy: Policy = loadPolicy(options.policy);
  const unnamed = missingServerName(policy, options.serverName, 'pass the serverName option');
  if (unnamed) throw new TypeError(`mcp-route: ${unnamed}`);
  const redact = createRedactor(policy.secrets);
  const logger = createLogger(options.logLevel ?? 'warn', redact, options.log);
  const audit = openProxyAudit(options.audit ?? policy.audit.path, policy, redact, logger);
  const { env } = serverEnv(policy, options.env ?? process.env);

  // The proxy ends when its input ends; routing the host's input through a stream we own
  // lets close() end it without ending (or destroying) the caller's stream.
  const source = options.input ?? process.stdin;
  const input = new PassThrough();
  source.pipe(input);
  let closed = false;
  const endInput = () => {
    if (closed) return;
    closed = true;
    source.unpipe(input);
    input.end();
  };

  const base = { command: options.command, args: options.args ?? [], cwd: options.cwd, env, log: logger, redact, serverName: options.serverName, graceMs: options.graceMs ?? 2000 };
  const onOutcome = (outcome: SamplingOutcome) => {
    audit?.write(outcome);
    options.onOutcome?.(outcome);
  };
  const exited = runProxy({
    ...routedProxyOptions(policy, base, (extras) => createRouter(policy, { ...options.router, ...extras, log: logger, onOutcome })),
    input,
    output: options.output ?? process.stdout,
    forwardSignals: options.forwardSignals ?? false,
  }).finally(() => {
    endInput();
    audit?.close();
  });

  return {
    exited,
    close() {
      endInput();
      return exited;
    },
  };
}
