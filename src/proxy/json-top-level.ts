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

/** Short strings are the rule (keys, ids, methods): looked through here, long ones by Buffer.indexOf. */
function nextQuote(b: Buffer, from: number): number {
  const near = Math.min(b.length, from + 64);
  for (let k = from; k < near; k++) if (b[k] === QUOTE) return k;
  return near === b.length ? -1 : b.indexOf(QUOTE, near);
}

/** Index just past the string starting at b[i] (a quote), or -1 if it never ends. */
function skipString(b: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = nextQuote(b, from);
    if (q === -1) return -1;
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1; // an even run of backslashes: the quote is real
    from = q + 1;
  }
}

/** Index just past the value starting at b[i], or -1 when it is malformed or unterminated. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = skipString(b, i);
        if (i === -1) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
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
 * Walks the members of a top-level object, handing `visit` each key's span (with its quotes)
 * and value span; `visit` returning false stops the walk. True when the frame is a well-formed
 * object at the top level and no visit said stop.
 */
function eachMember(b: Buffer, visit: (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => boolean): boolean {
  let i = skipSpace(b, 0);
  if (b[i] !== 0x7b) return false;
  i = skipSpace(b, i + 1);
  if (b[i] === 0x7d) return skipSpace(b, i + 1) === b.length;
  for (;;) {
    if (b[i] !== QUOTE) return false;
    const keyEnd = skipString(b, i);
    if (keyEnd === -1) return false;
    const keyStart = i;
    i = skipSpace(b, keyEnd);
    if (b[i] !== 0x3a) return false;
    const valueStart = skipSpace(b, i + 1);
    const valueEnd = skipValue(b, valueStart);
    if (valueEnd === -1 || !visit(keyStart, keyEnd, valueStart, valueEnd)) return false;
    i = skipSpace(b, valueEnd);
    if (b[i] === 0x2c) {
      i = skipSpace(b, i + 1);
      continue;
    }
    return b[i] === 0x7d && skipSpace(b, i + 1) === b.length;
  }
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
  result: boolean;
  error: boolean;
}

/** rpcMembers found a key written with escapes: only a decoding reader can tell what it names. */
export const ESCAPED_KEY = 'escaped-key';

// The keys the proxy looks at, as bytes: a key without escapes is equal to its raw bytes.
const ID = Buffer.from('id');
const METHOD = Buffer.from('method');
const RESULT = Buffer.from('result');
const ERROR = Buffer.from('error');

function hasBackslash(b: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (b[k] === BACKSLASH) return true;
  return false;
}

function keyIs(b: Buffer, start: number, end: number, key: Buffer): boolean {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[start + k] !== key[k]) return false;
  return true;
}

/**
 * topLevelMembers for the four members the proxy routes by, without building a key string or
 * a map per frame: what every small frame on the hot path needs. The last duplicate wins, as in
 * JSON.parse; a key with an escape gives ESCAPED_KEY (the caller decodes the slow way).
 */
export function rpcMembers(b: Buffer): RpcMembers | typeof ESCAPED_KEY | undefined {
  const out: RpcMembers = { result: false, error: false };
  let escaped = false;
  const ok = eachMember(b, (keyStart, keyEnd, valueStart, valueEnd) => {
    const first = keyStart + 1;
    const last = keyEnd - 1;
    if (hasBackslash(b, first, last)) return !(escaped = true);
    if (keyIs(b, first, last, ID)) out.id = [valueStart, valueEnd];
    else if (keyIs(b, first, last, METHOD)) out.method = [valueStart, valueEnd];
    else if (keyIs(b, first, last, RESULT)) out.result = true;
    else if (keyIs(b, first, last, ERROR)) out.error = true;
    return true;
  });
  if (escaped) return ESCAPED_KEY;
  return ok ? out : undefined;
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
