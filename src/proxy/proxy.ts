// The stdio proxy: spawns the MCP server, passes every frame between host and server as the
// original bytes, and intercepts only what it must: the host's `initialize` (to declare
// sampling), the server's `sampling/createMessage` (answered through the Router) and the
// cancellations and responses that belong to those. Whichever side ends first ends the other.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { Router } from '../execution/types.js';
import type { HostSampler } from '../providers/types.js';
import { classifyFrame, classifyHead, parseFrame, tailId, type JsonRpcId } from './classify-frame.js';
import { HostRequests } from './host-requests.js';
import { LineFramer, type FrameVerdict } from './line-framer.js';
import type { Logger } from './log.js';
import { toWireError, WIRE_CONNECTION_CLOSED, type WireError } from './wire-errors.js';

export interface HostCapabilities {
  /** The host declared `capabilities.sampling` itself. */
  sampling: boolean;
  /** ... with `sampling.tools`. */
  samplingTools: boolean;
}

export interface ProxyOptions {
  command: string;
  args: string[];
  cwd?: string;
  /** The child's complete environment (already stripped of credentials). */
  env: NodeJS.ProcessEnv;
  /** Defaults: process.stdin / process.stdout. */
  input?: Readable;
  output?: Writable;
  log: Logger;
  redact: (text: string) => string;
  /** Fixed server name; else serverInfo.name from the initialize response, else the command's base name. */
  serverName?: string;
  /** Told the server's reported name once its initialize response arrives (the model gateway uses it). */
  onServerName?: (name: string) => void;
  /** Whether the policy can allow tools anywhere: decides `sampling.tools` in what the server sees. */
  toolsMayBeAllowed: boolean;
  /**
   * Builds the router on the first sampling request, when the host's capabilities are known;
   * `hostSampler` is given only when the host declared sampling.
   */
  createRouter: (context: { hostSampler?: HostSampler; host?: HostCapabilities }) => Router | Promise<Router>;
  /** --dry-run: answer every sampling request with this error instead of calling a provider. */
  dryRun?: (router: Router, params: unknown, serverName: string, requestId: JsonRpcId) => WireError;
  /** ms between closing the server's stdin and SIGTERM, and between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Forward SIGINT/SIGTERM/SIGHUP to the server (the CLI does; embedders may not want it). */
  forwardSignals?: boolean;
  /** Which signals forwardSignals covers; default SIGINT, SIGTERM, SIGHUP (the CLI keeps SIGHUP to reload its policy). */
  forwardedSignals?: readonly NodeJS.Signals[];
}

const SAMPLING = 'sampling/createMessage';
const CANCELLED = 'notifications/cancelled';

/** JSON-RPC ids 1 and "1" are different requests. */
function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

