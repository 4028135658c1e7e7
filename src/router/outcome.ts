// The outcome record of one sampling request: started when the request arrives, filled in as
// it is routed, handed to `onOutcome` exactly once, whether the request was answered or failed.

import { McpRouteError, type Attempt, type ErrorCode } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { RouteOptions, RouterOptions, SamplingOutcome } from './types.js';

export interface OutcomeRecorder {
  /** The record being filled in; read by onOutcome once `report` or `fail` was called. */
  readonly outcome: SamplingOutcome;
  /** Completes the record and hands it to onOutcome (the first call only). */
  report(fields: Partial<SamplingOutcome>): void;
  /** Records a failure (any throw becomes an McpRouteError) and throws it. */
  fail(err: unknown): never;
}

/** What kind of outcome a failure's error code makes. */
function failureKind(code: ErrorCode): SamplingOutcome['outcome'] {
  switch (code) {
    case 'INVALID_PARAMS':
      return 'invalid';
    case 'DENIED_BY_RULE':
    case 'TOOLS_DENIED':
    case 'NO_CANDIDATES':
    case 'APPROVAL_DECLINED':
    case 'LIMIT_REACHED':
      return 'denied';
    case 'BUDGET_EXCEEDED':
      return 'budget';
    case 'ABORTED':
      return 'aborted';
    default:
      return 'failed';
  }
}

export function recordOutcome(route: RouteOptions, now: () => number, redact: Redactor, onOutcome: RouterOptions['onOutcome']): OutcomeRecorder {
  const started = performance.now();
  const arrived = now();
  const outcome: SamplingOutcome = {
    // Formatted when the record is complete: the ISO text is a few microseconds that a
    // streamed call's first token need not wait for. The key stays first in the record.
    time: '',
    ...(route.serverName !== undefined ? { server: route.serverName } : {}),
    ...(route.requestId !== undefined ? { requestId: route.requestId } : {}),
    ...(route.via !== undefined ? { via: route.via } : {}),
    ...(route.inputRound !== undefined ? { inputRound: route.inputRound } : {}),
    rule: null,
    candidates: [],
    attempts: [],
    outcome: 'failed',
    durationMs: 0,
  };
  let reported = false;
  const report = (fields: Partial<SamplingOutcome>) => {
    if (reported || !onOutcome) return;
    reported = true;
    outcome.time = new Date(arrived).toISOString();
    Object.assign(outcome, fields, { durationMs: Math.round((performance.now() - started) * 1000) / 1000 });
    try {
      onOutcome(outcome);
    } catch {
      // An observer's failure must not change the answer the server gets.
    }
  };
  const fail = (err: unknown): never => {
    const e = err instanceof McpRouteError ? err : new McpRouteError('ALL_CANDIDATES_FAILED', redact(`mcp-route: ${err instanceof Error ? err.message : String(err)}`), { reason: 'internal error' });
    const attempts = (e.data.attempts as Attempt[] | undefined) ?? outcome.attempts;
    report({ outcome: failureKind(e.code), attempts, error: { code: e.code, message: redact(e.message) } });
    throw e;
  };
  return { outcome, report, fail };
}
