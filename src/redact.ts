// One place that scrubs credentials from anything that may leave the process (error
// messages, attempt lists, logs, audit lines, wire errors). Redaction works on string values
// only, never on serialised JSON (a secret that happens to read "false" must not turn
// `"ok":false` into invalid JSON), and it never throws: a scrubber that fails would take the
// error path down with it. Known secrets are replaced exactly; anything shaped like an
// OpenAI/Anthropic key is replaced too, in case a provider echoes one back.

const KEY_SHAPES = /\b(?:sk-ant-[A-Za-z0-9_-]{6,}|sk-(?:proj-)?[A-Za-z0-9_-]{8,})/g;

/** Shorter values are not redacted: replacing "abc" everywhere would garble every message. */
export const MIN_SECRET_LENGTH = 4;
export const REDACTED = '[redacted]';

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly string[]): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const known = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    try {
      let out = typeof text === 'string' ? text : safeString(text);
      for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      return out.replace(KEY_SHAPES, REDACTED);
    } catch {
      // Only a string too large to copy gets here; what cannot be checked does not go out.
      return '[unprintable]';
    }
  };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}

/** Nesting kept by redactValue; deeper values are replaced by a marker (audit lines, wire data). */
export const MAX_REDACT_DEPTH = 64;

export interface RedactValueOptions {
  /** Nesting below this depth is replaced by "[truncated: nested deeper than N]". Default 64. */
  maxDepth?: number;
  /** Strings longer than this are cut, with a note of their length. Default: no limit. */
  maxString?: number;
}

/**
 * A copy of a JSON-like value with every string (and every key) redacted, cycles and
 * non-JSON values replaced, and nesting bounded, so the result always serialises: it is what
 * goes into JSON.stringify for an audit line or the `data` of a wire error. Never throws.
 */
export function redactValue(value: unknown, redact: Redactor, options: RedactValueOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? MAX_REDACT_DEPTH;
  const maxString = options.maxString ?? Infinity;
  const seen = new Set<object>();
  const str = (s: string): string => {
    const out = redact(s);
    return out.length > maxString ? `${out.slice(0, maxString)}... [truncated: ${out.length} characters]` : out;
  };
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return str(v);
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return undefined; // functions, symbols, undefined: JSON drops them too
    if (seen.has(v)) return '[circular]';
    if (depth >= maxDepth) return `[truncated: nested deeper than ${maxDepth}]`;
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1) ?? null);
      const source = typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v;
      if (source !== v) return walk(source, depth);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const copied = walk(item, depth + 1);
        if (copied !== undefined) out[str(k)] = copied;
      }
      return out;
    } catch {
      return '[unreadable]';
    } finally {
      seen.delete(v);
    }
  };
  try {
    return walk(value, 0);
  } catch {
    return '[unreadable]';
  }
}