/** Resolves with the exit code mcp-route should exit with: the server's, or 128+n for signal n. */
export function runProxy(o: ProxyOptions): Promise<number> {
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stdout;
  const { log, redact } = o;

  let child: ChildProcessByStdio<Writable, Readable, null>;
  try {
    child = spawn(o.command, o.args, { cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'inherit'] });
  } catch (err) {
    log.error(`cannot start ${o.command}: ${(err as Error).message}`);
    return Promise.resolve(127);
  }

  let serverName = o.serverName;
  let host: HostCapabilities | undefined;
  let initializeKey: string | undefined;
  /** Host requests the server has not answered yet: each gets an error if the server dies. */
  const pendingHost = new Map<string, JsonRpcId>();
  /** Sampling requests from the server that we are answering. */
  const inflight = new Map<string, AbortController>();
  let routerPromise: Promise<Router> | undefined;
  let serverGone = false;
  /** The host closed our stdin: it may still read our stdout (half-close), so keep writing. */
  let hostInputClosed = false;
  /** Our stdout broke: nothing more can reach the host. */
  let hostOutputBroken = false;
  const timers: NodeJS.Timeout[] = [];

  // ---- writing, with backpressure in both directions --------------------------------------
  let hostBlocked = false;
  const toHost = (bytes: Buffer | string): void => {
    if (hostOutputBroken) return;
    if (!output.write(bytes) && !hostBlocked) {
      hostBlocked = true;
      child.stdout.pause();
      output.once('drain', () => {
        hostBlocked = false;
        child.stdout.resume();
      });
    }
  };
  let serverBlocked = false;
  const toServer = (bytes: Buffer | string): void => {
    if (serverGone || !child.stdin.writable) return;
    if (!child.stdin.write(bytes) && !serverBlocked) {
      serverBlocked = true;
      input.pause();
      child.stdin.once('drain', () => {
        serverBlocked = false;
        input.resume();
      });
    }
  };
  // Our own messages must not land in the middle of a line being streamed through: they
  // wait for that line's end (see LineFramer.midLine).
  const queuedForHost: string[] = [];
  const queuedForServer: string[] = [];
  const sendToServer = (message: Record<string, unknown>) => {
    const line = JSON.stringify(message) + '\n';
    if (hostFramer.midLine) queuedForServer.push(line);
    else toServer(line);
  };
  const sendToHost = (message: Record<string, unknown>) => {
    const line = JSON.stringify(message) + '\n';
    if (serverFramer.midLine) queuedForHost.push(line);
    else toHost(line);
  };
  const flushQueued = (queue: string[], write: (line: string) => void) => {
    for (const line of queue.splice(0)) write(line);
  };

  const hostRequests = new HostRequests(sendToHost);
  const hostSampler: HostSampler = (request, { signal }) =>
    hostRequests.request(SAMPLING, request, signal) as Promise<CreateMessageResult>;

  const getRouter = (): Promise<Router> => {
    routerPromise ??= Promise.resolve().then(() =>
      o.createRouter(host?.sampling ? { hostSampler, host } : host ? { host } : {}),
    );
    return routerPromise;
  };

  const currentServerName = () => serverName ?? basename(o.command);

  // ---- server -> host ----------------------------------------------------------------------
  const fromServer = (frame: Buffer): FrameVerdict => {
    const info = classifyFrame(frame, (m) => m === SAMPLING || m === CANCELLED);
    switch (info.kind) {
      case 'invalid': {
        const text = frame.subarray(0, 200).toString('utf8');
        log.warn(`dropped a line from the server's stdout that is not JSON-RPC (${frame.length} bytes): ${JSON.stringify(text)}`);
        return null;
      }
      case 'request':
        if (info.method === SAMPLING) {
          void answerSampling(info.id!, info.message ?? {});
          return null;
        }
        return true;
      case 'notification':
        if (info.method === CANCELLED) {
          const requestId = (info.message?.params as { requestId?: JsonRpcId } | undefined)?.requestId;
          const controller = requestId === undefined ? undefined : inflight.get(idKey(requestId));
          if (controller) {
            log.debug(`server cancelled sampling request ${JSON.stringify(requestId)}`);
            controller.abort(new Error('cancelled by the server'));
            return null; // the host never saw that request
          }
        }
        return true;
      case 'response': {
        const key = idKey(info.id!);
        pendingHost.delete(key);
        if (key === initializeKey && serverName === undefined) {
          const message = info.message ?? parseFrame(frame).message;
          const name = ((message?.result as { serverInfo?: { name?: unknown } } | undefined)?.serverInfo?.name);
          if (typeof name === 'string' && name) {
            serverName = name;
            o.onServerName?.(name);
          }
        }
        return true;
      }
      default:
        return true;
    }
  };

  /** Long server lines that need no inspection stream on; ids are read from the tail for bookkeeping. */
  const streamFromServer = (headBytes: Buffer) => {
    const head = classifyHead(headBytes);
    if (!head) return undefined;
    const isResponse = head.method === undefined && (head.composite === 'result' || head.composite === 'error' || head.sawResult);
    const isOtherMessage = head.method !== undefined && head.method !== SAMPLING && head.method !== CANCELLED;
    if (!isResponse && !isOtherMessage) return undefined;
    return {
      onEnd: (tail: Buffer) => {
        if (isResponse) {
          const id = head.id ?? tailId(tail);
          if (id !== undefined) pendingHost.delete(idKey(id));
        }
        flushQueued(queuedForHost, toHost);
      },
    };
  };

  // ---- host -> server ----------------------------------------------------------------------
  const fromHost = (frame: Buffer): FrameVerdict => {
    const info = classifyFrame(frame, (m) => m === 'initialize' || m === CANCELLED);
    switch (info.kind) {
      case 'request': {
        const key = idKey(info.id!);
        pendingHost.set(key, info.id!);
        if (info.method === 'initialize' && info.message) {
          initializeKey = key;
          return Buffer.from(JSON.stringify(rewriteInitialize(info.message)) + '\n');
        }
        return true;
      }
      case 'notification':
        if (info.method === CANCELLED) {
          const requestId = (info.message?.params as { requestId?: JsonRpcId } | undefined)?.requestId;
          if (requestId !== undefined) pendingHost.delete(idKey(requestId));
        }
        return true;
      case 'response':
        if (hostRequests.owns(info.id)) {
          hostRequests.settle(info.id, info.message ?? parseFrame(frame).message ?? {});
          return null;
        }
        return true;
      default:
        return true;
    }
  };

  const streamFromHost = (headBytes: Buffer) => {
    const head = classifyHead(headBytes);
    if (!head) return undefined;
    if (head.method !== undefined && head.method !== 'initialize' && head.method !== CANCELLED) {
      return {
        onEnd: (tail: Buffer) => {
          const id = head.id ?? tailId(tail);
          if (id !== undefined) pendingHost.set(idKey(id), id);
          flushQueued(queuedForServer, toServer);
        },
      };
    }
    // A response is ours to consume only when its id carries our prefix: it must be read whole.
    const isResponse = head.composite === 'result' || head.composite === 'error' || head.sawResult;
    if (isResponse && head.id !== undefined && !hostRequests.owns(head.id)) {
      return { onEnd: () => flushQueued(queuedForServer, toServer) };
    }
    return undefined;
  };

  function rewriteInitialize(message: Record<string, unknown>): Record<string, unknown> {
    const params = (message.params ?? {}) as Record<string, unknown>;
    const capabilities = (params.capabilities ?? {}) as Record<string, unknown>;
    const declared = capabilities.sampling as Record<string, unknown> | undefined;
    host = { sampling: declared !== undefined && declared !== null, samplingTools: !!declared?.tools };
    log.debug(`host declared sampling: ${host.sampling}${host.samplingTools ? ' (with tools)' : ''}`);
    return {
      ...message,
      params: { ...params, capabilities: { ...capabilities, sampling: o.toolsMayBeAllowed ? { tools: {} } : {} } },
    };
  }

  // ---- sampling ----------------------------------------------------------------------------
  // The one interception point. Protocol 2026-07-28 replaces server->client requests with
  // `input_required` results that the client answers by repeating the request; supporting it
  // means recognising those results in fromServer and routing their inputRequests through here.
  async function answerSampling(id: JsonRpcId, message: Record<string, unknown>): Promise<void> {
    const key = idKey(id);
    const controller = new AbortController();
    if (inflight.has(key)) log.warn(`the server reused sampling request id ${JSON.stringify(id)} while it was in flight`);
    inflight.set(key, controller);
    const params = message.params;
    try {
      const router = await getRouter();
      if (o.dryRun) {
        const error = o.dryRun(router, params, currentServerName(), id);
        sendToServer({ jsonrpc: '2.0', id, error });
        return;
      }
      const result = await router.createMessage(params, {
        serverName: currentServerName(),
        signal: controller.signal,
        requestId: id,
      });
      // A cancelled request gets no response (MCP cancellation: "SHOULD NOT send a response").
      if (controller.signal.aborted) return;
      sendToServer({ jsonrpc: '2.0', id, result });
    } catch (err) {
      if (controller.signal.aborted) return;
      const error = toWireError(err, redact);
      log.info(`sampling request ${JSON.stringify(id)} failed: ${error.message}`);
      sendToServer({ jsonrpc: '2.0', id, error });
    } finally {
      if (inflight.get(key) === controller) inflight.delete(key);
    }
  }

  // ---- wiring and lifecycle -----------------------------------------------------------------
  const serverFramer = new LineFramer(fromServer, toHost, streamFromServer);
  const hostFramer = new LineFramer(fromHost, toServer, streamFromHost);
  const onHostData = (chunk: Buffer) => hostFramer.push(chunk);
  child.stdout.on('data', (chunk: Buffer) => serverFramer.push(chunk));
  input.on('data', onHostData);

  /** After the host has gone: wait, SIGTERM, wait, SIGKILL (the MCP stdio shutdown sequence). */
  const escalate = () => {
    timers.push(
      setTimeout(() => {
        if (!serverGone) {
          log.info(`server still running ${o.graceMs} ms later: SIGTERM`);
          signalChild('SIGTERM');
          timers.push(
            setTimeout(() => {
              if (!serverGone) {
                log.warn(`server ignored SIGTERM for ${o.graceMs} ms: SIGKILL`);
                signalChild('SIGKILL');
              }
            }, o.graceMs),
          );
        }
      }, o.graceMs),
    );
  };
  const signalChild = (signal: NodeJS.Signals) => {
    try {
      if (!serverGone) child.kill(signal);
    } catch {}
  };

  const onHostClosed = () => {
    if (hostInputClosed) return;
    hostInputClosed = true;
    hostFramer.end();
    hostRequests.failAll(new Error('the host closed the connection'));
    log.debug('host closed stdin: closing the server');
    child.stdin.end();
    escalate();
  };
  input.on('end', onHostClosed);
  input.on('error', onHostClosed);
  output.on('error', (err: NodeJS.ErrnoException) => {
    log.debug(`host stdout: ${err.code ?? err.message}`);
    hostOutputBroken = true;
    if (hostBlocked) child.stdout.resume(); // keep draining the server so it never blocks on a full pipe
    onHostClosed();
  });
  child.stdin.on('error', (err: NodeJS.ErrnoException) => log.debug(`server stdin: ${err.code ?? err.message}`));

  const signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  if (o.forwardSignals) {
    for (const sig of o.forwardedSignals ?? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const)) {
      const handler = () => {
        log.debug(`received ${sig}: passing it to the server`);
        signalChild(sig);
        // A server that ignores the signal is not left running behind us.
        timers.push(
          setTimeout(() => {
            if (serverGone) return;
            log.warn(`server ignored ${sig} for ${o.graceMs} ms: SIGKILL`);
            signalChild('SIGKILL');
          }, o.graceMs),
        );
      };
      process.on(sig, handler);
      signalHandlers.push([sig, handler]);
    }
  }
  const killOnExit = () => signalChild('SIGKILL');
  process.on('exit', killOnExit);

  return new Promise<number>((resolve) => {
    let stdoutEnded = false;
    let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let finished = false;
    const finish = () => {
      if (finished || !exitInfo) return;
      finished = true;
      serverFramer.end();
      const { code, signal } = exitInfo;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      // Anything the server never answered gets an answer now, so no host call hangs.
      for (const id of pendingHost.values()) {
        sendToHost({
          jsonrpc: '2.0',
          id,
          error: { code: WIRE_CONNECTION_CLOSED, message: `mcp-route: the server exited (${how}) before answering`, data: { reason: 'SERVER_EXITED' } },
        });
      }
      pendingHost.clear();
      for (const controller of inflight.values()) controller.abort(new Error('the server exited'));
      hostRequests.failAll(new Error('the server exited'));
      for (const t of timers) clearTimeout(t);
      for (const [sig, handler] of signalHandlers) process.off(sig, handler);
      process.off('exit', killOnExit);
      input.off('data', onHostData);
      input.pause();
      const exitCode = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
      log.debug(`server exited with ${how}`);
      const closeRouter = routerPromise
        ? routerPromise.then((r) => r.close()).catch((err: unknown) => log.warn(`closing the router: ${(err as Error).message}`))
        : Promise.resolve();
      void closeRouter.then(() => resolve(exitCode));
    };
    child.stdout.on('end', () => {
      stdoutEnded = true;
      finish();
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      log.error(`cannot start ${o.command}: ${err.message}`);
      serverGone = true;
      exitInfo = { code: err.code === 'ENOENT' ? 127 : 126, signal: null };
      finish();
    });
    child.on('exit', (code, signal) => {
      serverGone = true;
      exitInfo = { code, signal };
      if (stdoutEnded) finish();
      // A grandchild may hold the server's stdout open; do not wait for it forever.
      else setTimeout(finish, 500).unref();
    });
  });
}
