// Durations in a policy: `500ms`, `30s`, `2m`, `1h`, `1d`, or plain milliseconds. Everything
// downstream works in milliseconds; this is the one place that reads the human form.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

/** Milliseconds for a duration; throws an Error saying what is accepted on bad input. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`invalid duration ${value}: must be a non-negative number of milliseconds`);
    return value;
  }
  if (typeof value !== 'string') throw new Error(`invalid duration ${JSON.stringify(value)}: expected a string such as "30s" or a number of milliseconds`);
  const m = DURATION.exec(value);
  if (!m) throw new Error(`invalid duration "${value}": use a number with ms, s, m, h or d (e.g. 500ms, 30s, 2m, 1h), or plain milliseconds`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!);
}
