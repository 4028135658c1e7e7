// What `mcp-route run` and `serve` do once the command line is parsed: load the policy, open
// the audit file, start the gateway, metrics and reload, and run the proxy. Thin: the work is
// in src/proxy and src/audit; the router is imported only when the first sampling request
// arrives, so an idle proxy never loads provider SDKs.

import type { SamplingOutcome } from '../../router/types.js';
import { loadPolicyFile } from '../../policy/load.js';
import { commandPolicy, reportCommandError } from '../command-policy.js';
import { restrictUntrustedPolicy, type DiscoveredPolicy } from '../../policy/discover.js';
import type { Policy } from '../../policy/types.js';
import { createRedactor, redactValue } from '../../redact.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { parseEnvFlags } from '../../proxy/child-env.js';
import { openProxyAudit, routedProxyOptions, serverEnv } from '../../proxy/proxy-setup.js';
import { createLogger, isLogFormat, isLogLevel, type LogFormat, type Logger, type LogLevel } from '../../proxy/log.js';
import { makeNonDumpable } from '../../proxy/non-dumpable.js';
import { runProxy } from '../../proxy/proxy.js';
import { releaseMemoryOnceIdle } from '../../util/release-memory.js';
import { tierUpSooner } from '../../util/engine.js';
import { WIRE_REFUSED, type WireError } from '../../proxy/wire-errors.js';
import { UNITLESS_DURATION_LIMIT } from '../../policy/foreign-habits.js';
import { policyMayAllowTools } from '../../policy/may-allow-tools.js';
import { createLiveRouters, type LiveRouters } from '../../reload/live-routers.js';
import { watchPolicyFile, type PolicyWatcher } from '../../reload/watch-policy.js';
import { existsSync } from 'node:fs';
import { packageVersion } from '../../util/package-root.js';
import type { PrometheusMetrics } from '../../telemetry/prometheus.js';
import type { Telemetry } from '../../telemetry/otel.js';
import { gatewayApis, type GatewayApis } from '../../gateway/apis.js';
import type { GatewayPort } from '../../gateway/gateway-port.js';
import type { ChildServer } from '../../proxy/child-server.js';
import { FILE_POLICY_FORWARDED_SIGNALS, graceMsOf, type EarlyServer, type EarlyStart } from '../early-start.js';
import type { Gateway } from '../../gateway/gateway.js';
import { basename } from 'node:path';
import { BUILTIN_DEFAULT_SOURCE } from '../../policy/discover.js';
import { createOutcomeWarner, isTruthyEnv, startupWarnings } from '../startup.js';
import { missingServerName } from '../../policy/server-identity.js';
import type { Router } from '../../router/types.js';
import type { ServeHandle, ServeOptions } from '../../transports/serve.js';
import { loadRemoteHeaders, type RemoteHeaders } from '../../transports/remote-headers.js';
import type { AuthProvider, OAuthClientProvider } from '@modelcontextprotocol/client';
import type { ChildProxyOptions } from '../../proxy/proxy.js';

export interface RunFlags {
  policy?: string;
  serverName?: string;
  cwd?: string;
  env: string[];
  logLevel: string;
  logFormat: string;
  requirePolicy?: boolean;
  dryRun?: boolean;
  audit?: string;
  grace: string;
  metrics?: string;
  /** `run --url`: a remote server over Streamable HTTP instead of a command. */
  url?: string;
  header?: string[];
  headerFile?: string;
  /** For --url: OAuth or another token source handed to the HTTP transport (not a command-line flag). */
  authProvider?: AuthProvider | OAuthClientProvider;
}

