// Reads the top level of a JSON frame without building it: the members of an object (as a
// receiver's JSON.parse sees them: keys decoded, the last duplicate wins) or the elements of
// an array, each as a byte range of the original frame, so values such as ids can be copied
// byte for byte and batch elements forwarded untouched. Nested values are skipped without
// recursion (a frame nested 100k deep costs nothing special); string bodies are skipped with
// Buffer.indexOf, so large strings cost little.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export type Span = readonly [start: number, end: number];

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipSpace(b: Buffer, i: number): number {
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

/** Bytes of a string walked one by one before Buffer.indexOf takes over: keys, ids and methods are shorter. */
const SHORT_STRING = 64;

/**
 * Index just past the string starting at b[i] (a quote), or -1 if it never ends. Short
 * strings are walked here (an escape skips the byte after it); long ones jump from quote to
 * quote with Buffer.indexOf, a quote being real when an even run of backslashes precedes it.
 */
function skipString(b: Buffer, i: number): number {
  const n = b.length;
  let k = i + 1;
  const near = Math.min(n, k + SHORT_STRING);
  while (k < near) {
    const c = b[k]!;
    if (c === QUOTE) return k + 1;
    k += c === BACKSLASH ? 2 : 1;
  }
  // k is not inside an escape here, so a run of backslashes before a quote starts at k or later.
  for (;;) {
    const q = k < n ? b.indexOf(QUOTE, k) : -1;
    if (q === -1) return -1;
    let j = q - 1;
    while (j >= k && b[j] === BACKSLASH) j--;
    if ((q - 1 - j) % 2 === 0) return q + 1;
    k = q + 1;
  }
}

/** Index just past the object or array starting at b[i], skipped without recursion; -1 if unterminated. */
function skipComposite(b: Buffer, i: number): number {
  const n = b.length;
  let depth = 0;
  while (i < n) {
    const d = b[i]!;
    if (d === QUOTE) {
      i = skipString(b, i);
      if (i === -1) return -1;
      continue;
    }
    // One compare for both brackets of a kind: '[' | 0x20 is '{', ']' | 0x20 is '}'.
    const folded = d | 0x20;
    if (folded === 0x7b) depth++;
    else if (folded === 0x7d && --depth === 0) return i + 1;
    i++;
  }
  return -1;
}

/** Index just past the value starting at b[i], or -1 when it is malformed or unterminated. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === 0x7b || c === 0x5b) return skipComposite(b, i);
  // A number, true, false or null: up to the next delimiter.
  const start = i;
  while (i < b.length) {
    const d = b[i]!;
    if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
    i++;
  }
  return i > start ? i : -1;
}

function decodeKey(b: Buffer, start: number, end: number): string | undefined {
  // Keys without escapes are the rule; `"m\u0065thod"` must still read as "method".
  const raw = b.subarray(start + 1, end - 1);
  if (raw.indexOf(BACKSLASH) === -1) return raw.toString('utf8');
  try {
    return JSON.parse(b.subarray(start, end).toString('utf8')) as string;
  } catch {
    return undefined;
  }
}

/**
 * Walks the members of the object starting at b[start] (after blanks), handing `value` each
 * key's span (with its quotes) and where its value starts; `value` returns the index just past
 * the value (usually skipValue's; a caller may read into it instead), or -1 to stop. Returns
 * the index just past the object's closing brace, or -1 when it is malformed or was stopped.
 */
function walkMembers(b: Buffer, start: number, value: (keyStart: number, keyEnd: number, valueStart: number) => number): number {
  let i = skipSpace(b, start);
  if (b[i] !== 0x7b) return -1;
  i = skipSpace(b, i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const keyEnd = skipString(b, i);
    if (keyEnd === -1) return -1;
    const keyStart = i;
    i = skipSpace(b, keyEnd);
    if (b[i] !== 0x3a) return -1;
    const valueEnd = value(keyStart, keyEnd, skipSpace(b, i + 1));
    if (valueEnd === -1) return -1;
    i = skipSpace(b, valueEnd);
    if (b[i] === 0x2c) {
      i = skipSpace(b, i + 1);
      continue;
    }
    return b[i] === 0x7d ? i + 1 : -1;
  }
}

/**
 * Walks the members of a top-level object, handing `visit` each key's span (with its quotes)
 * and value span; `visit` returning false stops the walk. True when the frame is a well-formed
 * object at the top level (nothing but blanks after it) and no visit said stop.
 */
function eachMember(b: Buffer, visit: (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => boolean): boolean {
  const end = walkMembers(b, 0, (keyStart, keyEnd, valueStart) => {
    const valueEnd = skipValue(b, valueStart);
    return valueEnd !== -1 && visit(keyStart, keyEnd, valueStart, valueEnd) ? valueEnd : -1;
  });
  return end !== -1 && skipSpace(b, end) === b.length;
}

/** The members of a top-level object, key -> value span; undefined if the frame is not a well-formed object at the top level. */
export function topLevelMembers(b: Buffer): Map<string, Span> | undefined {
  const members = new Map<string, Span>();
  const ok = eachMember(b, (keyStart, keyEnd, valueStart, valueEnd) => {
    const key = decodeKey(b, keyStart, keyEnd);
    if (key === undefined) return false;
    members.set(key, [valueStart, valueEnd]); // a repeated key: the last value wins, as in JSON.parse
    return true;
  });
  return ok ? members : undefined;
}

/** The JSON-RPC members of a top-level object, as spans; see rpcMembers. */
export interface RpcMembers {
  id?: Span;
  method?: Span;
  /** Where a 2026 request's `_meta` lives (see objectMembers). */
  params?: Span;
  result: boolean;
  error: boolean;
}

/** rpcMembers found a short key written with escapes: only a decoding reader can tell what it names. */
export const ESCAPED_KEY = 'escaped-key';

/** One of our four keys written with escapes takes at most 6 bytes a character (`\u006d`): longer keys are none of them. */
const MAX_ESCAPED_KEY = 6 * 'method'.length;

function hasBackslash(b: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (b[k] === BACKSLASH) return true;
  return false;
}

/** b[at..] spells `word` (ASCII), byte for byte. */
export function spells(b: Buffer, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * Reads a frame's `params` value on the way (rpcMembers hands it each `params` member's start):
 * returns the index just past the value, or -1 to have it skipped as usual.
 */
export type ParamsReader = (valueStart: number) => number;

/**
 * topLevelMembers for the four members the proxy routes by, without building a key string or
 * a map per frame: what every small frame on the hot path needs. The last duplicate wins, as in
 * JSON.parse; a key with an escape that may spell one of the four gives ESCAPED_KEY (the caller
 * decodes the slow way). Keys are told apart by their length first: most are none of the four.
 */
export function rpcMembers(b: Buffer, readParams?: ParamsReader): RpcMembers | typeof ESCAPED_KEY | undefined {
  // walkMembers' loop written out, without its callbacks: every frame on the hot path comes here.
  const out: RpcMembers = { result: false, error: false };
  let i = skipSpace(b, 0);
  if (b[i] !== 0x7b) return undefined;
  i = skipSpace(b, i + 1);
  if (b[i] === 0x7d) return skipSpace(b, i + 1) === b.length ? out : undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const keyEnd = skipString(b, i);
    if (keyEnd === -1) return undefined;
    const first = i + 1;
    const length = keyEnd - 1 - first;
    i = skipSpace(b, keyEnd);
    if (b[i] !== 0x3a) return undefined;
    const valueStart = skipSpace(b, i + 1);
    const isParams = length === 6 && spells(b, first, 'params');
    const read = isParams && readParams ? readParams(valueStart) : -1;
    const valueEnd = read === -1 ? skipValue(b, valueStart) : read;
    if (valueEnd === -1) return undefined;
    if (length === 2 && b[first] === 0x69 && b[first + 1] === 0x64) out.id = [valueStart, valueEnd];
    else if (length === 6 && spells(b, first, 'method')) out.method = [valueStart, valueEnd];
    else if (length === 6 && spells(b, first, 'result')) out.result = true;
    else if (isParams) out.params = [valueStart, valueEnd];
    else if (length === 5 && spells(b, first, 'error')) out.error = true;
    else if (length <= MAX_ESCAPED_KEY && hasBackslash(b, first, first + length)) return ESCAPED_KEY;
    i = skipSpace(b, valueEnd);
    if (b[i] === 0x2c) {
      i = skipSpace(b, i + 1);
      continue;
    }
    return b[i] === 0x7d && skipSpace(b, i + 1) === b.length ? out : undefined;
  }
}

/** The members objectMembers found: each wanted key's last value span, whether the object has any member, and its own span. */
export interface FoundMembers {
  spans: Array<Span | undefined>;
  empty: boolean;
  span: Span;
}

/** Reads the members of the object under the last `key` on the way (objectMembers' `inner`). */
export interface InnerMembers {
  key: string;
  keys: readonly string[];
  /** Set to what was found there, when that member is an object. */
  found?: FoundMembers;
}

/**
 * The value spans of `keys` (plain ASCII) among the members of the object starting at
 * b[start], the last duplicate winning as in JSON.parse: for reading a few nested members
 * without parsing (a 2026 request's capabilities). With `inner`, the members of one member's
 * object value are read in the same pass instead of skipping the value and walking it again.
 * Undefined when that is not a well-formed object at its top level, or when one of its keys is
 * written with escapes (the caller parses instead).
 */
export function objectMembers(b: Buffer, start: number, keys: readonly string[], inner?: InnerMembers): FoundMembers | undefined {
  const spans: Array<Span | undefined> = keys.map(() => undefined);
  let empty = true;
  const end = walkMembers(b, start, (keyStart, keyEnd, valueStart) => {
    empty = false;
    const first = keyStart + 1;
    const length = keyEnd - 1 - first;
    if (hasBackslash(b, first, first + length)) return -1;
    let valueEnd: number;
    if (inner && inner.key.length === length && spells(b, first, inner.key) && b[valueStart] === 0x7b) {
      const found = objectMembers(b, valueStart, inner.keys);
      if (!found) return -1;
      inner.found = found;
      valueEnd = found.span[1];
    } else {
      if (inner?.key.length === length && spells(b, first, inner.key)) inner.found = undefined; // a later duplicate that is not an object wins
      valueEnd = skipValue(b, valueStart);
      if (valueEnd === -1) return -1;
    }
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length === length && spells(b, first, key)) spans[k] = [valueStart, valueEnd];
    }
    return valueEnd;
  });
  return end === -1 ? undefined : { spans, empty, span: [skipSpace(b, start), end] };
}

/** The elements of a top-level array (a JSON-RPC batch) as spans; undefined if malformed. */
export function arrayElements(b: Buffer): Span[] | undefined {
  let i = skipSpace(b, 0);
  if (b[i] !== 0x5b) return undefined;
  const elements: Span[] = [];
  i = skipSpace(b, i + 1);
  if (b[i] === 0x5d) return skipSpace(b, i + 1) === b.length ? elements : undefined;
  for (;;) {
    const end = skipValue(b, i);
    if (end === -1) return undefined;
    elements.push([i, end]);
    i = skipSpace(b, end);
    if (b[i] === 0x2c) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (b[i] === 0x5d) return skipSpace(b, i + 1) === b.length ? elements : undefined;
    return undefined;
  }
}
