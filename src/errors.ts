// Local errors carry string codes; the proxy maps them to numeric JSON-RPC codes in one
// place (src/proxy/wire-errors.ts). Every message is safe to show: secrets are redacted
// before an error is built (see redact.ts).

export type ErrorCode =
  | 'POLICY_INVALID'
  | 'POLICY_NOT_FOUND'
  | 'INVALID_PARAMS'
  | 'DENIED_BY_RULE'
  | 'TOOLS_DENIED'
  | 'APPROVAL_DECLINED'
  | 'LIMIT_REACHED'
  | 'NO_CANDIDATES'
  | 'BUDGET_EXCEEDED'
  | 'ALL_CANDIDATES_FAILED'
  | 'PROVIDER_ERROR'
  | 'ABORTED'
  | 'DEADLINE_EXCEEDED'
  | 'UNSUPPORTED_CONTENT'
  | 'STORE_ERROR'
  /** Protocol 2026-07-28: a server kept answering input_required past inputRequired.maxRounds. */
  | 'INPUT_ROUNDS_EXCEEDED'
  /** Protocol 2026-07-28: a server's input_required result is malformed. */
  | 'BAD_INPUT_REQUIRED';

export class McpRouteError extends Error {
  readonly code: ErrorCode;
  /** Structured data safe to put on the wire (`data` of the JSON-RPC error). */
  readonly data: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'McpRouteError';
    this.code = code;
    this.data = data;
  }
}

export interface Attempt {
  provider: string;
  model: string;
  /** HTTP status when there was one. */
  status?: number;
  /** Redacted message; undefined on success. */
  error?: string;
  /** ms */
  duration: number;
  ok: boolean;
}

/** Thrown by providers. `isRetryable` drives the retry loop; `tryNext` drives fallback. */
export class ProviderError extends McpRouteError {
  readonly status?: number;
  readonly isRetryable: boolean;
  /** True when another candidate might succeed where this one failed (e.g. context length, model not found, 5xx). */
  readonly tryNext: boolean;
  /** Server-requested delay before retrying, ms (from retry-after / retry-after-ms). */
  readonly retryAfterMs?: number;
  /**
   * Whether the provider may have billed the call: `no` for a definitive error answer (an HTTP
   * 4xx, a 5xx with a body, a refused connection), `maybe` when the request may have run (a
   * timeout or a reset after it was sent). Budgets keep the worst case only for `maybe`.
   */
  readonly billed: 'no' | 'maybe';
  readonly provider: string;
  readonly model: string;
  constructor(init: {
    message: string;
    provider: string;
    model: string;
    status?: number;
    isRetryable?: boolean;
    tryNext?: boolean;
    retryAfterMs?: number;
    /** Default: `no` when there is an HTTP status (the provider answered), else `maybe`. */
    billed?: 'no' | 'maybe';
    cause?: unknown;
  }) {
    super('PROVIDER_ERROR', init.message, { provider: init.provider, model: init.model, status: init.status }, { cause: init.cause });
    this.name = 'ProviderError';
    this.status = init.status;
    this.provider = init.provider;
    this.model = init.model;
    this.retryAfterMs = init.retryAfterMs;
    this.isRetryable = init.isRetryable ?? isRetryableStatus(init.status);
    this.tryNext = init.tryNext ?? true;
    this.billed = init.billed ?? (init.status !== undefined ? 'no' : 'maybe');
  }
}

/** 408, 409, 429 and 5xx are worth retrying; anything else is not. */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export class PolicyError extends McpRouteError {
  /** Lint-style diagnostics, each `file:line:col: error: message`. */
  readonly diagnostics: ReadonlyArray<{ severity: 'error' | 'warning'; message: string; line: number; column: number; code: string; path: string }>;
  constructor(message: string, diagnostics: PolicyError['diagnostics']) {
    super('POLICY_INVALID', message, { diagnostics: diagnostics.length });
    this.name = 'PolicyError';
    this.diagnostics = diagnostics;
  }
}
