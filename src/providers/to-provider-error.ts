// Turns whatever an SDK call threw into a ProviderError that execution can act on:
// isRetryable (408/409/429/5xx, connection reset, timeout), tryNext (another model or
// another provider's key might succeed) and retryAfterMs. Both SDKs share one error shape
// (status + headers + error body), so one mapper serves both. Messages are redacted.

import { ProviderError, McpRouteError, isRetryableStatus } from '../errors.js';
import type { Redactor } from '../redact.js';
import { MalformedResponseError } from './malformed-response-error.js';

export interface ErrorContext {
  provider: string;
  model: string;
  redact: Redactor;
  signal?: AbortSignal;
  /** The API's base URL, named when a connection fails without saying where it was going. */
  endpoint?: string;
}

// 400s where another model could still answer: the prompt is too long for this one, the
// model does not exist here, this model rejects a parameter of the request ("Unsupported
// value: 'temperature' does not support 0.7 with this model", "`temperature` and `top_p`
// cannot both be specified for this model"), or this provider's filter refused the content.
const TRY_NEXT_400 =
  /context[ _-]?length|context window|maximum context|prompt is too long|too many tokens|max_tokens|model[_ ]not[_ ]found|does not exist|unknown model|not supported|unsupported|does not support|(for|with) this model|content[_ ]policy|content[_ ]filter|safety|refus/i;

// What fetch-based SDKs say when the real cause is further down the `cause` chain.
const GENERIC_CONNECTION_TEXT = /^(connection error\.?|fetch failed|terminated|other side closed)$/i;

/**
 * The syscall behind a failed connection, as `ECONNREFUSED 127.0.0.1:9` or
 * `ENOTFOUND api.example.com`: the SDKs wrap it twice ("Connection error." < "fetch failed").
 */
export function describeConnectionFailure(err: unknown, baseURL?: string): string {
  const endpoint = hostOf(baseURL);
  let fallback: string | undefined;
  const queue: unknown[] = [err];
  // Bounded: cause chains and AggregateError lists come from outside code.
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const e = queue.shift() as { code?: unknown; address?: unknown; port?: unknown; hostname?: unknown; message?: unknown; cause?: unknown; errors?: unknown } | null;
    if (!e || typeof e !== 'object') continue;
    if (typeof e.code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(e.code)) {
      if (typeof e.address === 'string') return `${e.code} ${e.address}${e.port !== undefined ? `:${String(e.port)}` : ''}`;
      if (typeof e.hostname === 'string') return `${e.code} ${e.hostname}`;
      if (!Array.isArray(e.errors)) return endpoint ? `${e.code} ${endpoint}` : e.code;
    }
    if (typeof e.message === 'string' && e.message && !GENERIC_CONNECTION_TEXT.test(e.message)) fallback ??= e.message;
    if (Array.isArray(e.errors)) {
      if (typeof e.code === 'string') fallback ??= e.code;
      queue.push(...e.errors);
    }
    if (e.cause !== undefined) queue.push(e.cause);
  }
  const text = fallback ?? 'no details';
  return endpoint ? `${text}, ${endpoint}` : text;
}

/** host:port of a URL, without path or credentials; undefined when there is none. */
function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.port ? u.host : `${u.hostname}:${u.protocol === 'http:' ? 80 : 443}`;
  } catch {
    return undefined;
  }
}

export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (Number.isFinite(Number(value))) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Connection errors that happen before a byte of the request can have reached the provider. */
function neverSent(code: string | undefined): boolean {
  return code !== undefined && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_INVALID_URL)$/.test(code);
}

function errorName(err: unknown): string {
  return (err as { constructor?: { name?: string } })?.constructor?.name ?? (err as { name?: string })?.name ?? '';
}

export function toProviderError(err: unknown, ctx: ErrorContext): ProviderError | McpRouteError {
  if (err instanceof ProviderError) return err;
  if (err instanceof McpRouteError) return err; // e.g. UNSUPPORTED_CONTENT from a mapper
  const { provider, model, redact } = ctx;
  const base = { provider, model, cause: undefined as unknown };
  const name = errorName(err);
  const rawMessage = err instanceof Error ? err.message : String(err);

  if (ctx.signal?.aborted || name === 'APIUserAbortError' || name === 'AbortError') {
    return new ProviderError({ ...base, message: `${provider}/${model}: request aborted`, isRetryable: false, tryNext: false });
  }
  if (name === 'APIConnectionTimeoutError') {
    return new ProviderError({ ...base, message: `${provider}/${model}: request timed out`, isRetryable: true, tryNext: true });
  }
  if (name === 'APIConnectionError') {
    const detail = describeConnectionFailure(err, ctx.endpoint);
    return new ProviderError({
      ...base,
      message: redact(`${provider}/${model}: connection failed (${detail})`),
      isRetryable: true,
      tryNext: true,
      billed: neverSent(detail.split(/[ ,]/)[0]) ? 'no' : 'maybe',
    });
  }
  if (err instanceof MalformedResponseError || err instanceof SyntaxError) {
    // A garbled 200 is not worth repeating at once, but another provider may well answer.
    return new ProviderError({ ...base, message: redact(`${provider}/${model}: malformed response (${rawMessage})`), isRetryable: false, tryNext: true });
  }
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number') {
    const headers = (err as { headers?: { get(name: string): string | null } }).headers;
    const body = (err as { error?: unknown }).error as { message?: string; code?: string; type?: string; error?: { message?: string; type?: string; code?: string } } | undefined;
    const inner = body?.error ?? body;
    const detail = [inner?.type, inner?.code, inner?.message ?? rawMessage].filter(Boolean).join(': ');
    let tryNext: boolean;
    if (isRetryableStatus(status) || status === 401 || status === 403 || status === 404 || status === 413) tryNext = true;
    else if (status === 400 || status === 422) tryNext = TRY_NEXT_400.test(detail);
    else tryNext = false;
    return new ProviderError({
      ...base,
      status,
      message: redact(`${provider}/${model}: HTTP ${status} ${detail}`),
      isRetryable: isRetryableStatus(status),
      tryNext,
      retryAfterMs: parseRetryAfter(headers),
      // A bare 5xx (often a gateway giving up on the upstream) says nothing about whether the
      // model ran; a 5xx with an error body, like any 4xx, is the provider refusing the call.
      billed: status >= 500 && (body === undefined || body === null || (body as unknown) === '') ? 'maybe' : 'no',
    });
  }
  // Socket-level failures surfaced without an SDK wrapper.
  const code = (err as { code?: string }).code;
  if (code && /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR/.test(code)) {
    const detail = describeConnectionFailure(err, ctx.endpoint);
    return new ProviderError({ ...base, message: redact(`${provider}/${model}: connection failed (${detail})`), isRetryable: true, tryNext: true, billed: neverSent(code) ? 'no' : 'maybe' });
  }
  return new ProviderError({ ...base, message: redact(`${provider}/${model}: ${rawMessage}`), isRetryable: false, tryNext: true });
}
