// Protocol 2026-07-28 multi round-trip requests (SEP-2322), seen from the proxy: a host's
// tools/call, prompts/get or resources/read may come back `input_required`; mcp-route answers
// the sampling entries through the router and repeats the request to the server itself, so
// the host sees only the final result (or, in a mixed round, only its own entries, behind a
// handle). The server's requestState is carried byte for byte and never read.
//
// The proxy calls in at four points (host request, host cancellation, server response,
// server progress); everything here runs only for requests that carry the 2026 `_meta`.

import { McpRouteError } from '../errors.js';
import type { InputRound, Router } from '../router/types.js';
import { DEFAULT_INPUT_REQUIRED } from '../policy/defaults.js';
import type { InputRequiredConfig } from '../policy/types.js';
import { abortableDelay } from '../util/abortable-delay.js';
import { randomBytes } from '../util/random-bytes.js';
import { idKey, type IdKey, type JsonRpcId } from './classify-frame.js';
import { hostDeclaresSampling, hostDeclaresFormElicitation, includesBytes, INPUT_REQUIRED_METHODS, withSamplingCapability, type ModernRequestBytes } from './era.js';
import { InputHandles, type HeldRound, type PendingApprovals } from './input-handles.js';
import { ApprovalRound } from '../approval/input-approvals.js';
import type { SamplingSession } from '../approval/session.js';
import type { FrameVerdict } from './line-framer.js';
import type { Logger } from './log.js';
import { toWireError, WIRE_INVALID_PARAMS, type WireError } from './wire-errors.js';
import { SlotMap } from '../util/slot-map.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const SAMPLING = 'sampling/createMessage';
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo';
/** The SDKs pace a requestState-only (load shedding) leg by 250 ms; we back off from there. */
const SHED_BACKOFF_MS = 250;
const SHED_BACKOFF_MAX_MS = 2_000;
/** Bounds on what an untrusted server may put in one input_required result. */
const MAX_INPUT_REQUESTS = 64;
const MAX_KEY_LENGTH = 256;
const INPUT_REQUIRED_BYTES = Buffer.from('"input_required"');
/** Its underscore: rare in JSON, searched first (see includesBytes). */
const INPUT_REQUIRED_RARE = INPUT_REQUIRED_BYTES.indexOf('_');

export interface InputRequiredDeps {
  sendToServer(message: Obj): void;
  sendToHost(message: Obj): void;
  getRouter(): Promise<Router>;
  serverName(): string;
  /** A 2026 result named its server (`_meta` serverInfo): there is no initialize to learn it from. */
  learnServerName?(name: string): void;
  log: Logger;
  redact: (text: string) => string;
  toolsMayBeAllowed: boolean;
  /** The server connection's caps and remembered approvals (shared with the 2025 path). */
  session?: SamplingSession;
  /** The host's request is answered (or will never be): the proxy's pending bookkeeping. */
  settled(hostId: JsonRpcId): void;
  /** --dry-run: the error each sampling entry gets instead of a provider call. */
  dryRun?: (router: Router, params: unknown, serverName: string, requestId: JsonRpcId) => WireError;
  now?: () => number;
}

/** What the rounds need from the host's request; most calls never have a round, so read only when one comes. */
interface HostRequest {
  /** The host's params with the capability added, without inputResponses / requestState. */
  params: Obj;
  name?: string;
  /** The host declared sampling itself: entries the policy sends to a `client` provider go to it. */
  hostSampling: boolean;
  /** The host declared form elicitation in this request: `approval: ask` can ask it (else approvalFallback answers). */
  hostElicitation: boolean;
}

interface Call {
  hostId: JsonRpcId;
  method: string;
  /** See request(): reads the host's request once, on the first round. */
  readRequest: () => HostRequest;
  request?: HostRequest;
  /** The leg in flight at the server, if any (the host's own id for the first leg). */
  legId?: JsonRpcId;
  rounds: number;
  sheds: number;
  /** Started when the call arrives; enforced while mcp-route is the one working. */
  startedAt: number;
  /** Made on first use (see controllerOf): most calls end with no round, cancellation or deadline. */
  controller: AbortController | undefined;
  deadlineTimer?: NodeJS.Timeout;
  progressKey?: string;
  progressBase: number;
  lastProgress: number;
  over: boolean;
}

