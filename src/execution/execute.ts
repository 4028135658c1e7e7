// Runs a Decision in three layers: the fallback loop over the candidates (executeDecision),
// one candidate (admission, its retry loop under p-retry, settlement, cooldown: runCandidate),
// one attempt (a single provider call under its timeout: attempt). Retries back off with full
// jitter and honour retry-after up to maxDelay; the request has an overall deadline and the
// caller's AbortSignal, and either is the one stop reason every layer checks. Budgets hook in
// through `admit`, so this module knows nothing about stores; cooldown is recorded here and
// read by the router.

import pRetry, { AbortError } from 'p-retry';
import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError, ProviderError, type Attempt } from '../errors.js';
import type { Candidate, EffectiveSettings, RouteDecision } from '../routing/types.js';
import type { Provider, ProviderCallOptions, ProviderResult, Usage } from '../providers/types.js';
import type { Redactor } from '../redact.js';
import type { Cooldown } from './cooldown.js';
import { abortableDelay } from '../util/abortable-delay.js';
import { movesOn } from './fallback-on.js';

/**
 * What one HTTP call (attempt) came to, as budgets need it: `answered` with the usage the
 * provider reported; `refused` when the provider answered with a definitive error (nothing
 * billed); `unknown` when it may have billed (a timeout or reset after the request was sent, a
 * garbled 200); `unsent` when the request never left mcp-route.
 */
export type CallOutcome = { kind: 'answered'; usage: Usage | undefined } | { kind: 'refused' } | { kind: 'unknown' } | { kind: 'unsent' };

/** What a budget gate said about one candidate before its first attempt. */
export type Admission =
  | { skip: string }
  | {
      /**
       * Before every HTTP call after the first (retries): counts it against the rate limits.
       * Resolves with why it may not be made, or undefined to go ahead.
       */
      retry?: () => Promise<string | undefined>;
      /**
       * Called once after the candidate is done with every call it made, in order (the first
       * call, then one per admitted retry; a retry admitted but never made is missing).
       */
      done?: (outcome: { calls: CallOutcome[] }) => Promise<void>;
    };

export interface ExecuteDeps {
  getProvider(name: string): Provider | undefined;
  /** The caller's cancellation: stops everything at once. */
  signal?: AbortSignal;
  cooldown?: Cooldown;
  /** ms epoch clock (cooldown bookkeeping). */
  now?: () => number;
  redact?: Redactor;
  /**
   * Budget reservation per candidate; may throw (onExceed: reject) or skip (fallback). `signal`
   * ends at the request's deadline or cancellation: a wait for capacity must end with it.
   */
  admit?: (candidate: Candidate, signal: AbortSignal) => Promise<Admission>;
  /** Random in [0,1) for jitter; injectable for tests. */
  random?: () => number;
  /** A streaming caller's sink for text deltas (see ProviderCallOptions.onDelta). */
  onDelta?: (text: string, from: { provider: string; model: string }) => void;
  /**
   * Called with the result as soon as a candidate has answered, before its budget admission is
   * settled (executeDecision still resolves after the settlement): the answer need not wait
   * for bookkeeping. A throw from it is ignored.
   */
  onResult?: (result: ExecutionResult) => void;
}

export interface ExecutionResult {
  result: CreateMessageResult;
  usage: Usage | undefined;
  candidate: Candidate;
  attempts: Attempt[];
}

