// Runs a Decision: candidates in order, each with its own retry loop (p-retry, exponential
// backoff with full jitter, retry-after honoured up to maxDelay), a per-attempt timeout, an
// overall deadline and the caller's AbortSignal. Budgets hook in through `admit`, so this
// module knows nothing about stores; cooldown is recorded here and read by the router.

import pRetry, { AbortError } from 'p-retry';
import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError, ProviderError, type Attempt } from '../errors.js';
import type { Candidate, RouteDecision } from '../routing/types.js';
import type { Provider, Usage } from '../providers/types.js';
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

export async function executeDecision(decision: RouteDecision, request: CreateMessageRequestParams, deps: ExecuteDeps): Promise<ExecutionResult> {
  const { settings } = decision;
  const redact = deps.redact ?? ((s: string) => s);
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const attempts: Attempt[] = [];
  const caller = deps.signal;
  const deadlineSignal = AbortSignal.timeout(Math.max(1, settings.deadline));
  const overall = caller ? AbortSignal.any([caller, deadlineSignal]) : deadlineSignal;
  const started = performance.now();

  const stopped = (): McpRouteError | undefined => {
    if (caller?.aborted) {
      return new McpRouteError('ABORTED', 'mcp-route: the request was cancelled', { reason: 'cancelled by the caller', attempts });
    }
    if (deadlineSignal.aborted) {
      return new McpRouteError('DEADLINE_EXCEEDED', `mcp-route: no answer within the ${settings.deadline}ms deadline`, {
        reason: `deadline of ${settings.deadline}ms exceeded`,
        attempts,
      });
    }
    return undefined;
  };

  let lastError: unknown;
  // Once a delta has reached a streaming caller, another attempt would repeat or contradict
  // what the caller already holds: the first failure after that ends the request.
  let streamed = false;
  let notTried: Candidate[] = [];
  for (const [index, candidate] of decision.candidates.entries()) {
    const halt = stopped();
    if (halt) throw halt;
    const provider = deps.getProvider(candidate.provider);
    if (!provider) {
      attempts.push({ provider: candidate.provider, model: candidate.model, ok: false, duration: 0, error: `provider "${candidate.provider}" is not available` });
      continue;
    }
    const admission = deps.admit ? await admitWithin(deps.admit, candidate, overall, stopped) : {};
    if ('skip' in admission) {
      attempts.push({ provider: candidate.provider, model: candidate.model, ok: false, duration: 0, error: redact(`skipped: ${admission.skip}`) });
      continue;
    }

    // Each candidate gets its own maxTokens (set by routing: the ceiling, or a smaller maxOutput).
    const candidateRequest = candidate.maxTokens === request.maxTokens ? request : { ...request, maxTokens: candidate.maxTokens };
    const timeout = Math.max(1, Math.min(settings.timeout, providerTimeout(provider) ?? Infinity));
    const sink = deps.onDelta;
    const from = { provider: candidate.provider, model: candidate.model };
    const onDelta = sink
      ? (text: string) => {
          streamed = true;
          sink(text, from);
        }
      : undefined;
    const calls: CallOutcome[] = [];
    try {
      const out = await pRetry(
        async () => {
          const halted = stopped();
          if (halted) throw new AbortError(halted);
          const attemptTimeout = AbortSignal.timeout(timeout);
          const signal = AbortSignal.any([overall, attemptTimeout]);
          const t0 = performance.now();
          try {
            const value = await provider.createMessage(candidateRequest, {
              signal,
              model: candidate.providerModel,
              modelId: candidate.model,
              ...(candidate.params ? { params: candidate.params } : {}),
              ...(onDelta ? { onDelta } : {}),
            });
            calls.push({ kind: 'answered', usage: value.usage });
            attempts.push({ provider: candidate.provider, model: candidate.model, ok: true, duration: Math.round(performance.now() - t0) });
            return value;
          } catch (raw) {
            const duration = Math.round(performance.now() - t0);
            const halted2 = stopped();
            let err: unknown = raw;
            if (!halted2 && attemptTimeout.aborted) {
              err = new ProviderError({
                provider: candidate.provider,
                model: candidate.model,
                message: `${candidate.provider}/${candidate.model}: timed out after ${timeout}ms`,
                isRetryable: true,
                tryNext: true,
              });
            }
            calls.push({ kind: callOutcomeOf(err) });
            const message = withoutCandidatePrefix(err instanceof Error ? err.message : String(err), candidate);
            attempts.push({
              provider: candidate.provider,
              model: candidate.model,
              ok: false,
              duration,
              status: err instanceof ProviderError ? err.status : undefined,
              error: redact(halted2 ? `${message} (${halted2.code === 'ABORTED' ? 'cancelled' : 'deadline'})` : message),
            });
            if (halted2) throw new AbortError(halted2);
            if (err instanceof ProviderError && err.isRetryable && !streamed) throw err;
            throw new AbortError(err instanceof Error ? err : new Error(String(err)));
          }
        },
        {
          retries: Math.max(0, settings.retry.attempts - 1),
          minTimeout: 0,
          maxTimeout: 0,
          // The wait happens here rather than in p-retry so that it can use full jitter
          // and the server's retry-after, and end early on abort or when past the deadline.
          onFailedAttempt: async ({ error, retriesLeft, attemptNumber }) => {
            if (retriesLeft <= 0) return;
            const retryAfter = error instanceof ProviderError ? error.retryAfterMs : undefined;
            const delay =
              retryAfter !== undefined
                ? Math.min(retryAfter, settings.retry.maxDelay)
                : backoffDelay(attemptNumber, settings.retry.initialDelay, settings.retry.maxDelay, random);
            const remaining = settings.deadline - (performance.now() - started);
            // Waiting past the deadline would only end in DEADLINE_EXCEEDED; the next
            // candidate may still answer in time.
            if (delay >= remaining) throw error;
            if (delay > 0) {
              try {
                await abortableDelay(delay, overall);
              } catch {
                throw stopped() ?? error;
              }
            }
            // Every HTTP call counts against rpm/tpm, retries included (a retry storm against a
            // failing provider is exactly what a rate limit is for).
            const refused = await retryAdmission(admission);
            if (refused !== undefined) {
              attempts.push({ provider: candidate.provider, model: candidate.model, ok: false, duration: 0, error: redact(`retry not made: ${refused}`) });
              throw error;
            }
            const halted = stopped();
            if (halted) throw halted;
          },
        },
      );
      deps.cooldown?.clear(candidate.provider, candidate.model);
      await settle(admission, calls);
      return { ...out, candidate, attempts };
    } catch (err) {
      // A cancelled request gives its reservation back (DESIGN, "Protocol eras"): whoever
      // cancelled no longer wants the answer, and the provider call was aborted with it.
      await settle(admission, caller?.aborted ? calls.map((c): CallOutcome => (c.kind === 'answered' ? c : { kind: 'unsent' })) : calls);
      const halt2 = err instanceof McpRouteError && (err.code === 'ABORTED' || err.code === 'DEADLINE_EXCEEDED') ? err : stopped();
      if (halt2) throw halt2;
      lastError = err;
      if (coolsDown(err)) deps.cooldown?.mark(candidate.provider, candidate.model, settings.cooldown, now());
      if (streamed || !movesOn(err, settings.fallbackOn)) {
        notTried = decision.candidates.slice(index + 1);
        break;
      }
    }
  }

  const failures = attempts.filter((a) => !a.ok);
  const summary = failures.map((a) => `${a.provider}/${a.model}: ${a.error ?? 'failed'}`).join('; ');
  const last = lastError instanceof Error ? redact(lastError.message) : undefined;
  if (notTried.length > 0) {
    // Saying "every candidate failed" here would send the operator looking at the wrong models.
    const status = lastError instanceof ProviderError ? lastError.status : undefined;
    const hint = status !== undefined && !streamed ? ` (list ${status} under fallbackOn to try the next candidate after it)` : '';
    const names = notTried.map((c) => `${c.provider}/${c.model}`);
    throw new McpRouteError('ALL_CANDIDATES_FAILED', redact(`mcp-route: stopped after a non-retryable error: ${summary}; not tried: ${names.join(', ')}${hint}`), {
      reason: last ?? 'stopped after a non-retryable error',
      attempts,
      notTried: names,
    });
  }
  throw new McpRouteError('ALL_CANDIDATES_FAILED', redact(`mcp-route: every candidate failed: ${summary || 'no candidate could be tried'}`), {
    reason: last ?? 'no candidate could be tried',
    attempts,
  });
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
async function admitWithin(
  admit: NonNullable<ExecuteDeps['admit']>,
  candidate: Candidate,
  overall: AbortSignal,
  stopped: () => McpRouteError | undefined,
): Promise<Admission> {
  const pending = admit(candidate, overall);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stopped() ?? new McpRouteError('ABORTED', 'mcp-route: the request was cancelled', { reason: 'cancelled by the caller' }));
    if (overall.aborted) onAbort();
    else overall.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (err) {
    const halt = stopped();
    if (halt) {
      void pending.then((late) => settle(late, []), () => {});
      throw halt;
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
