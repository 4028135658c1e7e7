// The stdio proxy: spawns the MCP server, passes every frame between host and server as the
// original bytes, and intercepts only what it must: the host's `initialize` (to declare
// sampling), the server's `sampling/createMessage` (answered through the Router) and the
// cancellations and responses that belong to those. Whichever side ends first ends the other.
// Requests of protocol 2026-07-28 (a `_meta` envelope) go through input-required.ts, which
// answers the sampling inside `input_required` results; 2025 traffic never reaches it.

import type { Readable, Writable } from 'node:stream';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError } from '../errors.js';
import type { Router } from '../router/types.js';
import type { HostSampler } from '../providers/types.js';
import { classifyFrame, classifyHead, idKey, idText, type IdKey, mayStartJsonRpc, parseFrame, tailId, tailIdWithText, type FrameInfo, type JsonRpcId } from './classify-frame.js';
import { judgeBatch } from './judge-batch.js';
import { declaresFormElicitation, mayBeModern, type ModernParams, modernMeta, samplingCapabilityBytes } from './era.js';
import type { ParamsRead } from './frame-scan.js';
import { InputRequiredCalls } from './input-required.js';
import { HostRequests } from './host-requests.js';
import type { Approver } from '../approval/approval.js';
import { createHostApprover } from '../approval/host-approver.js';
import { SamplingSession } from '../approval/session.js';
import { LineFramer, type FrameVerdict, type LongLine, withoutLineEnd } from './line-framer.js';
import type { Logger } from './log.js';
import { ChildServer } from './child-server.js';
import type { HostSide, ServerExit, ServerSide } from './sides.js';
import { StreamHost } from './stream-host.js';
import { toWireError, WIRE_CONNECTION_CLOSED, WIRE_INTERNAL_ERROR, WIRE_INVALID_REQUEST, WIRE_OVERLOADED, type WireError } from './wire-errors.js';
import { SlotMap } from '../util/slot-map.js';

export interface HostCapabilities {
  /** The host declared `capabilities.sampling` itself. */
  sampling: boolean;
  /** ... with `sampling.tools`. */
  samplingTools: boolean;
  /** The host declared form elicitation (`elicitation: {}` or `elicitation.form`): approval can be asked. */
  elicitation: boolean;
}

/** The server as a child over stdio (the default server side). */
export interface ChildProxyOptions extends ProxyCoreOptions {
  command: string;
  args: string[];
  cwd?: string;
  /** The child's complete environment (already stripped of credentials). */
  env: NodeJS.ProcessEnv;
  /** ms between closing the server's stdin and SIGTERM, and between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Forward SIGINT/SIGTERM/SIGHUP to the server (the CLI does; embedders may not want it). */
  forwardSignals?: boolean;
  /** Which signals forwardSignals covers; default SIGINT, SIGTERM, SIGHUP (the CLI keeps SIGHUP to reload its policy). */
  forwardedSignals?: readonly NodeJS.Signals[];
}

/** Any other server side (a remote server over Streamable HTTP), already made. */
export interface SideProxyOptions extends ProxyCoreOptions {
  server: ServerSide;
}

export type ProxyOptions = ChildProxyOptions | SideProxyOptions;

export interface ProxyCoreOptions {
  /** The host side; default: `input`/`output` streams. */
  host?: HostSide;
  /** Defaults: process.stdin / process.stdout. */
  input?: Readable;
  output?: Writable;
  log: Logger;
  redact: (text: string) => string;
  /** Fixed server name; else serverInfo.name from the initialize response, else the server side's fallback name. */
  serverName?: string;
  /** Told the server's reported name once its initialize response arrives (the model gateway uses it). */
  onServerName?: (name: string) => void;
  /** Whether the policy can allow tools anywhere: decides `sampling.tools` in what the server sees. */
  toolsMayBeAllowed: boolean;
  /**
   * Builds the router on the first sampling request, when the host's capabilities are known;
   * `hostSampler` is given only when the host declared sampling, `approver` only when it declared
   * form elicitation.
   */
  createRouter: (context: { hostSampler?: HostSampler; approver?: Approver; host?: HostCapabilities }) => Router | Promise<Router>;
  /** --dry-run: answer every sampling request with this error instead of calling a provider. */
  dryRun?: (router: Router, params: unknown, serverName: string, requestId: JsonRpcId) => WireError;
  /** Largest frame mcp-route parses (sampling requests, initialize, ...); default MAX_PARSED_FRAME. */
  maxParsedFrame?: number;
  /** Sampling requests from the server answered at once; beyond it they are refused. Default MAX_SAMPLING_IN_FLIGHT. */
  maxSamplingInFlight?: number;
  /** How long a sampling request that arrives before the host's initialize waits for it. Default HOST_INITIALIZE_WAIT_MS. */
  hostInitializeWaitMs?: number;
  /**
   * False when the host side carries several clients (serve's shared 2026 child): approval
   * answers are then not remembered, since one person's "remember" must not answer another's
   * requests. Limits still count for the whole connection. Default true.
   */
  rememberApprovals?: boolean;
}