/** A call's abort controller, made when first needed (an AbortController costs more than the rest of a call's bookkeeping). */
function controllerOf(call: Call): AbortController {
  call.controller ??= new AbortController();
  return call.controller;
}

export class InputRequiredCalls {
  /** Ids of the legs mcp-route sends itself: random, so they never collide with the host's. */
  readonly legPrefix = `mcp-route-${randomBytes(4).toString('hex')}-leg-`;
  private nextLeg = 1;
  /** Keys of mcp-route's approval questions among a round's inputRequests (see approvalKey). */
  private readonly approvalPrefix = `mcp-route-approval-${randomBytes(4).toString('hex')}-`;
  private nextApproval = 1;
  /** SlotMaps: a call is tracked and finished per 2026 request (see src/util/slot-map.ts). */
  private readonly legs = new SlotMap<IdKey, Call>();
  private readonly byHost = new SlotMap<IdKey, Call>();
  private readonly byProgress = new Map<string, Call>();
  private handles?: InputHandles;
  private readonly now: () => number;

  constructor(private readonly d: InputRequiredDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Progress notifications need a look only while some 2026 call has a progress token. */
  get watchingProgress(): boolean {
    return this.byProgress.size > 0;
  }

  /** Whether a server response with this id belongs to a leg (ours or the first, under the host's id). */
  ownsResponse(id: JsonRpcId): boolean {
    return this.legs.has(idKey(id)) || (typeof id === 'string' && id.startsWith(this.legPrefix));
  }

  /** Long responses are streamed on only when they cannot belong to a leg. */
  mayOwnResponse(id: JsonRpcId | undefined): boolean {
    return id === undefined ? this.legs.size > 0 : this.ownsResponse(id);
  }

  /**
   * A 2026 host request: adds the sampling capability and, for the three methods that may
   * answer input_required, starts tracking it. Returns what to send the server, or null when
   * mcp-route answered the host itself (an unknown handle).
   */
  fromHost(message: Obj, id: JsonRpcId | undefined, method: string): Obj | null {
    const rewritten = withSamplingCapability(message, this.d.toolsMayBeAllowed);
    if (id === undefined || !INPUT_REQUIRED_METHODS.has(method)) return rewritten;
    const params = rewritten.params as Obj;
    const { inputResponses, requestState, ...base } = params;
    const responses = isObj(inputResponses) ? inputResponses : {};

    let held: HeldRound | undefined;
    let legParams: Obj = params;
    const fromHost: Obj = {};
    if (InputHandles.looksLikeHandle(requestState)) {
      held = this.handles?.take(requestState);
      if (!held || held.method !== method) {
        held?.pending?.stop(new Error('the handle came back with another method'));
        this.d.sendToHost({
          jsonrpc: '2.0',
          id,
          error: {
            code: WIRE_INVALID_PARAMS,
            message: 'mcp-route: unknown or expired requestState handle; start the request again without requestState and inputResponses',
            data: { reason: 'UNKNOWN_HANDLE' },
          },
        });
        this.d.settled(id);
        return null;
      }
      // The host answers only its own keys; mcp-route's answers and the server's state come back from the handle.
      for (const key of held.hostKeys) if (Object.hasOwn(responses, key)) fromHost[key] = responses[key];
      legParams = { ...base, inputResponses: { ...fromHost, ...held.answered }, ...(held.serverState !== undefined ? { requestState: held.serverState } : {}) };
    }

    const request = hostRequestOf(message, method, base);
    const call = this.track(id, method, () => request, isObj(base._meta) ? base._meta.progressToken : undefined, held?.rounds ?? 0);
    if (held?.pending) {
      // Router calls wait for the host's approval answers: mcp-route finishes them, then sends the leg itself.
      this.legs.delete(idKey(id));
      call.legId = undefined;
      void this.resume(call, held, held.pending, fromHost, responses);
      return null;
    }
    return { ...rewritten, params: legParams };
  }

  /**
   * A 2026 host request whose capabilities were rewritten on its bytes (era.ts,
   * samplingCapabilityBytes): no inputResponses or requestState, so no handle to look up. The
   * three methods that may answer input_required are tracked; their params are parsed only if
   * a round comes. Returns the frame's verdict: the rewritten bytes, or the original ones.
   */
  fromHostBytes(frame: Buffer, request: ModernRequestBytes, id: JsonRpcId | undefined, method: string): FrameVerdict {
    if (id !== undefined && INPUT_REQUIRED_METHODS.has(method)) {
      // Kept for a later round: the rewrite is a fresh buffer already (parsing it gives what
      // withSamplingCapability makes of the original); else a copy, as the frame may be a view
      // of a chunk its reader reuses.
      const source = request.rewritten ?? Buffer.from(frame);
      const read = () => {
        const message = JSON.parse(source.toString('utf8')) as Obj;
        return hostRequestOf(message, method, withSamplingCapability(message, this.d.toolsMayBeAllowed).params as Obj);
      };
      this.track(id, method, read, request.progressToken, 0);
    }
    return request.rewritten ?? true;
  }

  /** The host's request as the rounds see it (parsed on first use; a request that cannot be read fails the call). */
  private request(call: Call): HostRequest {
    call.request ??= call.readRequest();
    return call.request;
  }

  /** Starts tracking a host request whose first leg goes out under the host's own id. */
  private track(id: JsonRpcId, method: string, readRequest: () => HostRequest, token: unknown, rounds: number): Call {
    const call: Call = {
      hostId: id,
      method,
      readRequest,
      legId: id,
      rounds,
      sheds: 0,
      startedAt: this.now(),
      controller: undefined,
      progressBase: 0,
      lastProgress: 0,
      over: false,
    };
    if (typeof token === 'string' || typeof token === 'number') {
      call.progressKey = JSON.stringify(token);
      this.byProgress.set(call.progressKey, call);
    }
    this.byHost.set(idKey(id), call);
    this.legs.set(idKey(id), call);
    return call;
  }

  /**
   * The host came back with answers to approval questions: the waiting router calls go on (or
   * refuse), and the round's answers, with the host's own, go to the server in a new leg.
   */
  private async resume(call: Call, held: HeldRound, pending: PendingApprovals, fromHost: Obj, responses: Obj): Promise<void> {
    controllerOf(call).signal.addEventListener('abort', () => pending.stop(controllerOf(call).signal.reason), { once: true });
    try {
      const router = await this.d.getRouter();
      this.armDeadline(call, router.policy.defaults.deadline);
      pending.approvals.answer(responses);
      const ours = await pending.answers;
      this.sendLeg(call, { ...this.request(call).params, inputResponses: { ...fromHost, ...ours }, ...(held.serverState !== undefined ? { requestState: held.serverState } : {}) });
    } catch (err) {
      if (!call.over) this.fail(call, err);
    }
  }

  /**
   * The host cancelled one of its requests. undefined: not a tracked call (pass it on as is);
   * otherwise the verdict for the notification's frame.
   */
  cancelledByHost(requestId: JsonRpcId, message: Obj): FrameVerdict | undefined {
    const call = this.byHost.get(idKey(requestId));
    if (!call) return undefined;
    const leg = call.legId;
    this.finish(call);
    controllerOf(call).abort(new McpRouteError('ABORTED', 'mcp-route: the request was cancelled', { reason: 'cancelled by the host' }));
    this.d.log.debug(`host cancelled ${call.method} ${JSON.stringify(requestId)}${leg === undefined ? ' while mcp-route answered its input requests' : ''}`);
    if (leg === undefined) return null;
    if (leg === requestId) return true;
    // The server knows the leg in flight by mcp-route's id, not the host's.
    const params = isObj(message.params) ? message.params : {};
    return Buffer.from(`${JSON.stringify({ ...message, params: { ...params, requestId: leg } })}\n`);
  }

  /** A server response to a leg (see ownsResponse). `message` is given when already parsed. */
  fromServer(id: JsonRpcId, frame: Buffer, message: Obj | undefined): FrameVerdict {
    const call = this.legs.get(idKey(id));
    if (!call) return null; // a late answer to a leg of a cancelled or finished call
    // The fast path: a final result for the host's own id passes as the original bytes.
    if (!message && id === call.hostId && !includesBytes(frame, INPUT_REQUIRED_BYTES, INPUT_REQUIRED_RARE)) {
      this.finish(call);
      return true;
    }
    let parsed = message;
    if (!parsed) {
      try {
        parsed = JSON.parse(frame.toString('utf8')) as Obj;
      } catch {
        parsed = {};
      }
    }
    this.legs.delete(idKey(id));
    call.legId = undefined;
    const result = parsed.result;
    if (isObj(result) && result.resultType === 'input_required') {
      const info = isObj(result._meta) ? result._meta[SERVER_INFO_META] : undefined;
      if (isObj(info) && typeof info.name === 'string' && info.name) this.d.learnServerName?.(info.name);
      void this.round(call, result);
      return null;
    }
    this.finish(call);
    if (id === call.hostId) return true;
    // Returned as the frame's replacement (not sent aside) so it keeps its place after the
    // notifications the server wrote before it.
    return Buffer.from(`${JSON.stringify({ ...parsed, id: call.hostId })}\n`);
  }

  /** A server progress notification: kept monotonic for the host across legs. */
  progressFromServer(message: Obj): FrameVerdict {
    const params = isObj(message.params) ? message.params : undefined;
    const token = params?.progressToken;
    if (!params || (typeof token !== 'string' && typeof token !== 'number')) return true;
    const call = this.byProgress.get(JSON.stringify(token));
    if (!call || typeof params.progress !== 'number') return true;
    const progress = call.progressBase + params.progress;
    // Progress must increase with each notification (MCP spec); a new leg starts from where the last one got.
    if (progress <= call.lastProgress && call.lastProgress > 0) return null;
    call.lastProgress = progress;
    if (call.progressBase === 0) return true;
    const total = typeof params.total === 'number' ? { total: call.progressBase + params.total } : {};
    return Buffer.from(`${JSON.stringify({ ...message, params: { ...params, progress, ...total } })}\n`);
  }

  /** The server is gone: stop every router call; the proxy answers the host's pending ids. */
  serverExited(): void {
    for (const call of [...this.byHost.values()]) {
      this.finish(call);
      controllerOf(call).abort(new Error('the server exited'));
    }
    this.handles?.clear();
  }

  // ---- one round -----------------------------------------------------------------------------

  private async round(call: Call, result: Obj): Promise<void> {
    try {
      call.rounds++;
      const router = await this.d.getRouter();
      const config: InputRequiredConfig = router.policy.inputRequired ?? DEFAULT_INPUT_REQUIRED;
      this.armDeadline(call, router.policy.defaults.deadline);
      if (call.rounds > config.maxRounds) {
        throw new McpRouteError('INPUT_ROUNDS_EXCEEDED', `mcp-route: the server still asked for input after ${config.maxRounds} rounds (the limit, inputRequired.maxRounds)`, {
          reason: `more than ${config.maxRounds} input_required rounds`,
          rounds: call.rounds - 1,
        });
      }
      const { requests, state } = readInputRequired(result);
      const entries = Object.entries(requests);
      if (entries.length === 0) {
        // Load shedding: only requestState came back. Wait a little and ask again; it counts as a round.
        const delay = Math.min(SHED_BACKOFF_MS * 2 ** call.sheds++, SHED_BACKOFF_MAX_MS);
        await abortableDelay(delay, controllerOf(call).signal);
        this.sendLeg(call, { ...this.request(call).params, ...(state !== undefined ? { requestState: state } : {}) });
        return;
      }
      const isOurs = ([, entry]: [string, { method: string; params: unknown }]) => entry.method === SAMPLING && !this.routesToHost(call, router, entry.params);
      const ours = entries.filter(isOurs);
      const hostKeys = entries.filter((e) => !isOurs(e)).map(([key]) => key);
      const { answered, pending } = await this.answer(call, router, ours, requests);
      if (call.over) return pending?.stop(new Error('the request is over'));
      if (hostKeys.length > 0 || pending) {
        this.handles ??= new InputHandles(config.handleTtl, config.maxHandles, this.now);
        const forHost: Obj = {};
        for (const key of hostKeys) forHost[key] = requests[key];
        // The approval questions ride beside the host's own entries, under keys the server does not use.
        if (pending) Object.assign(forHost, pending.approvals.deliver(config.handleTtl));
        const handle = this.handles.put({ method: call.method, ...(state !== undefined ? { serverState: state } : {}), answered, hostKeys, rounds: call.rounds, ...(pending ? { pending } : {}) });
        this.finish(call);
        this.d.sendToHost({
          jsonrpc: '2.0',
          id: call.hostId,
          result: { ...(isObj(result._meta) ? { _meta: result._meta } : {}), resultType: 'input_required', inputRequests: forHost, requestState: handle },
        });
        return;
      }
      this.sendLeg(call, { ...this.request(call).params, inputResponses: answered, ...(state !== undefined ? { requestState: state } : {}) });
    } catch (err) {
      if (call.over) return;
      this.fail(call, err);
    }
  }

  /**
   * Answers the sampling entries in parallel; the first failure stops the others (their
   * reservations are released). When some wait for a human's approval, returns once every entry
   * has finished or waits, with `pending` holding the waiting calls.
   */
  private async answer(call: Call, router: Router, entries: Array<[string, { method: string; params: unknown }]>, requests: Obj): Promise<{ answered: Obj; pending?: PendingApprovals }> {
    const answered: Obj = {};
    if (entries.length === 0) return { answered };
    const serverName = this.d.serverName();
    if (this.d.dryRun) {
      const error = this.d.dryRun(router, entries[0]![1].params, serverName, call.hostId);
      throw new McpRouteError('DENIED_BY_RULE', error.message, error.data ?? {});
    }
    const stopOthers = new AbortController();
    const signal = AbortSignal.any([controllerOf(call).signal, stopOthers.signal]);
    // Without form elicitation nobody can be asked: null keeps any approver the router has, and approvalFallback answers.
    const { name, hostElicitation } = this.request(call);
    const approvals = hostElicitation ? new ApprovalRound(entries.length, () => this.approvalKey(requests)) : undefined;
    const all = Promise.all(
      entries.map(async ([key, entry]) => {
        const inputRound: InputRound = { method: call.method, ...(name !== undefined ? { name } : {}), hostRequestId: call.hostId, round: call.rounds, key };
        try {
          answered[key] = await router.createMessage(entry.params, {
            serverName,
            signal,
            requestId: call.hostId,
            inputRound,
            approver: approvals?.approver ?? null,
            ...(this.d.session ? { session: this.d.session } : {}),
          });
        } catch (err) {
          stopOthers.abort(err);
          throw err;
        } finally {
          approvals?.entryFinished();
        }
      }),
    ).then(() => answered);
    if (!approvals) return { answered: await all };
    await Promise.race([all, approvals.quiet]);
    // A failure ends the round even when questions are waiting (they are aborted with it).
    if (approvals.asking === 0 || stopOthers.signal.aborted) return { answered: await all };
    all.catch(() => {}); // read on the host's retry; a handle never used is dropped
    return { answered, pending: { approvals, answers: all, stop: (reason) => stopOthers.abort(reason) } };
  }

  /** A key for an approval question: mcp-route's random prefix, and never one of the server's keys. */
  private approvalKey(requests: Obj): string {
    let key: string;
    do key = `${this.approvalPrefix}${this.nextApproval++}`;
    while (Object.hasOwn(requests, key));
    return key;
  }

  /** Sampling the policy sends to a `client` provider (the host's own model) is the host's to answer, when it declared sampling. */
  private routesToHost(call: Call, router: Router, params: unknown): boolean {
    if (!this.request(call).hostSampling) return false;
    try {
      const decision = router.explain(params, { serverName: this.d.serverName(), hostSampling: true });
      return decision.action === 'route' && router.policy.providers[decision.candidates[0].provider]?.type === 'client';
    } catch {
      return false; // malformed params: the router's own answer says what is wrong
    }
  }

  private sendLeg(call: Call, params: Obj): void {
    if (call.over) return;
    const id = `${this.legPrefix}${this.nextLeg++}`;
    call.legId = id;
    call.progressBase = call.lastProgress;
    this.legs.set(idKey(id), call);
    this.d.sendToServer({ jsonrpc: '2.0', id, method: call.method, params });
  }

  /** The policy's deadline covers every round mcp-route runs for one host request. */
  private armDeadline(call: Call, deadlineMs: number): void {
    if (call.deadlineTimer) return;
    const left = call.startedAt + deadlineMs - this.now();
    const expire = () => {
      if (call.over) return;
      const leg = call.legId;
      this.fail(
        call,
        new McpRouteError('DEADLINE_EXCEEDED', `mcp-route: no final result within the ${deadlineMs}ms deadline across input_required rounds`, { reason: `deadline of ${deadlineMs}ms exceeded` }),
      );
      controllerOf(call).abort(new Error('deadline'));
      if (leg !== undefined) this.d.sendToServer({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: leg, reason: 'mcp-route: deadline exceeded' } });
    };
    if (left <= 0) {
      expire();
      return;
    }
    call.deadlineTimer = setTimeout(expire, left);
    call.deadlineTimer.unref?.();
  }