/** `serve` mode: the same start-up, then an HTTP endpoint with one child per session. */
export interface ServeMode {
  host: string;
  port: number;
  token?: string;
  maxSessions: number;
  idleTimeoutMs: number;
  allowedHosts: string[];
  allowedOrigins: string[];
}
/** Everything `run` and `serve` share: policy, logs, audit, child env, routers, gateway, telemetry, reload. */
export async function runRouted(command: string, args: string[], flags: RunFlags, serve?: ServeMode, earlyStart?: EarlyStart): Promise<number> {
  // First, before any key is resolved or the server exists: our /proc entries become
  // unreadable to a same-user server (see the README's Security section).
  const hardened = makeNonDumpable();
  // A server spawned early (early-start.ts) must not outlive a start that fails.
  const early = earlyStart?.early;
  const fail = (code: number) => {
    early?.server.abandon();
    void early?.gatewayPort?.server.close();
    return code;
  };
  const start = parseStartFlags(flags);
  if (typeof start === 'number') return fail(start);
  const found = loadRunPolicy(flags);
  if (typeof found === 'number') return fail(found);
  const { policy, trusted } = found;

  // Reloads may add secrets; a removed one may still appear in late lines, so the set only grows.
  const secrets = new Set([...policy.secrets, ...(start.remoteHeaders?.secrets ?? [])]);
  let redactNow = createRedactor([...secrets]);
  const redact = (text: string) => redactNow(text);
  const log = createLogger(flags.logLevel as LogLevel, redact, undefined, flags.logFormat as LogFormat);
  early?.useLog(log);
  announceStart(log, found, hardened);

  const audit = openRunAudit(flags.audit ?? policy.audit.path, policy, redact, log);
  if (audit === 'failed') return fail(1);
  const { env, stripped } = serverEnv(policy, process.env, start.extraEnv);
  reportStripped(log, stripped, start.extraEnv);
  const metricsAddress = listenAddress(flags.metrics, log);
  if (metricsAddress === 'failed') return fail(2);

  // Telemetry loads (its SDK only when OTEL_* variables ask for it) once the server is spawned.
  const sinks: OutcomeSinks = { log, audit, telemetry: Promise.resolve(undefined), policy: () => routers.policy };
  const onOutcome = outcomeRecorder(sinks);
  const routers = createLiveRouters(policy, { onOutcome, log });
  let reportedName: string | undefined;
  // The gateway serves a spawned child; a remote server cannot reach it.
  const apis = gatewayApis(policy.gateway, stripped);
  // The gateway serves a spawned child; a remote server cannot reach it (see noGatewayForRemote).
  const gateway =
    flags.url === undefined
      ? await startRunGateway(apis, env, { log, routers, serverName: () => flags.serverName ?? reportedName ?? basename(command), port: early?.gatewayPort })
      : noGatewayForRemote(policy, log);
  if (gateway === 'failed') {
    audit?.close();
    return fail(1);
  }
  // A port bound early for a gateway the policy turned out not to want.
  if (!gateway) void early?.gatewayPort?.server.close();
  const metrics = metricsAddress || serve ? await startMetrics(metricsAddress, serve !== undefined, routers, log, flags.metrics) : undefined;
  if (metrics === 'failed') return fail(1);
  sinks.prometheus = metrics?.prometheus;

  // A policy from a file is live: edits and SIGHUP reload it (the built-in default has no file).
  const reload = existsSync(policy.source)
    ? watchRunPolicy(policy, trusted, log, (next) => {
        for (const s of next.secrets) secrets.add(s);
        redactNow = createRedactor([...secrets]);
        routers.swap(next);
      })
    : undefined;

  // --dry-run answers from the routing decision; its formatting loads only when asked for.
  const dryRun = flags.dryRun ? dryRunAnswer(await import('../../routing/explain-format.js'), policy, onOutcome, redact) : undefined;
  // One set of proxy options; `serve` runs one proxy per HTTP session, `run` one over stdio.
  const proxyOptions = {
    ...routedProxyOptions(policy, { command, args, cwd: flags.cwd, env, log, redact, serverName: flags.serverName, graceMs: start.graceMs }, (extras) => routers.forProxy(extras)),
    ...(dryRun ? { dryRun } : {}),
  };
  const onServerName = (name: string) => {
    reportedName = name;
  };
  const spawned = early ? earlyServerIfRight(early, env, reload !== undefined, log) : undefined;
  const running = serve
    ? serveUntilSignalled({ ...serve, ...proxyOptions, ...(metrics ? { metrics: metrics.prometheus } : {}) })
    : flags.url !== undefined
      ? runRemote(new URL(flags.url), start.remoteHeaders ?? { headers: {}, secrets: [] }, flags.authProvider, { ...proxyOptions, onServerName }, () => routers.policy.defaults.deadline)
      : spawned
        ? runProxy({ ...coreProxyOptions(proxyOptions), server: spawned, onServerName })
        : runProxy({
            ...proxyOptions,
            onServerName,
            forwardSignals: true,
            // With a live policy, SIGHUP means "reload" (as for most daemons), not "pass to the server".
            forwardedSignals: reload ? FILE_POLICY_FORWARDED_SIGNALS : ['SIGINT', 'SIGTERM', 'SIGHUP'],
          });
  // The next start may spawn the server before loading the policy (early-start.ts).
  if (!spawned) earlyStart?.remember({ strip: stripped, gateway: gateway ? apis : null });
  // The server is spawned (runProxy does so before it returns): what is not needed to start
  // it loads while it boots, rather than before.
  sinks.telemetry = startTelemetryLazily(log);
  releaseMemoryOnceIdle(log);
  // In a turn of its own, off the synchronous start: loading the addon takes about 1 ms (src/util/engine.ts).
  setImmediate(() => log.debug(`JIT tier-up budget: ${tierUpSooner()}`));
  const code = await running;
  reload?.close();
  metrics?.prometheus.setSessions(0);
  await Promise.allSettled([gateway?.close(), metrics?.server?.close(), sinks.telemetry.then((t) => t?.shutdown())]);
  await routers.close();
  audit?.close();
  return code;
}