/**
 * Frames that must be parsed are held whole in memory, and a JSON string over about 512 MB
 * cannot even be made: 64 MiB leaves room for a 48 MB image (providers accept 5-20 MB).
 */
export const MAX_PARSED_FRAME = 64 * 1024 * 1024;
/** Enough for any real server's fan-out (the fault suite runs 80 at once); 10k at once is a flood, not work. */
export const MAX_SAMPLING_IN_FLIGHT = 256;
/** Hosts send initialize first thing; a server that samples earlier waits this long for it. */
export const HOST_INITIALIZE_WAIT_MS = 10_000;

const SAMPLING = 'sampling/createMessage';
const CANCELLED = 'notifications/cancelled';
const PROGRESS = 'notifications/progress';

/** The server side `o` asks for: a spawned child unless a side is given. Throws when the child cannot be spawned. */
function serverSideFor(o: ProxyOptions): ServerSide {
  if ('server' in o) return o.server;
  const forwarded = o.forwardSignals ? (o.forwardedSignals ?? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const)) : undefined;
  return new ChildServer({ command: o.command, args: o.args, cwd: o.cwd, env: o.env, log: o.log, graceMs: o.graceMs, ...(forwarded ? { forwardedSignals: forwarded } : {}) });
}

/** Resolves with the exit code mcp-route should exit with: the server's, or 128+n for signal n. */
export function runProxy(o: ProxyOptions): Promise<number> {
  const { log } = o;
  let server: ServerSide;
  try {
    server = serverSideFor(o);
  } catch (err) {
    log.error(`cannot start ${'command' in o ? o.command : 'the server'}: ${(err as Error).message}`);
    return Promise.resolve(127);
  }
  const hostSide = o.host ?? new StreamHost(o.input ?? process.stdin, o.output ?? process.stdout, log);
  return runCore(o, hostSide, server);
}

