// The one glob compiler: `when.server`, `when.hints`, budget scope selectors and lint all use it.
// `*` is any run of characters, `?` one character, everything else (`[`, `{`, `.`...) literal;
// matched whole and case-insensitively (names are identifiers people type in different cases).
//
// Names come from the wrapped server (its reported name, hints), so matching must be linear in
// their length: no backtracking RegExp. A pattern is split at `*` into literal segments; the
// first must be a prefix, the last a suffix, and each middle one is found left-most in order
// (left-most is always safe for `*`: it leaves the most room for what follows). Work is at most
// value length x pattern length, and the pattern is the operator's.

/** Longest server or hint name used in matching; longer names are cut (servers) or ignored (hints). */
export const MAX_MATCH_NAME_LENGTH = 256;

export interface CompiledGlob {
  /** The glob as written. */
  readonly source: string;
  /** Whole-string, case-insensitive match. */
  test(value: string): boolean;
  /** The same for a value the caller already lower-cased (hot paths fold a name once per request). */
  testLower(lower: string): boolean;
}

interface Segment {
  text: string;
  /** Holds `?`: compared character by character instead of with indexOf. */
  wild: boolean;
}

/** True when a string uses glob syntax (`*` or `?`); anything else is a literal name. */
export function isGlob(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

export function compileGlob(glob: string): CompiledGlob {
  const folded = glob.toLowerCase();
  const parts = folded.split('*');
  const segments: Segment[] = parts.map((text) => ({ text, wild: text.includes('?') }));
  const starred = parts.length > 1;
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1).filter((s) => s.text !== '');
  const fixed = first.text.length + (starred ? last.text.length : 0);

  const testLower = (value: string): boolean => {
    if (!starred) return value.length === first.text.length && at(value, first, 0);
    if (value.length < fixed) return false;
    if (!at(value, first, 0)) return false;
    const end = value.length - last.text.length;
    if (!at(value, last, end)) return false;
    let pos = first.text.length;
    for (const seg of middle) {
      const found = find(value, seg, pos, end);
      if (found < 0) return false;
      pos = found + seg.text.length;
    }
    return true;
  };
  return { source: glob, testLower, test: (value) => testLower(value.toLowerCase()) };
}

/** Does `seg` match `value` starting at `pos`? */
function at(value: string, seg: Segment, pos: number): boolean {
  const t = seg.text;
  if (!seg.wild) return value.startsWith(t, pos);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c !== 63 /* ? */ && c !== value.charCodeAt(pos + i)) return false;
  }
  return true;
}

/** Left-most start >= from where `seg` matches and ends by `limit`, or -1. */
function find(value: string, seg: Segment, from: number, limit: number): number {
  const last = limit - seg.text.length;
  if (!seg.wild) {
    const i = value.indexOf(seg.text, from);
    return i >= 0 && i <= last ? i : -1;
  }
  for (let i = from; i <= last; i++) if (at(value, seg, i)) return i;
  return -1;
}

const cache = new Map<string, CompiledGlob>();

/** One-off match with a small cache, for callers without a compile step (budget scopes, lint). */
export function globMatches(glob: string, value: string): boolean {
  let compiled = cache.get(glob);
  if (!compiled) {
    // Globs come from policies, so the cache stays small; the bound guards reloads of many files.
    if (cache.size > 1000) cache.clear();
    compiled = compileGlob(glob);
    cache.set(glob, compiled);
  }
  return compiled.test(value);
}

/** A server name as matching sees it: cut to MAX_MATCH_NAME_LENGTH, so cost and counter keys stay bounded. */
export function matchableServerName(name: string): string;
export function matchableServerName(name: string | undefined): string | undefined;
export function matchableServerName(name: string | undefined): string | undefined {
  return name !== undefined && name.length > MAX_MATCH_NAME_LENGTH ? name.slice(0, MAX_MATCH_NAME_LENGTH) : name;
}