/**
 * The server spawned early when its environment is exactly the one the loaded policy gives;
 * otherwise (the cache was stale, the policy file changed meanwhile) it is killed before the
 * proxy starts, so before it receives a single message, and undefined says to spawn again.
 */
function earlyServerIfRight(early: EarlyServer, env: NodeJS.ProcessEnv, live: boolean, log: Logger): ChildServer | undefined {
  const names = Object.keys(env);
  const same = names.length === Object.keys(early.env).length && names.every((name) => early.env[name] === env[name]);
  // `live`: the policy file is still there to watch. The early server forwards SIGINT and SIGTERM
  // only, as a server under a live policy does; without one it would also need SIGHUP.
  if (same && live) {
    log.debug('the server was spawned before the policy was loaded (start-up cache; the environment matches the policy)');
    return early.server;
  }
  const why = same ? 'the policy file is gone' : 'the start-up cache did not match the policy';
  log.warn(`${why}: the server started early is stopped and started again`);
  early.server.abandon();
  return undefined;
}

/** The options of a proxy whose server side is given: without those that spawn one. */
function coreProxyOptions(options: ChildProxyOptions): Omit<ChildProxyOptions, 'command' | 'args' | 'env' | 'cwd'> {
  const { command: _command, args: _args, env: _env, cwd: _cwd, ...core } = options;
  return core;
}

/** Which credentials the server does not get, and each --env that asked for one anyway. */
function reportStripped(log: Logger, stripped: string[], extraEnv: Record<string, string>): void {
  if (stripped.length) log.info(`not passed to the server (credentials): ${stripped.join(', ')}`);
  for (const name of Object.keys(extraEnv)) {
    if (stripped.includes(name)) log.warn(`--env ${name} is a credential the policy reads; it is not passed to the server`);
  }
}

function openRunAudit(path: string | undefined, policy: Policy, redact: (text: string) => string, log: Logger): AuditLog | undefined | 'failed' {
  try {
    return openProxyAudit(path, policy, redact, log);
  } catch (err) {
    log.error(`cannot open the audit file ${path}: ${(err as Error).message}`);
    return 'failed';
  }
}

/** --metrics as an address, or 'failed' (said in the log) when it is not one. */
function listenAddress(flag: string | undefined, log: Logger): { host: string; port: number } | undefined | 'failed' {
  try {
    return flag === undefined ? undefined : parseListenAddress(flag);
  } catch (err) {
    log.error((err as Error).message);
    return 'failed';
  }
}

/** The flags checked before anything starts: log level and format, --env, --grace, --url's headers. A usage error is exit code 2. */
function parseStartFlags(flags: RunFlags): { extraEnv: Record<string, string>; graceMs: number; remoteHeaders?: RemoteHeaders | undefined } | number {
  const bootLog = createLogger('warn');
  if (!isLogLevel(flags.logLevel)) {
    const from = process.argv.some((a) => a === '--log-level' || a.startsWith('--log-level=')) ? '--log-level' : 'MCP_ROUTE_LOG_LEVEL';
    bootLog.error(`${from} must be error, warn, info or debug, not "${flags.logLevel}"`);
    return 2;
  }
  if (!isLogFormat(flags.logFormat)) {
    bootLog.error(`--log-format must be text or json, not "${flags.logFormat}"`);
    return 2;
  }
  let extraEnv: Record<string, string>;
  let graceMs: number;
  try {
    extraEnv = parseEnvFlags(flags.env);
    graceMs = graceMsOf(flags.grace);
  } catch (err) {
    bootLog.error((err as Error).message);
    return 2;
  }
  // `--grace 2` is 2 ms, which is never what was meant: the same rule as lint's duration-without-unit.
  if (/^\s*\d+(\.\d+)?\s*$/.test(flags.grace) && graceMs > 0 && graceMs < UNITLESS_DURATION_LIMIT) {
    const from = process.argv.some((a) => a === '--grace' || a.startsWith('--grace=')) ? '--grace' : 'MCP_ROUTE_GRACE';
    bootLog.warn(`${from} ${flags.grace.trim()} is ${graceMs} ms; write ${graceMs}s for seconds, or ${graceMs}ms to keep milliseconds`);
  }
  let remoteHeaders: RemoteHeaders | undefined;
  try {
    if (flags.url !== undefined) remoteHeaders = loadRemoteHeaders(flags.header ?? [], flags.headerFile, process.env);
  } catch (err) {
    bootLog.error((err as Error).message);
    return 2;
  }
  return { extraEnv, graceMs, remoteHeaders };
}