  /** mcp-route's own part failed: tools/call gets isError (as the SDK's own shim does), the others a JSON-RPC error. */
  private fail(call: Call, err: unknown): void {
    this.finish(call);
    const error = toWireError(err, this.d.redact);
    // Only a name already read: the request may be the unreadable thing that failed.
    const name = call.request?.name;
    this.d.log.info(`${call.method} ${JSON.stringify(call.hostId)}${name ? ` (${name})` : ''} failed in input round ${call.rounds}: ${error.message}`);
    if (call.method === 'tools/call') {
      // resultType is required of 2026 results (the SDK v2 client rejects a result without it).
      this.d.sendToHost({ jsonrpc: '2.0', id: call.hostId, result: { content: [{ type: 'text', text: error.message }], isError: true, resultType: 'complete' } });
    } else {
      this.d.sendToHost({ jsonrpc: '2.0', id: call.hostId, error });
    }
  }

  private finish(call: Call): void {
    if (call.over) return;
    call.over = true;
    if (call.deadlineTimer) clearTimeout(call.deadlineTimer);
    if (call.legId !== undefined) this.legs.delete(idKey(call.legId));
    this.byHost.delete(idKey(call.hostId));
    if (call.progressKey !== undefined && this.byProgress.get(call.progressKey) === call) this.byProgress.delete(call.progressKey);
    this.d.settled(call.hostId);
  }
}

