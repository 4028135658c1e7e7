// `mcp-route run --policy FILE -- server...` spawns the server before it loads the policy when
// an earlier start with the same policy text and environment recorded what the server's
// environment must lack (startup-cache.ts). The server then boots (a Node server takes 100 ms
// or more) while mcp-route loads and checks its policy, opens the audit file and starts the
// gateway, instead of after. Nothing of the host's is read before that is done (the proxy
// starts afterwards), so `initialize` still waits for the policy's tools setting, and no
// message reaches the server before the policy has been checked.
//
// Only modules that are small to load belong here: the point is to spawn before the policy
// loader, the proxy and their dependencies are compiled. On a miss nothing is spawned here;
// the normal start does it and records the entry for the next start.

import { readFileSync } from 'node:fs';
import type { GatewayApis } from '../gateway/apis.js';
import type { GatewayPort } from '../gateway/gateway-port.js';
import { parseDuration } from '../policy/duration.js';
import { secretForms } from '../policy/secrets.js';
import { buildChildEnv, parseEnvFlags } from '../proxy/child-env.js';
import { ChildServer } from '../proxy/child-server.js';
import type { Logger, LogLevel } from '../proxy/log.js';
import { makeNonDumpable } from '../proxy/non-dumpable.js';
import { packageVersion } from '../util/package-root.js';
import { readStartupEntry, startupCacheFile, writeStartupEntry, type StartupEntry, type StartupInputs } from './startup-cache.js';

/** Default time between closing the server's stdin and SIGTERM, and SIGTERM and SIGKILL. */
export const DEFAULT_GRACE = '2s';

/** The signals `run` passes to a server whose policy is a file: SIGHUP reloads the policy instead. */
export const FILE_POLICY_FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** The flags an early start reads; everything else waits for the normal start. */
export interface EarlyFlags {
  policy?: string | undefined;
  url?: string | undefined;
  cwd?: string | undefined;
  env: string[];
  grace: string;
}

export interface EarlyServer {
  server: ChildServer;
  /** The server's environment as spawned: the normal start compares it with what the loaded policy gives. */
  env: NodeJS.ProcessEnv;
  /** The model gateway's port, bound before the spawn since the server's environment names it. */
  gatewayPort?: GatewayPort | undefined;
  /** Hands the server's log lines so far, and from now on, to `log` (the one that redacts the policy's secrets). */
  useLog(log: Logger): void;
}

export interface EarlyStart {
  /** The server, when the cache allowed spawning it already. */
  early?: EarlyServer;
  /** Records what the loaded policy decided, for the next start; kept only if the policy file still holds the text read here. */
  remember(entry: StartupEntry): void;
}

/** A command line as `run` reads it, as far as an early start needs it. */
export interface EarlyCommandLine {
  command: string;
  args: string[];
  flags: EarlyFlags;
}

// `run`'s options (src/cli/commands/run.ts), by what they take. --url, --header and
// --header-file are not here: with them there is no server to spawn.
const VALUE_OPTIONS = new Set(['-p', '--policy', '--server-name', '--cwd', '--env', '--log-level', '--log-format', '--audit', '--metrics', '--grace']);
const FLAG_OPTIONS = new Set(['--require-policy', '--dry-run']);

/**
 * `run`'s arguments (after `run`) read before commander is even loaded, so the server can be
 * spawned first: only the plain shape hosts are configured with (known options as `--opt value`
 * or `--opt=value`, then `--`, then the server's command); undefined for anything else, which
 * then waits for commander. What commander reads is compared with this before the proxy starts
 * (takeEarlyStart), so a reading that differed would stop the server it spawned.
 */
export function readRunArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EarlyCommandLine | undefined {
  const end = argv.indexOf('--');
  if (end < 0 || end === argv.length - 1) return undefined;
  const flags: EarlyFlags = { env: [], grace: env['MCP_ROUTE_GRACE'] ?? DEFAULT_GRACE };
  for (let i = 0; i < end; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAG_OPTIONS.has(name) && eq < 0) continue;
    if (!VALUE_OPTIONS.has(name)) return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    // A value that looks like an option (or is the `--`) is where parsers differ: leave it to commander.
    if (value === undefined || i >= end || value.startsWith('-')) return undefined;
    if (name === '-p' || name === '--policy') flags.policy = value;
    else if (name === '--cwd') flags.cwd = value;
    else if (name === '--env') flags.env.push(value);
    else if (name === '--grace') flags.grace = value;
  }
  return { command: argv[end + 1]!, args: argv.slice(end + 2), flags };
}

interface PendingStart {
  line: EarlyCommandLine;
  start: Promise<EarlyStart | undefined>;
}

// The start main.ts made, for takeEarlyStart. Held on globalThis, not in this module: main.cjs
// is bundled apart from command-run.cjs, which holds `run` (scripts/bundle-cli.mjs), so each has its
// own copy of this module. Only plain data and objects used through their interfaces cross
// (no instanceof, no module state), so which copy made the start does not matter.
const PENDING = Symbol.for('mcp-route.early-start');
const slot = globalThis as { [PENDING]?: PendingStart | undefined };

/** main.ts, for `run`: spawns the server from the raw arguments when it can, before commander loads. */
export function startEarlyFromArgv(argv: readonly string[]): Promise<unknown> {
  const line = readRunArgv(argv);
  if (!line) return Promise.resolve();
  // Never fatal: whatever went wrong here, the normal start does the same work and reports it.
  const made: PendingStart = { line, start: startEarly(line.command, line.args, line.flags).catch(() => undefined) };
  slot[PENDING] = made;
  return made.start;
}