/** The policy `run` starts with (commandPolicy), or the exit code when there is none it may use. */
function loadRunPolicy(flags: RunFlags): DiscoveredPolicy | number {
  let found: DiscoveredPolicy;
  try {
    found = commandPolicy(flags.policy);
  } catch (err) {
    return reportCommandError('mcp-route', err);
  }
  const builtin = found.policy.source === BUILTIN_DEFAULT_SOURCE;
  if (builtin && (flags.requirePolicy || isTruthyEnv(process.env['MCP_ROUTE_REQUIRE_POLICY']))) {
    const by = flags.requirePolicy ? '--require-policy' : 'MCP_ROUTE_REQUIRE_POLICY';
    reportCommandError('mcp-route', new Error(`no policy file found (looked for ${found.searched.join(', ')}), and ${by} refuses the built-in default; pass --policy FILE or set MCP_ROUTE_POLICY`));
    return 1;
  }
  const unnamed = missingServerName(found.policy, flags.serverName);
  if (unnamed) {
    createLogger('warn').error(unnamed);
    return 2;
  }
  return found;
}

/** The lines an operator must see at start, where they look (the server log). */
function announceStart(log: Logger, found: DiscoveredPolicy, hardened: ReturnType<typeof makeNonDumpable>): void {
  const { policy } = found;
  log.info(`policy ${policy.source}`);
  // Hosts start servers in their own working directory, so "no file found" is the usual way a
  // reviewed policy silently stops applying.
  for (const line of startupWarnings(policy, found.searched)) log.warn(line);
  for (const warning of found.warnings) log.warn(warning);
  if (!hardened.ok && process.platform === 'linux' && (policy.secrets.length > 0 || policy.credentialEnv.some((name) => process.env[name]))) {
    log.warn(`the server can read mcp-route's environment (and the keys in it) through /proc/${process.pid}/environ: ${hardened.reason}`);
  }
}

/** Where every outcome goes; the metrics and telemetry join once they have started. */
interface OutcomeSinks {
  log: Logger;
  audit: AuditLog | undefined;
  prometheus?: PrometheusMetrics | undefined;
  telemetry: Promise<Telemetry | undefined>;
  policy: () => Policy;
}

function outcomeRecorder(sinks: OutcomeSinks): (outcome: SamplingOutcome) => void {
  const { log } = sinks;
  const warnOutcome = createOutcomeWarner(log);
  return (outcome) => {
    sinks.audit?.write(outcome);
    warnOutcome(outcome);
    sinks.prometheus?.record(outcome);
    void sinks.telemetry.then((t) => t?.record(outcome, sinks.policy()));
    if (log.enabled('info')) {
      const where = outcome.model ? ` ${outcome.provider}/${outcome.model}` : '';
      const failed = outcome.attempts.filter((a) => !a.ok).map((a) => `${a.provider}/${a.model} ${a.status ?? a.error ?? 'failed'}`);
      const tries = failed.length ? ` after ${failed.length} failed attempt(s): ${failed.join(', ')}` : '';
      const round = outcome.inputRound
        ? ` (${outcome.inputRound.method}${outcome.inputRound.name ? ` ${outcome.inputRound.name}` : ''}, input round ${outcome.inputRound.round}, key ${JSON.stringify(outcome.inputRound.key)})`
        : '';
      log.info(`sampling ${JSON.stringify(outcome.requestId)}${round} from ${outcome.server ?? '?'}: ${outcome.outcome}${where}${tries} in ${Math.round(outcome.durationMs)} ms`);
    }
  };
}