/** The parts of a 2026 host request the rounds use; `params` has the capability added and no inputResponses / requestState. */
function hostRequestOf(message: Obj, method: string, params: Obj): HostRequest {
  const name = method === 'resources/read' ? params.uri : params.name;
  // What the host declared itself, before mcp-route added sampling for the server.
  const hostMeta = isObj(message.params) && isObj(message.params._meta) ? message.params._meta : undefined;
  return {
    params,
    ...(typeof name === 'string' ? { name } : {}),
    hostSampling: hostMeta !== undefined && hostDeclaresSampling(hostMeta),
    hostElicitation: hostMeta !== undefined && hostDeclaresFormElicitation(hostMeta),
  };
}

/** Checks the untrusted shape once, at the edge: entries are `{method, params}` under bounded keys. */
function readInputRequired(result: Obj): { requests: Record<string, { method: string; params: unknown }>; state?: string } {
  const bad = (why: string) => new McpRouteError('BAD_INPUT_REQUIRED', `mcp-route: the server's input_required result ${why}`, { reason: why });
  const state = result.requestState;
  if (state !== undefined && typeof state !== 'string') throw bad('has a requestState that is not a string');
  const raw = result.inputRequests;
  if (raw !== undefined && !isObj(raw)) throw bad('has inputRequests that is not an object');
  const requests: Record<string, { method: string; params: unknown }> = {};
  const entries = Object.entries(raw ?? {});
  if (entries.length > MAX_INPUT_REQUESTS) throw bad(`has ${entries.length} inputRequests (at most ${MAX_INPUT_REQUESTS})`);
  for (const [key, entry] of entries) {
    if (key.length > MAX_KEY_LENGTH) throw bad(`has an inputRequests key longer than ${MAX_KEY_LENGTH} characters`);
    if (!isObj(entry) || typeof entry.method !== 'string') throw bad(`has an inputRequests entry "${key.slice(0, 40)}" without a method`);
    requests[key] = entry as { method: string; params: unknown };
  }
  if (entries.length === 0 && state === undefined) throw bad('has neither inputRequests nor requestState');
  return { requests, ...(state !== undefined ? { state } : {}) };
}
