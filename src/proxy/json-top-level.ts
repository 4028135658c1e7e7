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
 * quote with Buffer.indexOf (see skipLongString).
 */
function skipString(b: Buffer, i: number): number {
  const n = b.length;
  let k = i + 1;
  const near = Math.min(k + SHORT_STRING, n);
  while (k < near) {
    const c = b[k]!;
    if (c === QUOTE) return k + 1;
    k += c === BACKSLASH ? 2 : 1;
  }
  return k < n ? skipLongString(b, k) : -1;
}

/**
 * Index just past a string whose body continues at b[k] (k not inside an escape), or -1: the
 * quotes are found with Buffer.indexOf, a quote being real when an even run of backslashes
 * precedes it (a run that starts at k or later, since k is not inside an escape).
 */
function skipLongString(b: Buffer, k: number): number {
  const n = b.length;
  for (;;) {
    const q = k < n ? b.indexOf(QUOTE, k) : -1;
    if (q === -1) return -1;
    let j = q - 1;
    while (j >= k && b[j] === BACKSLASH) j--;
    if ((q - 1 - j) % 2 === 0) return q + 1;
    k = q + 1;
  }
}

/**
 * Index just past the object or array starting at b[i], skipped without recursion; -1 if
 * unterminated. One loop with the string walk written in (this runs over every nested byte of
 * every small frame the proxy classifies, so calls per string cost more than the bytes do).
 */
function skipComposite(b: Buffer, i: number): number {
  const n = b.length;
  let depth = 0;
  while (i < n) {
    const d = b[i++]!;
    if (d === QUOTE) {
      const near = Math.min(i + SHORT_STRING, n);
      for (;;) {
        if (i >= near) {
          if (i >= n) return -1;
          i = skipLongString(b, i);
          if (i === -1) return -1;
          break;
        }
        const c = b[i++]!;
        if (c === QUOTE) break;
        if (c === BACKSLASH) i++;
      }
      continue;
    }
    // One compare for both brackets of a kind: '[' | 0x20 is '{', ']' | 0x20 is '}'.
    const folded = d | 0x20;
    if (folded === 0x7b) depth++;
    else if (folded === 0x7d && --depth === 0) return i;
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

/** Whether b[start..end) holds a backslash: walked when short, searched natively when long. */
function hasBackslash(b: Buffer, start: number, end: number): boolean {
  if (end - start > SHORT_STRING) {
    const at = b.indexOf(BACKSLASH, start);
    return at !== -1 && at < end;
  }
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
 * decodes the slow way). Keys are told apart by their length and first byte: most are none of
 * the four. walkMembers' loop written out, with the key walk and blank skipping in line (compact
 * JSON has no blanks): every frame on the hot path comes here, so calls cost more than bytes.
 */
export function rpcMembers(b: Buffer, readParams?: ParamsReader): RpcMembers | typeof ESCAPED_KEY | undefined {
  const n = b.length;
  let id: Span | undefined;
  let method: Span | undefined;
  let params: Span | undefined;
  let result = false;
  let error = false;
  let i = 0;
  if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
  if (b[i] !== 0x7b) return undefined;
  i++;
  if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
  if (b[i] !== 0x7d) {
    for (;;) {
      if (b[i] !== QUOTE) return undefined;
      const first = i + 1;
      let k = first;
      let escaped = false;
      const near = Math.min(first + SHORT_STRING, n);
      for (;;) {
        if (k >= near) {
          // A long key is none of the four, escaped or not.
          k = k < n ? skipLongString(b, k) - 1 : -1;
          if (k < 0) return undefined;
          escaped = false;
          break;
        }
        const c = b[k]!;
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          escaped = true;
          k += 2;
        } else k++;
      }
      const length = k - first;
      i = k + 1;
      if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
      if (b[i] !== 0x3a) return undefined;
      i++;
      if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
      const valueStart = i;
      const f = b[first];
      const isParams = length === 6 && f === 0x70 && spells(b, first, 'params');
      const read = isParams && readParams ? readParams(valueStart) : -1;
      const valueEnd = read === -1 ? skipValue(b, valueStart) : read;
      if (valueEnd === -1) return undefined;
      if (length === 2) {
        if (f === 0x69 && b[first + 1] === 0x64) id = [valueStart, valueEnd];
      } else if (length === 6) {
        if (isParams) params = [valueStart, valueEnd];
        else if (f === 0x6d && spells(b, first, 'method')) method = [valueStart, valueEnd];
        else if (f === 0x72 && spells(b, first, 'result')) result = true;
      } else if (length === 5 && f === 0x65 && spells(b, first, 'error')) error = true;
      if (escaped && length <= MAX_ESCAPED_KEY) return ESCAPED_KEY;
      i = valueEnd;
      if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
      if (b[i] === 0x2c) {
        i++;
        if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
        continue;
      }
      if (b[i] !== 0x7d) return undefined;
      break;
    }
  }
  i++;
  if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
  // Every field present in every result: one object shape for all frames keeps the readers monomorphic.
  return i === n ? { id, method, params, result, error } : undefined;
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
 * written with escapes (the caller parses instead). walkMembers' loop written out (no callback):
 * every host request's params are read this way.
 */
export function objectMembers(b: Buffer, start: number, keys: readonly string[], inner?: InnerMembers): FoundMembers | undefined {
  const n = b.length;
  const spans: Array<Span | undefined> = [];
  for (let k = 0; k < keys.length; k++) spans.push(undefined);
  let i = start;
  if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
  if (b[i] !== 0x7b) return undefined;
  const open = i;
  i++;
  if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
  let empty = true;
  if (b[i] !== 0x7d) {
    for (;;) {
      if (b[i] !== QUOTE) return undefined;
      const keyEnd = skipString(b, i);
      if (keyEnd === -1) return undefined;
      const first = i + 1;
      const length = keyEnd - 1 - first;
      if (hasBackslash(b, first, keyEnd - 1)) return undefined; // escaped keys are left to a parser
      i = keyEnd;
      if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
      if (b[i] !== 0x3a) return undefined;
      i++;
      if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
      empty = false;
      const valueStart = i;
      let valueEnd: number;
      if (inner && inner.key.length === length && spells(b, first, inner.key)) {
        if (b[valueStart] === 0x7b) {
          const found = objectMembers(b, valueStart, inner.keys);
          if (!found) return undefined;
          inner.found = found;
          valueEnd = found.span[1];
        } else {
          inner.found = undefined; // a later duplicate that is not an object wins
          valueEnd = skipValue(b, valueStart);
        }
      } else valueEnd = skipValue(b, valueStart);
      if (valueEnd === -1) return undefined;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (key.length === length && spells(b, first, key)) spans[k] = [valueStart, valueEnd];
      }
      i = valueEnd;
      if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
      if (b[i] === 0x2c) {
        i++;
        if (i < n && b[i]! <= 0x20) i = skipSpace(b, i);
        continue;
      }
      if (b[i] !== 0x7d) return undefined;
      break;
    }
  }
  return { spans, empty, span: [open, i + 1] };
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