/** The model gateway when the policy turns it on for a vendor whose key the server lost; its variables join `env`. */
async function startRunGateway(
  apis: GatewayApis,
  env: NodeJS.ProcessEnv,
  o: { log: Logger; routers: LiveRouters; serverName: () => string; port?: GatewayPort | undefined },
): Promise<Gateway | undefined | 'failed'> {
  if (!apis.openai && !apis.anthropic) return undefined;
  let gateway: Gateway;
  try {
    const { startGateway } = await import('../../gateway/gateway.js');
    gateway = await startGateway({ apis, policy: () => o.routers.policy, log: o.log, getRouter: o.routers.forGateway, serverName: o.serverName, ...(o.port ? { port: o.port } : {}) });
  } catch (err) {
    o.log.error(`cannot start the model gateway: ${(err as Error).message}`);
    return 'failed';
  }
  Object.assign(env, gateway.childEnv);
  o.log.info(`model gateway on ${gateway.url} (${[apis.openai && 'openai', apis.anthropic && 'anthropic'].filter(Boolean).join(', ')})`);
  return gateway;
}

/**
 * `run --url` starts no model gateway: the gateway works by pointing a child's OPENAI/ANTHROPIC
 * base URL at a loopback port, and a remote server has neither our environment nor our
 * loopback. Its own model calls are outside mcp-route's policy; a policy that turns the
 * gateway on explicitly is told so at start rather than left to believe it applies.
 */
function noGatewayForRemote(policy: Policy, log: Logger): undefined {
  const apis = gatewayApis(policy.gateway, []);
  const on = [apis.openai && 'openai', apis.anthropic && 'anthropic'].filter(Boolean);
  if (on.length) {
    log.warn(
      `the policy turns on the model gateway (${on.join(', ')}), but with --url there is no child to point at it: not started; a remote server's own model calls are not governed by this policy`,
    );
  }
  return undefined;
}

/** Prometheus metrics: `serve` always keeps them (its own /metrics), `run` with --metrics serves them here. */
async function startMetrics(
  address: { host: string; port: number } | undefined,
  serving: boolean,
  routers: LiveRouters,
  log: Logger,
  flag: string | undefined,
): Promise<{ prometheus: PrometheusMetrics; server?: { url: string; close(): Promise<void> } } | 'failed'> {
  try {
    const { createPrometheusMetrics, serveMetrics } = await import('../../telemetry/prometheus.js');
    const prometheus = await createPrometheusMetrics(() => routers.budgetStatus());
    prometheus.setSessions(serving ? 0 : 1);
    if (!address) return { prometheus };
    const server = await serveMetrics(prometheus, address.host, address.port);
    log.info(`metrics at ${server.url}`);
    return { prometheus, server };
  } catch (err) {
    log.error(`cannot serve metrics on ${flag}: ${(err as Error).message}`);
    return 'failed';
  }
}

/** Reloads the policy file on edits and SIGHUP; a file from the working directory stays untrusted on every reload. */
function watchRunPolicy(started: Policy, trusted: boolean, log: Logger, onPolicy: (next: Policy) => void): { close(): void } {
  const watcher: PolicyWatcher = watchPolicyFile({
    path: started.source,
    log,
    load: (path) => {
      const next = loadPolicyFile(path, process.env);
      if (!trusted) for (const warning of restrictUntrustedPolicy(next, path, process.env)) log.warn(warning);
      return next;
    },
    onPolicy: (next) => {
      warnAboutRestartOnly(started, next, log);
      onPolicy(next);
    },
  });
  const onHangup = () => watcher.reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  return {
    close() {
      watcher.close();
      process.off('SIGHUP', onHangup);
    },
  };
}

/** OpenTelemetry export when the environment asks for it; a failure to start it is a warning, not a stop. */
function startTelemetryLazily(log: Logger): Promise<Telemetry | undefined> {
  return import('../../telemetry/otel.js')
    .then(({ startTelemetry }) => startTelemetry(process.env, packageVersion()))
    .catch((err: unknown) => {
      log.warn(`OpenTelemetry export is off: ${(err as Error).message}`);
      return undefined;
    });
}