/** The core between two sides: framing, interceptions and bookkeeping, once for every pair of sides. */
function runCore(o: ProxyCoreOptions, hostSide: HostSide, server: ServerSide): Promise<number> {
  const { log, redact } = o;
  const maxParsedFrame = o.maxParsedFrame ?? MAX_PARSED_FRAME;
  const maxSamplingInFlight = o.maxSamplingInFlight ?? MAX_SAMPLING_IN_FLIGHT;

  let serverName = o.serverName;
  let host: HostCapabilities | undefined;
  let initializeKey: IdKey | undefined;
  /** Host requests the server has not answered yet: each gets an error if the server dies. */
  /** id key -> the id's JSON text for the reply, copied from the frame; undefined when JSON.stringify(id) gives it. */
  const pendingHost = new SlotMap<IdKey, string | undefined>(); // one set and one delete a request: see SlotMap
  /** Sampling requests from the server that we are answering. */
  const inflight = new Map<IdKey, AbortController>();
  /** How many sampling requests are being answered (ids may repeat, so not inflight.size). */
  let samplingInFlight = 0;
  /** Sampling requests seen in the current chunk from the server: after such a chunk we yield to I/O. */
  let samplingInChunk = 0;
  /** Resolves when the host's capabilities are known (its initialize passed), or it went away. */
  let resolveHostKnown!: () => void;
  const hostKnownPromise = new Promise<void>((resolve) => (resolveHostKnown = resolve));
  let hostIsKnown = false;
  // Settles the promise once. A 2026 host makes every request its handshake, and resolving a
  // settled promise is not free: V8 reports each later resolve to Node's rejection tracker
  // (callgrind: 53,176 -> 50,884 instructions a 2026 request once resolved only once).
  const hostKnown = () => {
    if (hostIsKnown) return;
    hostIsKnown = true;
    resolveHostKnown();
  };
  let routerPromise: Promise<Router> | undefined;
  /** The host closed our stdin: it may still read our stdout (half-close), so keep writing. */
  let hostInputClosed = false;
  /** Our stdout broke: nothing more can reach the host. */
  let hostOutputBroken = false;

  // ---- writing, with backpressure in both directions --------------------------------------
  let hostBlocked = false;
  const toHost = (bytes: Buffer | string): void => {
    if (hostOutputBroken) return;
    if (!hostSide.write(bytes) && !hostBlocked) {
      hostBlocked = true;
      server.pause();
      hostSide.onceDrain(() => {
        hostBlocked = false;
        if (!serverYielding) server.resume();
      });
    }
  };
  /** Reading from the server is paused until the next turn of the event loop (see the data handler). */
  let serverYielding = false;
  const yieldServer = () => {
    if (serverYielding) return;
    serverYielding = true;
    server.pause();
    setImmediate(() => {
      serverYielding = false;
      if (!hostBlocked) server.resume();
    });
  };
  let serverBlocked = false;
  const toServer = (bytes: Buffer | string): void => {
    if (!server.writable) return;
    if (!server.write(bytes) && !serverBlocked) {
      serverBlocked = true;
      hostSide.pause();
      server.onceDrain(() => {
        serverBlocked = false;
        hostSide.resume();
      });
    }
  };
  // Our own messages must not land in the middle of a line being streamed through: they
  // wait for that line's end (see LineFramer.midLine).
  const queuedForHost: string[] = [];
  const queuedForServer: string[] = [];
  const sendLineToServer = (line: string) => {
    if (hostFramer.midLine) queuedForServer.push(line);
    else toServer(line);
  };
  const sendLineToHost = (line: string) => {
    if (serverFramer.midLine) queuedForHost.push(line);
    else toHost(line);
  };
  const sendToHost = (message: Record<string, unknown>) => sendLineToHost(`${JSON.stringify(message)}\n`);
  const sendToServer = (message: Record<string, unknown>) => sendLineToServer(`${JSON.stringify(message)}\n`);
  /** A response under an id given as JSON text: ids are copied, never re-serialised (2^53 + 1 stays itself). */
  const replyLine = (id: string, member: 'result' | 'error', value: unknown) => `{"jsonrpc":"2.0","id":${id},"${member}":${JSON.stringify(value)}}\n`;
  const flushQueued = (queue: string[], write: (line: string) => void) => {
    for (const line of queue.splice(0)) write(line);
  };

  const hostRequests = new HostRequests(sendToHost);
  const hostSampler: HostSampler = (request, { signal }) => hostRequests.request(SAMPLING, request, signal) as Promise<CreateMessageResult>;

  const approver = createHostApprover((method, params, signal) => hostRequests.request(method, params, signal));
  /** One server connection: its caps and remembered approvals outlive policy reloads. */
  const session = new SamplingSession(o.rememberApprovals ?? true);

  // The router is built once, from what the host declared: a server that samples before the
  // host's initialize waits for it, rather than freezing a view of a host that knows nothing.
  const getRouter = async (): Promise<Router> => {
    if (!routerPromise && !host && !hostInputClosed) await waitForHost();
    routerPromise ??= Promise.resolve().then(() => o.createRouter({ ...(host?.sampling ? { hostSampler } : {}), ...(host?.elicitation ? { approver } : {}), ...(host ? { host } : {}) }));
    return routerPromise;
  };
  const waitForHost = async (): Promise<void> => {
    const waitMs = o.hostInitializeWaitMs ?? HOST_INITIALIZE_WAIT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), waitMs)));
    const late = await Promise.race([hostKnownPromise.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      throw new McpRouteError('NO_CANDIDATES', `the server asked for sampling before the host's initialize, and the host sent none within ${waitMs} ms`, { reason: 'HOST_NOT_INITIALIZED' });
    }
  };

  const currentServerName = () => serverName ?? server.fallbackName;

  // ---- protocol 2026-07-28 -----------------------------------------------------------------
  const inputRequired = new InputRequiredCalls({
    sendToServer,
    sendToHost,
    getRouter,
    serverName: currentServerName,
    learnServerName: (name) => {
      serverName ??= name;
    },
    log,
    redact,
    toolsMayBeAllowed: o.toolsMayBeAllowed,
    session,
    settled: (id) => pendingHost.delete(idKey(id)),
    ...(o.dryRun ? { dryRun: o.dryRun } : {}),
  });
  /** The host sent a 2026 request: from then on its long requests are read whole (their `_meta` may sit at the end). */
  let hostSpeaksModern = false;
  /** A 2026 request gets its capability rewrite and, for tools/call & co., its input rounds; undefined for 2025 frames. */
  /** Only for a frame that may be one (mayBeModern) or was parsed anyway. `read`: its params, read on the way. */
  const fromModernHost = (line: Buffer, info: FrameInfo, read: ModernParams | undefined): FrameVerdict | undefined => {
    // The usual request is rewritten on its bytes (the rewrite ends the line itself, so `line`
    // is read as it is: no view without its line ending); unusual shapes are parsed and re-encoded.
    const bytes = info.params && samplingCapabilityBytes(line, read ?? info.params, o.toolsMayBeAllowed);
    if (bytes) {
      hostSpeaksModern = true;
      hostKnown();
      return inputRequired.fromHostBytes(line, bytes, info.id, info.method!);
    }
    const message = info.message ?? parseFrame(withoutLineEnd(line)).message;
    if (!message || !modernMeta(message)) return undefined;
    hostSpeaksModern = true;
    // A 2026 host sends no initialize: its first request is its handshake (capabilities travel per request).
    hostKnown();
    const out = inputRequired.fromHost(message, info.id, info.method!);
    return out ? Buffer.from(`${JSON.stringify(out)}\n`) : null;
  };

  // ---- server -> host ----------------------------------------------------------------------
  const needsServerMessage = (m: string | undefined) => m === SAMPLING || m === CANCELLED || (m === PROGRESS && inputRequired.watchingProgress);
  const fromServer = (frame: Buffer): FrameVerdict => {
    const info = classifyFrame(frame, needsServerMessage);
    switch (info.kind) {
      case 'invalid': {
        const text = frame.subarray(0, 200).toString('utf8');
        log.warn(`dropped a line from the server's stdout that is not JSON-RPC (${withoutLineEnd(frame).length} bytes): ${JSON.stringify(text)}`);
        return null;
      }
      case 'batch':
        // Each element is judged like a frame: a batched sampling request is answered here too.
        return judgeBatch(frame, fromServer);
      case 'request':
        if (info.method === SAMPLING) {
          samplingInChunk++;
          const id = idText(info.id!, frame);
          if (samplingInFlight >= maxSamplingInFlight) {
            refuseSampling(id, {
              code: WIRE_OVERLOADED,
              message: `mcp-route: too many sampling requests in flight from this server (limit ${maxSamplingInFlight}); retry when one is answered`,
              data: { reason: 'TOO_MANY_IN_FLIGHT', limit: maxSamplingInFlight },
            });
            return null;
          }
          void answerSampling(info.id!, id, info.message ?? {});
          return null;
        }
        return true;
      case 'notification':
        if (info.method === SAMPLING) {
          // No usable id: not a request we can answer, and never something for the host to see.
          if (info.badId) {
            refuseSampling('null', { code: WIRE_INVALID_REQUEST, message: 'mcp-route: a sampling/createMessage request needs a string or number id', data: { reason: 'INVALID_ID' } });
          } else log.warn('dropped a sampling/createMessage notification from the server (no id: it cannot be answered)');
          return null;
        }
        if (info.method === CANCELLED) {
          const requestId = (info.message?.params as { requestId?: JsonRpcId } | undefined)?.requestId;
          const controller = requestId === undefined ? undefined : inflight.get(idKey(requestId));
          if (controller) {
            log.debug(`server cancelled sampling request ${JSON.stringify(requestId)}`);
            controller.abort(new Error('cancelled by the server'));
            return null; // the host never saw that request
          }
        }
        if (info.method === PROGRESS && inputRequired.watchingProgress) {
          return inputRequired.progressFromServer(info.message ?? parseFrame(frame).message ?? {});
        }
        return true;
      case 'response': {
        if (inputRequired.ownsResponse(info.id!)) return inputRequired.fromServer(info.id!, frame, info.message);
        const key = idKey(info.id!);
        pendingHost.delete(key);
        if (key === initializeKey) {
          initializeKey = undefined;
          if (serverName === undefined) {
            const message = info.message ?? parseFrame(frame).message;
            const name = (message?.result as { serverInfo?: { name?: unknown } } | undefined)?.serverInfo?.name;
            if (typeof name === 'string' && name) {
              serverName = name;
              o.onServerName?.(name);
            }
          }
        }
        return true;
      }
      default:
        return true;
    }
  };

  /** Long server lines that need no inspection stream on; ids are read from the tail for bookkeeping. */
  const streamFromServer = (headBytes: Buffer): LongLine | undefined => {
    if (!mayStartJsonRpc(headBytes)) return discardNonJson('server', headBytes);
    const head = classifyHead(headBytes);
    if (!head) return undefined;
    const isResponse = head.method === undefined && (head.composite === 'result' || head.composite === 'error' || head.sawResult);
    const isOtherMessage = head.method !== undefined && head.method !== SAMPLING && head.method !== CANCELLED;
    if (!isResponse && !isOtherMessage) return undefined;
    // The initialize response names the server: it is read whole whatever its size (up to the cap).
    const mayBeInitialize = serverName === undefined && initializeKey !== undefined && (head.id === undefined || idKey(head.id) === initializeKey);
    if (isResponse && mayBeInitialize) return undefined;
    // A response that may answer a 2026 leg is read whole: it may be input_required.
    if (isResponse && inputRequired.mayOwnResponse(head.id)) return undefined;
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
  /** What the walk read of the params of the host frame being classified (one frame at a time). */
  const hostParams: ParamsRead = { read: undefined };
  const needsHostMessage = (m: string | undefined) => m === 'initialize' || m === CANCELLED;
  const fromHost = (frame: Buffer): FrameVerdict => {
    // The params are read on the way through the frame (one walk): a 2026 request is one whose
    // params carry `_meta` with the protocol version. Frames the bytes cannot tell about (escaped
    // keys, params that are not an object, no params) fall back to searching for the version key.
    const info = classifyFrame(frame, needsHostMessage, hostParams);
    const read = hostParams.read;
    hostParams.read = undefined; // not kept alive past its frame
    // `read` is the last params member's only when the walk reached the frame's end (info.params set).
    const maybeModern = read && info.params !== undefined ? read.meta?.spans[0] !== undefined : mayBeModern(frame);
    switch (info.kind) {
      case 'batch':
        return judgeBatch(frame, fromHost);
      case 'request': {
        const key = idKey(info.id!);
        // Only an id that is not a safe number needs its text copied (2^53 + 1 stays itself).
        const exact = typeof info.id === 'number' && !Number.isSafeInteger(info.id);
        pendingHost.set(key, exact ? idText(info.id!, frame) : undefined);
        if (info.method === 'initialize' && info.message) {
          const id = idText(info.id!, frame);
          initializeKey = key;
          let rewritten: string;
          try {
            const { id: _id, ...rest } = rewriteInitialize(info.message);
            rewritten = `{"id":${id},${JSON.stringify(rest).slice(1)}`;
          } catch (err) {
            // Re-encoding is recursive: a params object nested 100k deep overflows the stack.
            pendingHost.delete(key);
            initializeKey = undefined;
            log.warn(`refused the host's initialize: it cannot be re-encoded (${(err as Error).message})`);
            sendLineToHost(
              replyLine(id, 'error', {
                code: WIRE_INVALID_REQUEST,
                message: `mcp-route: the initialize request cannot be re-encoded (${(err as Error).message}); is it nested too deeply?`,
                data: { reason: 'INVALID_INITIALIZE' },
              }),
            );
            return null;
          }
          return Buffer.from(`${rewritten}\n`);
        }
        // null (mcp-route answered or holds the request) is a verdict too: only undefined passes the frame on.
        const modern = maybeModern || info.message ? fromModernHost(frame, info, read) : undefined;
        return modern === undefined ? true : modern;
      }
      case 'notification':
        if (info.method === CANCELLED) {
          const requestId = (info.message?.params as { requestId?: JsonRpcId } | undefined)?.requestId;
          if (requestId !== undefined) {
            pendingHost.delete(idKey(requestId));
            const verdict = inputRequired.cancelledByHost(requestId, info.message ?? {});
            if (verdict !== undefined) return verdict;
          }
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

  const streamFromHost = (headBytes: Buffer): LongLine | undefined => {
    if (!mayStartJsonRpc(headBytes)) return discardNonJson('host', headBytes);
    const head = classifyHead(headBytes);
    if (!head) return undefined;
    if (head.method !== undefined && head.method !== 'initialize' && head.method !== CANCELLED && !hostSpeaksModern) {
      return {
        onEnd: (tail: Buffer) => {
          const id = head.id !== undefined ? { id: head.id, text: head.idText! } : tailIdWithText(tail);
          if (id !== undefined) pendingHost.set(idKey(id.id), id.text);
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
    host = { sampling: declared !== undefined && declared !== null, samplingTools: !!declared?.tools, elicitation: declaresFormElicitation(capabilities.elicitation) };
    hostKnown();
    log.debug(`host declared sampling: ${host.sampling}${host.samplingTools ? ' (with tools)' : ''}`);
    return {
      ...message,
      params: { ...params, capabilities: { ...capabilities, sampling: o.toolsMayBeAllowed ? { tools: {} } : {} } },
    };
  }

  // ---- sampling ----------------------------------------------------------------------------
  // A 2025 server's pushed sampling request. (2026 sampling arrives inside input_required
  // results and is answered in input-required.ts through the same router.)
  /** `id` is the request's id, `text` its JSON text from the frame (what the reply carries). */
  async function answerSampling(id: JsonRpcId, text: string, message: Record<string, unknown>): Promise<void> {
    const key = idKey(id);
    const controller = new AbortController();
    samplingInFlight++;
    if (inflight.has(key)) log.warn(`the server reused sampling request id ${JSON.stringify(id)} while it was in flight`);
    inflight.set(key, controller);
    const params = message.params;
    try {
      const router = await getRouter();
      if (o.dryRun) {
        const error = o.dryRun(router, params, currentServerName(), id);
        sendLineToServer(replyLine(text, 'error', error));
        return;
      }
      const result = await router.createMessage(params, {
        serverName: currentServerName(),
        signal: controller.signal,
        requestId: id,
        session,
      });
      // A cancelled request gets no response (MCP cancellation: "SHOULD NOT send a response").
      if (controller.signal.aborted) return;
      sendLineToServer(replyLine(text, 'result', result));
    } catch (err) {
      if (controller.signal.aborted) return;
      const error = toWireError(err, redact);
      log.info(`sampling request ${text} failed: ${error.message}`);
      sendLineToServer(replyLine(text, 'error', error));
    } finally {
      samplingInFlight--;
      if (inflight.get(key) === controller) inflight.delete(key);
    }
  }

  /** `id` is the JSON text of the request's id. Logged at most once a second: a flood must not flood stderr too. */
  let refusedUnlogged = 0;
  let lastRefusalLog = 0;
  function refuseSampling(id: string, error: WireError): void {
    const now = Date.now();
    if (now - lastRefusalLog >= 1_000) {
      const more = refusedUnlogged ? ` (and ${refusedUnlogged} more refused since the last such line)` : '';
      log.warn(`sampling request ${id} refused: ${error.message}${more}`);
      lastRefusalLog = now;
      refusedUnlogged = 0;
    } else refusedUnlogged++;
    sendLineToServer(replyLine(id, 'error', error));
  }

  // ---- lines nobody may see, and lines too long to parse -------------------------------------
  /** Drops a long non-JSON line as it arrives (a stray log without newlines must not fill memory). */
  function discardNonJson(side: 'server' | 'host', head: Buffer): LongLine {
    return {
      discard: true,
      onEnd: (_tail, length) => {
        const text = head.subarray(0, 200).toString('utf8');
        log.warn(`dropped a line from the ${side}'s ${side === 'server' ? 'stdout' : 'stdin'} that is not JSON-RPC (${length} bytes): ${JSON.stringify(text)}`);
      },
    };
  }

  const tooLarge = (what: string, length: number): WireError => ({
    code: WIRE_INVALID_REQUEST,
    message: `mcp-route: ${what} is ${length} bytes, over the limit of ${maxParsedFrame} bytes for messages mcp-route must read`,
    data: { reason: 'FRAME_TOO_LARGE', bytes: length, limit: maxParsedFrame },
  });

  /** A server line that had to be parsed grew past the cap: answer whoever waits for it, never drop silently. */
  function serverLineTooLarge(headBytes: Buffer, tail: Buffer, length: number): void {
    const head = classifyHead(headBytes);
    const id = head?.id !== undefined ? { id: head.id, text: head.idText! } : tailIdWithText(tail);
    if (head?.method === SAMPLING && id !== undefined) {
      refuseSampling(id.text, tooLarge('the sampling request', length));
      return;
    }
    if (head && head.method === undefined && id !== undefined && idKey(id.id) === initializeKey) {
      initializeKey = undefined;
      const text = pendingHost.get(idKey(id.id)) ?? id.text;
      pendingHost.delete(idKey(id.id));
      log.warn(`the server's initialize response is ${length} bytes, over the limit of ${maxParsedFrame}: the host gets an error instead`);
      sendLineToHost(replyLine(text, 'error', tooLarge("the server's initialize response", length)));
      return;
    }
    log.warn(`dropped a ${length}-byte line from the server: over the limit of ${maxParsedFrame} bytes for messages mcp-route must read, and not one it can answer`);
  }

  function hostLineTooLarge(headBytes: Buffer, tail: Buffer, length: number): void {
    const head = classifyHead(headBytes);
    const id = head?.id !== undefined ? { id: head.id, text: head.idText! } : tailIdWithText(tail);
    if (head?.method !== undefined && id !== undefined) {
      log.warn(`refused a ${length}-byte ${head.method} request from the host: over the limit of ${maxParsedFrame} bytes`);
      sendLineToHost(replyLine(id.text, 'error', tooLarge(`the ${head.method} request`, length)));
      return;
    }
    if (head?.method === undefined && hostRequests.owns(id?.id)) {
      // The host's answer to our sampling request: a failed attempt, so the router falls back.
      hostRequests.settle(id.id, { error: { code: WIRE_INTERNAL_ERROR, message: `its answer is ${length} bytes, over the limit of ${maxParsedFrame}` } });
      return;
    }
    log.warn(`dropped a ${length}-byte line from the host: over the limit of ${maxParsedFrame} bytes for messages mcp-route must read`);
  }

  // ---- wiring and lifecycle -----------------------------------------------------------------
  // Frames may keep their line ending (every reader here skips trailing blanks): see FramerOptions.
  const serverFramer = new LineFramer(fromServer, toHost, streamFromServer, { maxLine: maxParsedFrame, onOverflow: serverLineTooLarge }, { lineEndInFrame: true });
  const hostFramer = new LineFramer(fromHost, toServer, streamFromHost, { maxLine: maxParsedFrame, onOverflow: hostLineTooLarge }, { lineEndInFrame: true });

  const onHostClosed = () => {
    if (hostInputClosed) return;
    hostInputClosed = true;
    hostKnown();
    hostFramer.end();
    hostRequests.failAll(new Error('the host closed the connection'));
    log.debug('host closed its input: closing the server');
    server.close();
  };

  return new Promise<number>((resolve) => {
    const finish = ({ code, how }: ServerExit) => {
      serverFramer.end();
      // Anything the server never answered gets an answer now, so no host call hangs.
      for (const [key, text] of pendingHost) {
        sendLineToHost(
          replyLine(text ?? JSON.stringify(key), 'error', { code: WIRE_CONNECTION_CLOSED, message: `mcp-route: the server exited (${how}) before answering`, data: { reason: 'SERVER_EXITED' } }),
        );
      }
      pendingHost.clear();
      inputRequired.serverExited();
      for (const controller of inflight.values()) controller.abort(new Error('the server exited'));
      hostRequests.failAll(new Error('the server exited'));
      server.dispose();
      hostSide.stop();
      log.debug(`server exited with ${how}`);
      const closeRouter = routerPromise ? routerPromise.then((r) => r.close()).catch((err: unknown) => log.warn(`closing the router: ${(err as Error).message}`)) : Promise.resolve();
      void closeRouter.then(() => resolve(code));
    };
    server.start({
      data: (chunk: Buffer) => {
        serverFramer.push(chunk);
        if (samplingInChunk > 0) {
          // A chunk of sampling requests started work in microtasks: let the host's traffic in
          // before the next chunk, so a flood cannot hold pings up. Pass-through chunks skip this.
          samplingInChunk = 0;
          yieldServer();
        }
      },
      exited: finish,
    });
    hostSide.start({
      data: (chunk: Buffer) => hostFramer.push(chunk),
      inputClosed: onHostClosed,
      outputBroken: () => {
        hostOutputBroken = true;
        if (hostBlocked) server.resume(); // keep draining the server so it never blocks on a full pipe
        onHostClosed();
      },
    });
  });
}