/** Full-jitter exponential backoff before retry number `retry` (1-based). */
export function backoffDelay(retry: number, initialDelay: number, maxDelay: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelay, initialDelay * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Errors that say the candidate is unhealthy right now, rather than the request being wrong. */
function coolsDown(err: unknown): boolean {
  return err instanceof ProviderError && err.isRetryable;
}

/** An attempt lists provider and model in their own fields: its text should not repeat them. */
function withoutCandidatePrefix(message: string, candidate: Candidate): string {
  const prefix = `${candidate.provider}/${candidate.model}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** One request's execution: what every layer reads and the attempts they all record. */
interface Run {
  settings: EffectiveSettings;
  deps: ExecuteDeps;
  redact: Redactor;
  attempts: Attempt[];
  /**
   * A signal that ends at the deadline or the caller's cancellation (the deadline only once
   * armDeadline() ran), for the waits that need one (budget admission, backoff); made on
   * first use. A method, not a getter: a getter defined per run in an object literal gives
   * every run object a map of its own, which V8 keeps until a full GC (callgrind counted
   * 50-110 k more GC instructions per gateway call with one).
   */
  overall(): AbortSignal;
  /**
   * Calls `listener` with the reason when the run ends (cancellation, deadline) while it is
   * set; returns how to unset it. One at a time: an attempt's, and attempts do not overlap.
   */
  onEnd(listener: (reason: unknown) => void): () => void;
  /** performance.now() when execution began: the deadline counts from here. */
  started: number;
  /**
   * Once a delta has reached a streaming caller, another attempt would repeat or contradict
   * what the caller already holds: the first failure after that ends the request.
   */
  streamed: boolean;
  /** ms left before the deadline (0 once it has passed). */
  remaining(): number;
  /** Ends the run now, as the deadline. */
  expire(): void;
  /**
   * Makes `overall` end at the deadline by itself, for the waits with no timer of their own
   * (budget admission, backoff); an attempt's own timer covers the deadline (see attempt()).
   */
  armDeadline(): void;
  /** Clears the timer and the caller's listener: the run is over. */
  end(): void;
  /** Why the request must stop now (cancelled, past its deadline), else undefined. */
  stopReason(): McpRouteError | undefined;
}

// One AbortController per attempt (the signal the provider call takes), the run's own only
// when a wait needs one, its deadline timer armed only then too, and one timer per attempt:
// AbortSignal.timeout() and AbortSignal.any() cost several times more per call (weak
// references, finalisation registries), and most calls are one attempt that waits for
// nothing else. An AbortSignal is costly to make in node (an EventTarget whose prototype is
// swapped) and to listen to: the run tells its attempt of its end through onEnd instead.
function startRun(settings: EffectiveSettings, deps: ExecuteDeps): Run {
  const attempts: Attempt[] = [];
  const caller = deps.signal;
  const started = performance.now();
  let expired = false;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;
  let endReason: unknown;
  let controller: AbortController | undefined;
  let listener: ((reason: unknown) => void) | undefined;
  const endWith = (reason: unknown) => {
    if (ended) return;
    ended = true;
    endReason = reason;
    controller?.abort(reason);
    listener?.(reason);
  };
  const onCaller = () => endWith(caller!.reason);
  if (caller?.aborted) onCaller();
  else caller?.addEventListener('abort', onCaller, { once: true });
  const run: Run = {
    settings,
    deps,
    redact: deps.redact ?? ((s: string) => s),
    attempts,
    overall() {
      if (!controller) {
        controller = new AbortController();
        if (ended) controller.abort(endReason);
      }
      return controller.signal;
    },
    onEnd(fn) {
      listener = fn;
      return () => {
        if (listener === fn) listener = undefined;
      };
    },
    started,
    streamed: false,
    remaining: () => Math.max(0, settings.deadline - (performance.now() - started)),
    expire() {
      expired = true;
      endWith(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    },
    armDeadline() {
      if (deadlineTimer !== undefined || ended) return;
      const left = run.remaining();
      if (left <= 0) return run.expire();
      deadlineTimer = setTimeout(run.expire, left);
      // Like AbortSignal.timeout(): a pending deadline does not keep the process alive.
      deadlineTimer.unref?.();
    },
    end() {
      clearTimeout(deadlineTimer);
      caller?.removeEventListener('abort', onCaller);
    },
    stopReason() {
      if (caller?.aborted) return new McpRouteError('ABORTED', 'mcp-route: the request was cancelled', { reason: 'cancelled by the caller', attempts });
      if (expired || run.remaining() <= 0) {
        return new McpRouteError('DEADLINE_EXCEEDED', `mcp-route: no answer within the ${settings.deadline}ms deadline`, {
          reason: `deadline of ${settings.deadline}ms exceeded`,
          attempts,
        });
      }
      return undefined;
    },
  };
  return run;
}

/** What one candidate came to: its answer, or the error that ended it. */
type CandidateResult = { ok: true; value: ProviderResult } | { ok: false; error: unknown };

/** Layer 1, the fallback loop: candidates in order until one answers or a failure ends the request. */
export async function executeDecision(decision: RouteDecision, request: CreateMessageRequestParams, deps: ExecuteDeps): Promise<ExecutionResult> {
  const run = startRun(decision.settings, deps);
  try {
    return await fallBack(run, decision, request);
  } finally {
    run.end();
  }
}

// No `{ ...value, candidate }` here or for an attempt's options: V8 (Node 20) gives an object
// that starts with a spread a hidden class of its own, and a key added after the spread then
// makes a new one on every call, which every later reader of the object meets as a new shape
// (callgrind: map copies, descriptor appends and megamorphic loads on each gateway call).
function executionResult(value: ProviderResult, candidate: Candidate, attempts: Attempt[]): ExecutionResult {
  return { result: value.result, usage: value.usage, candidate, attempts };
}

async function fallBack(run: Run, decision: RouteDecision, request: CreateMessageRequestParams): Promise<ExecutionResult> {
  let lastError: unknown;
  for (const [index, candidate] of decision.candidates.entries()) {
    const stop = run.stopReason();
    if (stop) throw stop;
    const tried = await runCandidate(run, candidate, request);
    if (tried === undefined) continue;
    if (tried.ok) return executionResult(tried.value, candidate, run.attempts);
    lastError = tried.error;
    if (run.streamed || !movesOn(tried.error, run.settings.fallbackOn)) {
      const notTried = decision.candidates.slice(index + 1);
      if (notTried.length > 0) throw stoppedEarly(run, lastError, notTried);
      break;
    }
  }
  throw everyCandidateFailed(run, lastError);
}

/**
 * Layer 2, one candidate: its provider, its budget admission, its retry loop (p-retry owns
 * it: `whetherToRetry` decides and waits), then settlement and cooldown. Undefined when the
 * candidate could not be tried at all (no provider, a fallback budget skipped it).
 */
async function runCandidate(run: Run, candidate: Candidate, request: CreateMessageRequestParams): Promise<CandidateResult | undefined> {
  const { deps, settings } = run;
  const provider = deps.getProvider(candidate.provider);
  if (!provider) {
    run.attempts.push({ provider: candidate.provider, model: candidate.model, ok: false, duration: 0, error: `provider "${candidate.provider}" is not available` });
    return undefined;
  }
  const admission = deps.admit ? await admitWithin(deps.admit, candidate, run) : {};
  if ('skip' in admission) {
    run.attempts.push({ provider: candidate.provider, model: candidate.model, ok: false, duration: 0, error: run.redact(`skipped: ${admission.skip}`) });
    return undefined;
  }
  const calls: CallOutcome[] = [];
  const call = prepareCall(run, candidate, provider, request);
  try {
    const value = await withRetries(() => attempt(run, call, calls), {
      retries: Math.max(0, settings.retry.attempts - 1),
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: ({ error, attemptNumber }) => whetherToRetry(run, candidate, admission, error, attemptNumber),
    });
    deps.cooldown?.clear(candidate.provider, candidate.model);
    early(deps, executionResult(value, candidate, run.attempts));
    await settle(admission, calls);
    return { ok: true, value };
  } catch (err) {
    // A cancelled request gives its reservation back (DESIGN, "Protocol eras"): whoever
    // cancelled no longer wants the answer, and the provider call was aborted with it.
    await settle(admission, deps.signal?.aborted ? calls.map((c): CallOutcome => (c.kind === 'answered' ? c : { kind: 'unsent' })) : calls);
    const stop = err instanceof McpRouteError && (err.code === 'ABORTED' || err.code === 'DEADLINE_EXCEEDED') ? err : run.stopReason();
    if (stop) throw stop;
    if (coolsDown(err)) deps.cooldown?.mark(candidate.provider, candidate.model, settings.cooldown, (deps.now ?? Date.now)());
    return { ok: false, error: err };
  }
}

/**
 * p-retry over `call`, entered only once the first attempt has failed: most calls answer at
 * the first attempt, and setting up p-retry's loop was a few per cent of a gateway call's CPU
 * (README, "Speed"). The first failure is handed to p-retry as its own first attempt's, so
 * what follows (AbortError, shouldRetry, the attempt numbers) is exactly p-retry's.
 */
async function withRetries<T>(call: () => Promise<T>, options: Parameters<typeof pRetry>[1]): Promise<T> {
  let first: unknown;
  try {
    return await call();
  } catch (err) {
    first = err;
  }
  let failedFirst = true;
  return pRetry(() => {
    if (!failedFirst) return call();
    failedFirst = false;
    return Promise.reject(first);
  }, options);
}

/**
 * Asked by p-retry after a failed attempt that has retries left: whether to make another, after
 * waiting (full jitter, or the server's retry-after up to maxDelay). No retry for an error that
 * is not worth one, once the caller holds streamed text, when the wait would pass the deadline,
 * or when the rate limits refuse the call. Throws the stop reason when the request ended meanwhile.
 */
async function whetherToRetry(run: Run, candidate: Candidate, admission: Admission, error: Error, attemptNumber: number): Promise<boolean> {
  if (!(error instanceof ProviderError && error.isRetryable) || run.streamed) return false;
  const { retry } = run.settings;
  const delay = error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, retry.maxDelay) : backoffDelay(attemptNumber, retry.initialDelay, retry.maxDelay, run.deps.random ?? Math.random);
  // Waiting past the deadline would only end in DEADLINE_EXCEEDED; the next candidate may
  // still answer in time.
  if (delay >= run.remaining()) return false;
  if (delay > 0) {
    try {
      await abortableDelay(delay, run.overall());
    } catch {
      const stop = run.stopReason();
      if (stop) throw stop;
      return false;
    }
  }
  // Every HTTP call counts against rpm/tpm, retries included (a retry storm against a failing
  // provider is exactly what a rate limit is for).
  const refused = await retryAdmission(admission);
  if (refused !== undefined) {
    run.attempts.push({ provider: candidate.provider, model: candidate.model, ok: false, duration: 0, error: run.redact(`retry not made: ${refused}`) });
    return false;
  }
  const stop = run.stopReason();
  if (stop) throw stop;
  return true;
}

/** What every attempt at one candidate sends: the request with its maxTokens, the options, the timeout. */
interface PreparedCall {
  candidate: Candidate;
  provider: Provider;
  request: CreateMessageRequestParams;
  options: Omit<ProviderCallOptions, 'signal'>;
  timeout: number;
}

function prepareCall(run: Run, candidate: Candidate, provider: Provider, request: CreateMessageRequestParams): PreparedCall {
  const sink = run.deps.onDelta;
  const from = { provider: candidate.provider, model: candidate.model };
  const onDelta = sink
    ? (text: string) => {
        run.streamed = true;
        sink(text, from);
      }
    : undefined;
  return {
    candidate,
    provider,
    // Each candidate gets its own maxTokens (set by routing: the ceiling, or a smaller maxOutput).
    request: candidate.maxTokens === request.maxTokens ? request : { ...request, maxTokens: candidate.maxTokens },
    options: {
      model: candidate.providerModel,
      modelId: candidate.model,
      ...(candidate.params ? { params: candidate.params } : {}),
      ...(onDelta ? { onDelta } : {}),
    },
    timeout: Math.max(1, Math.min(run.settings.timeout, providerTimeout(provider) ?? Infinity)),
  };
}

/**
 * Layer 3, one attempt: a single provider call under the attempt's timeout and the request's
 * deadline, recorded as an Attempt and a CallOutcome. Throws the stop reason (wrapped so that
 * p-retry ends at once) or the call's error, which whetherToRetry judges.
 */
async function attempt(run: Run, call: PreparedCall, calls: CallOutcome[]): Promise<ProviderResult> {
  const { candidate } = call;
  const stop = run.stopReason();
  if (stop) throw new AbortError(stop);
  const limit = attemptLimit(run, call.timeout);
  const t0 = performance.now();
  try {
    const value = await call.provider.createMessage(call.request, Object.assign({ signal: limit.signal }, call.options));
    calls.push({ kind: 'answered', usage: value.usage });
    run.attempts.push({ provider: candidate.provider, model: candidate.model, ok: true, duration: Math.round(performance.now() - t0) });
    return value;
  } catch (raw) {
    const duration = Math.round(performance.now() - t0);
    const stopped = run.stopReason();
    const err = !stopped && limit.timedOut() ? timedOut(candidate, call.timeout) : raw;
    calls.push({ kind: callOutcomeOf(err) });
    const message = withoutCandidatePrefix(err instanceof Error ? err.message : String(err), candidate);
    run.attempts.push({
      provider: candidate.provider,
      model: candidate.model,
      ok: false,
      duration,
      status: err instanceof ProviderError ? err.status : undefined,
      error: run.redact(stopped ? `${message} (${stopped.code === 'ABORTED' ? 'cancelled' : 'deadline'})` : message),
    });
    if (stopped) throw new AbortError(stopped);
    throw err instanceof Error ? err : new Error(String(err));
  } finally {
    limit.clear();
  }
}

/**
 * One attempt's signal: it ends with the request (cancellation, deadline) or at the attempt's
 * timeout. One timer serves both limits: it fires at whichever comes first, and ends the whole
 * request when that was the deadline.
 */
function attemptLimit(run: Run, timeout: number): { signal: AbortSignal; timedOut(): boolean; clear(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const unlisten = run.onEnd((reason) => controller.abort(reason));
  const untilDeadline = run.remaining();
  const timer = setTimeout(
    () => {
      if (timeout < untilDeadline) {
        timedOut = true;
        controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
      } else run.expire();
    },
    Math.max(1, Math.min(timeout, untilDeadline)),
  );
  timer.unref?.();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear() {
      clearTimeout(timer);
      unlisten();
    },
  };
}

function timedOut(candidate: Candidate, timeout: number): ProviderError {
  return new ProviderError({
    provider: candidate.provider,
    model: candidate.model,
    message: `${candidate.provider}/${candidate.model}: timed out after ${timeout}ms`,
    isRetryable: true,
    tryNext: true,
  });
}

/** The request ends on a failure that does not move on: saying "every candidate failed" would send the operator looking at the wrong models. */
function stoppedEarly(run: Run, lastError: unknown, notTried: Candidate[]): McpRouteError {
  const status = lastError instanceof ProviderError ? lastError.status : undefined;
  const hint = status !== undefined && !run.streamed ? ` (list ${status} under fallbackOn to try the next candidate after it)` : '';
  const names = notTried.map((c) => `${c.provider}/${c.model}`);
  const reason = lastError instanceof Error ? run.redact(lastError.message) : 'stopped after a non-retryable error';
  return new McpRouteError('ALL_CANDIDATES_FAILED', run.redact(`mcp-route: stopped after a non-retryable error: ${failureSummary(run)}; not tried: ${names.join(', ')}${hint}`), {
    reason,
    attempts: run.attempts,
    notTried: names,
  });
}

function everyCandidateFailed(run: Run, lastError: unknown): McpRouteError {
  const reason = lastError instanceof Error ? run.redact(lastError.message) : 'no candidate could be tried';
  return new McpRouteError('ALL_CANDIDATES_FAILED', run.redact(`mcp-route: every candidate failed: ${failureSummary(run) || 'no candidate could be tried'}`), {
    reason,
    attempts: run.attempts,
  });
}

function failureSummary(run: Run): string {
  return run.attempts
    .filter((a) => !a.ok)
    .map((a) => `${a.provider}/${a.model}: ${a.error ?? 'failed'}`)
    .join('; ');
}

/** Hands the answer over before settlement (ExecuteDeps.onResult). */
function early(deps: ExecuteDeps, result: ExecutionResult): void {
  try {
    deps.onResult?.(result);
  } catch {
    // The caller gets the same result when executeDecision resolves.
  }
}

// Settling is bookkeeping: a store hiccup after the answer arrived must not turn that
// answer into a failure, nor settle the same reservation twice.
async function settle(admission: Admission, calls: CallOutcome[]): Promise<void> {
  if (!('done' in admission) || !admission.done) return;
  try {
    await admission.done({ calls });
  } catch {
    // The reservation's lease expires on its own in the store.
  }
}

/** Whether a failed call may have been billed (see CallOutcome). */
function callOutcomeOf(err: unknown): Exclude<CallOutcome, { kind: 'answered' }>['kind'] {
  if (err instanceof ProviderError) return err.billed === 'no' ? 'refused' : 'unknown';
  if (err instanceof McpRouteError && err.code === 'UNSUPPORTED_CONTENT') return 'unsent';
  return 'unknown';
}

async function retryAdmission(admission: Admission): Promise<string | undefined> {
  if (!('retry' in admission) || !admission.retry) return undefined;
  try {
    return await admission.retry();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The admission raced against the request's deadline and cancellation: a store that does not
 * answer, or a budget wait, must not hold the request past its deadline. A reservation that
 * arrives after the race was lost is given straight back, so a late request never keeps a slot.
 */
async function admitWithin(admit: NonNullable<ExecuteDeps['admit']>, candidate: Candidate, run: Run): Promise<Admission> {
  const overall = run.overall();
  // A store or a budget wait has no timer of its own: the deadline must end it.
  run.armDeadline();
  const pending = admit(candidate, overall);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(run.stopReason() ?? new McpRouteError('ABORTED', 'mcp-route: the request was cancelled', { reason: 'cancelled by the caller' }));
    if (overall.aborted) onAbort();
    else overall.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (err) {
    const stop = run.stopReason();
    if (stop) {
      void pending.then(
        (late) => settle(late, []),
        () => {},
      );
      throw stop;
    }
    throw err;
  } finally {
    overall.removeEventListener('abort', onAbort!);
    aborted.catch(() => {});
  }
}

function providerTimeout(provider: Provider): number | undefined {
  return typeof provider.timeout === 'number' && provider.timeout > 0 ? provider.timeout : undefined;
}