/** --dry-run: the error each sampling request gets instead of a provider call, with the decision it would have followed. */
function dryRunAnswer(
  format: typeof import('../../routing/explain-format.js'),
  policy: Policy,
  onOutcome: (outcome: SamplingOutcome) => void,
  redact: (text: string) => string,
): (router: Router, params: unknown, serverName: string, requestId?: string | number) => WireError {
  return (router, params, serverName, requestId) => {
    const started = performance.now();
    const decision = router.explain(params, { serverName });
    const summary = decision.action === 'deny' ? `would refuse: ${decision.refusal.message}` : `would try ${decision.candidates.map((c) => `${c.provider}/${c.model}`).join(', then ')}`;
    // A dry run is how operators check a policy against real traffic: it leaves the same
    // audit line as a live request would, with the decision and no attempts.
    onOutcome({
      time: new Date().toISOString(),
      server: serverName,
      requestId,
      rule: decision.rule,
      candidates: decision.candidates.map((c) => `${c.provider}/${c.model}`),
      attempts: [],
      outcome: 'dry-run',
      ...(decision.action === 'deny' ? { error: { code: decision.refusal.code, message: decision.refusal.message } } : {}),
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    return {
      code: WIRE_REFUSED,
      message: redact(`mcp-route: dry run: ${summary}`),
      data: redactValue({ reason: 'DRY_RUN', rule: decision.rule, decision: format.decisionToJson(decision), explain: format.formatDecisionText(decision, policy) }, redact) as Record<string, unknown>,
    };
  };
}

/**
 * `run --url`: the same proxy core, with the remote server as its server side; SIGINT/SIGTERM end the session.
 * `noAnswerWaitMs` bounds a request the server accepted with 202 and never answered (the live policy's defaults.deadline).
 */
async function runRemote(url: URL, headers: RemoteHeaders, given: RunFlags['authProvider'], options: ChildProxyOptions, noAnswerWaitMs: () => number): Promise<number> {
  const { RemoteServer } = await import('../../transports/remote-server.js');
  // Without an Authorization header of the user's, the OAuth sign-in of `mcp-route auth URL`
  // (if any) is used and refreshed; a 401 it cannot fix says to run that command.
  const ownAuthorization = Object.keys(headers.headers).some((name) => name.toLowerCase() === 'authorization');
  const stored = given || ownAuthorization ? undefined : (await import('../../transports/oauth/provider.js')).createOAuthProvider(url);
  const authProvider = given ?? stored;
  // The SDK's own warnings (a refused token refresh quotes the authorization server) go through
  // the logger's redactor, and the stored sign-in's tokens are scrubbed from them first.
  const { routeSdkWarnings } = await import('../../transports/sdk-warnings.js');
  const restoreWarnings = routeSdkWarnings((line) => options.log.warn(stored ? stored.redactStored(line) : line));
  const server = new RemoteServer({
    url,
    headers: headers.headers,
    log: options.log,
    redact: options.redact,
    closeTimeoutMs: options.graceMs,
    noAnswerWaitMs,
    ...(authProvider ? { authProvider } : {}),
  });
  const end = () => server.close();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  try {
    return await runProxy({ ...coreProxyOptions(options), server });
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
    restoreWarnings();
  }
}

/**
 * What a reload cannot change in a running proxy, said once per reload: these were fixed when
 * the server was started or initialized.
 */
function warnAboutRestartOnly(started: Policy, next: Policy, log: ReturnType<typeof createLogger>): void {
  if (JSON.stringify(started.state) !== JSON.stringify(next.state)) log.warn('policy reload: `state` changes apply after a restart (budgets keep using the store they started with)');
  if (policyMayAllowTools(started) !== policyMayAllowTools(next)) log.warn('policy reload: whether sampling.tools is declared was fixed at initialize; it changes after a restart');
  const unstripped = next.credentialEnv.filter((v) => !started.credentialEnv.includes(v) && process.env[v] !== undefined);
  if (unstripped.length)
    log.warn(`policy reload: the server was started before the policy read ${unstripped.join(', ')}; restart to keep ${unstripped.length > 1 ? 'them' : 'it'} out of the server's environment`);
  if (started.audit.path !== next.audit.path) log.warn('policy reload: `audit.path` changes apply after a restart');
}

/** `9464`, `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`. */
function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]:|([^:]+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--metrics expects [host:]port, such as 9464 or 127.0.0.1:9464, not "${text}"`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

/** Serves until SIGINT or SIGTERM, then closes every session (and its child). */
async function serveUntilSignalled(options: ServeOptions): Promise<number> {
  const { startServe } = await import('../../transports/serve.js');
  let handle: ServeHandle;
  try {
    handle = await startServe(options);
  } catch (err) {
    options.log.error((err as Error).message);
    return 1;
  }
  // stdout carries no protocol in serve mode: the address goes there, for scripts and people.
  process.stdout.write(`mcp-route serve: ${options.command} at ${handle.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await handle.close();
  return 0;
}