/**
 * The early start for the command line commander read: the one main.ts made when both read
 * the same, else one made now (and a server spawned from a different reading is stopped).
 */
export async function takeEarlyStart(command: string, args: string[], flags: EarlyFlags): Promise<EarlyStart | undefined> {
  const made = slot[PENDING];
  slot[PENDING] = undefined;
  if (made && sameCommandLine(made.line, { command, args, flags })) return made.start;
  const stale = await made?.start;
  stale?.early?.server.abandon();
  void stale?.early?.gatewayPort?.server.close();
  return startEarly(command, args, flags).catch(() => undefined);
}

function sameCommandLine(a: EarlyCommandLine, b: EarlyCommandLine): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.command === b.command &&
    same(a.args, b.args) &&
    a.flags.policy === b.flags.policy &&
    a.flags.cwd === b.flags.cwd &&
    same(a.flags.env, b.flags.env) &&
    a.flags.grace === b.flags.grace &&
    b.flags.url === undefined
  );
}

/** `--grace` in ms: a plain number is milliseconds. Throws on anything else. */
export function graceMsOf(flag: string): number {
  return parseDuration(/^\d+$/.test(flag) ? Number(flag) : flag);
}

/**
 * Spawns the server now when the start-up cache has an entry for exactly this policy text and
 * environment; undefined when there is no policy file to key on (the normal start reports any
 * error in the flags or the file).
 */
export async function startEarly(command: string, args: string[], flags: EarlyFlags): Promise<EarlyStart | undefined> {
  if (flags.policy === undefined || flags.url !== undefined) return undefined;
  // As in the normal start: before any key can reach a process, our /proc entries close.
  makeNonDumpable();
  let inputs: StartupInputs;
  let graceMs: number;
  try {
    const extraEnv = parseEnvFlags(flags.env);
    graceMs = graceMsOf(flags.grace);
    inputs = { version: packageVersion(), policyPath: flags.policy, text: readFileSync(flags.policy, 'utf8'), cwd: process.cwd(), env: { ...process.env, ...extraEnv } };
  } catch {
    return undefined;
  }
  const file = startupCacheFile(flags.policy, inputs.cwd);
  const remember = (entry: StartupEntry) => rememberIfUnchanged(file, inputs, entry);
  const entry = readStartupEntry(file, inputs);
  const env = entry && envFromEntry(inputs.env, entry);
  if (!entry || !env) return { remember };
  const gatewayPort = await bindGatewayFor(entry.gateway, env);
  if (gatewayPort === 'failed') return { remember };
  const log = heldLogger();
  try {
    const server = new ChildServer({
      command,
      args,
      ...(flags.cwd !== undefined ? { cwd: flags.cwd } : {}),
      env,
      log,
      graceMs,
      forwardedSignals: FILE_POLICY_FORWARDED_SIGNALS,
    });
    return { remember, early: { server, env, gatewayPort, useLog: log.attach } };
  } catch {
    // A command that cannot be spawned at all: the normal start tries again and says why.
    gatewayPort?.server.close();
    return { remember };
  }
}

/**
 * The server's environment under `entry`, or undefined when a current value could make the
 * entry wrong: the digest leaves out the values of the variables kept from the server, and a
 * secret the policy derives from one (the key itself, its token part, a Basic pair decoded)
 * may now also sit in another variable, which must then be kept out too.
 */
function envFromEntry(base: NodeJS.ProcessEnv, entry: StartupEntry): NodeJS.ProcessEnv | undefined {
  const derived = entry.strip.flatMap((name) => {
    const value = base[name];
    if (!value) return [];
    return /^[A-Za-z0-9+/=]+$/.test(value) ? [...secretForms(value), ...secretForms(`Basic ${value}`)] : secretForms(value);
  });
  const { env, stripped } = buildChildEnv(base, {}, entry.strip, derived);
  const same = stripped.length === entry.strip.length && stripped.every((name) => entry.strip.includes(name));
  return same ? env : undefined;
}

/** Binds the gateway's port when the entry says the server gets one, and names it in `env`. */
async function bindGatewayFor(apis: GatewayApis | null, env: NodeJS.ProcessEnv): Promise<GatewayPort | undefined | 'failed'> {
  if (!apis || (!apis.openai && !apis.anthropic)) return undefined;
  try {
    // Loaded only here: node:http costs the server's head start some 2.5 ms, and most
    // policies turn no gateway on.
    const { bindGatewayPort, gatewayChildEnv } = await import('../gateway/gateway-port.js');
    const port = await bindGatewayPort();
    Object.assign(env, gatewayChildEnv(port.url, port.token, apis));
    return port;
  } catch {
    return 'failed';
  }
}

function rememberIfUnchanged(file: string, inputs: StartupInputs, entry: StartupEntry): void {
  let now: string;
  try {
    now = readFileSync(inputs.policyPath, 'utf8');
  } catch {
    return;
  }
  // The policy was loaded from the file a moment after `inputs.text` was read; an edit in
  // between would pair the old text with the new policy's decision.
  if (now === inputs.text) writeStartupEntry(file, inputs, entry);
}

/** A logger that holds its lines until the real one (which knows the policy's secrets to redact) is attached. */
function heldLogger(): Logger & { attach(log: Logger): void } {
  let target: Logger | undefined;
  const held: Array<[LogLevel, string]> = [];
  const at = (level: LogLevel) => (message: string) => (target ? target[level](message) : void held.push([level, message]));
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    enabled: (level) => target?.enabled(level) ?? true,
    attach(log) {
      target = log;
      for (const [level, message] of held.splice(0)) log[level](message);
    },
  };
}
