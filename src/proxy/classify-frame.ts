// Tells what a JSON-RPC frame is (request, notification, response) and its id and method,
// as the receiver's JSON.parse will see it (the last duplicate key wins, escaped keys count):
// the top level is read without building the values (json-top-level.ts); a key written with
// escapes sends a small frame to JSON.parse. Only the streaming decision for long lines reads
// the head alone. Nested values are not validated here (a frame malformed inside passes on,
// and the receiver's parser refuses it), except in the messages the proxy must read whole.

import { type ParamsRead, scanFrame } from './frame-scan.js';
import { ESCAPED_KEY, spells, topLevelMembers, type Span } from './json-top-level.js';

export type JsonRpcId = string | number;

/**
 * How requests are keyed in maps: by the id itself, since a Map tells 1 from "1" (JSON-RPC
 * ids 1 and "1" are different requests) and no per-message key string has to be built.
 */
export type IdKey = JsonRpcId;
export const idKey = (id: JsonRpcId): IdKey => id;

export interface FrameInfo {
  kind: 'request' | 'notification' | 'response' | 'batch' | 'unknown' | 'invalid';
  id?: JsonRpcId;
  method?: string;
  /** The parsed message, when it was parsed. */
  message?: Record<string, unknown>;
  /** An `id` member is present but is not a string or number (null, an object...). */
  badId?: boolean;
  /** The top-level `params` value's span, when the frame was read from its bytes (not parsed). */
  params?: Span;
}

/** Frames up to this size are parsed when their keys need decoding (escapes). */
export const PARSE_ALWAYS_BELOW = 2048;

/** `needsMessage(method)` says whether the caller will want the whole parsed message. */
/** With `params`, the params are read on the way through the frame (see scanFrame). */
export function classifyFrame(frame: Buffer, needsMessage: (method: string | undefined) => boolean, params?: ParamsRead): FrameInfo {
  // The hot path: the four members that matter read from the bytes, no message built (parsing
  // every small frame was most of what the proxy added to a round trip). Keys written with
  // escapes, and anything that is not a well-formed object at the top level, take the exact way.
  const members = scanFrame(frame, params);
  if (members === undefined || members === ESCAPED_KEY) return classifyExactly(frame, needsMessage);
  const id = members.id && readIdOrMethod(frame, members.id);
  const method = members.method && readMethod(frame, members.method);
  const info = describe(frame, typeof id === 'string' || typeof id === 'number' ? id : undefined, members.id !== undefined, method, members.result || members.error, needsMessage);
  if (members.params && !info.message) info.params = members.params;
  return info;
}

/** The kind of a frame from its top-level id, method and whether it holds a result or error. */
function describe(frame: Buffer, id: JsonRpcId | undefined, hasId: boolean, method: unknown, answers: boolean, needsMessage: (method: string | undefined) => boolean): FrameInfo {
  if (typeof method === 'string') {
    if (needsMessage(method)) return parseFrame(frame);
    const info: FrameInfo = id === undefined ? { kind: 'notification', method } : { kind: 'request', id, method };
    if (hasId && id === undefined) info.badId = true;
    return info;
  }
  if (id !== undefined && answers) return { kind: 'response', id };
  return { kind: 'unknown' };
}

/** Small frames parsed, larger ones read at the top level with every key decoded (json-top-level.ts). */
function classifyExactly(frame: Buffer, needsMessage: (method: string | undefined) => boolean): FrameInfo {
  if (frame.length < PARSE_ALWAYS_BELOW) return parseFrame(frame);
  const first = firstNonSpace(frame);
  const last = lastNonSpace(frame);
  if (first === 0x5b && last === 0x5d) return { kind: 'batch' };
  if (first !== 0x7b || last !== 0x7d) return { kind: 'invalid' };
  const members = topLevelMembers(frame);
  if (!members) return { kind: 'invalid' };
  const idSpan = members.get('id');
  const idValue = idSpan && readPrimitive(frame.subarray(idSpan[0], idSpan[1]).toString('utf8'));
  const id = typeof idValue === 'string' || typeof idValue === 'number' ? idValue : undefined;
  const methodSpan = members.get('method');
  const method = methodSpan && readPrimitive(frame.subarray(methodSpan[0], methodSpan[1]).toString('utf8'));
  return describe(frame, id, idSpan !== undefined, method, members.has('result') || members.has('error'), needsMessage);
}

/**
 * Method names seen lately. A frame's method is matched against them byte for byte, which
 * costs less than decoding it (a call into C++) for every frame; only plain ASCII names are
 * kept (their bytes are their characters), at most MAX_KNOWN_METHODS, replaced in turn, so a
 * peer sending endless new names only makes the cache miss.
 */
const knownMethods: string[] = [];
const MAX_KNOWN_METHODS = 32;
const MAX_KNOWN_METHOD_LENGTH = 64;
let nextKnownMethod = 0;
/** The name matched last: traffic repeats one method (tools/call), so it is tried first. */
let lastKnownMethod = '';

/** A method value as JSON.parse reads it (see readIdOrMethod), from the known names when it is one. */
function readMethod(frame: Buffer, span: Span): unknown {
  // Spans are read by index, not destructured, on the per-frame path: array destructuring runs
  // the iterator protocol (callgrind: this function ran 503 instructions a frame, 414 by index).
  const start = span[0];
  const end = span[1];
  const length = end - start - 2;
  if (frame[start] === 0x22 && frame[end - 1] === 0x22) {
    if (lastKnownMethod.length === length && spells(frame, start + 1, lastKnownMethod)) return lastKnownMethod;
    for (const known of knownMethods) {
      if (known.length === length && spells(frame, start + 1, known)) {
        lastKnownMethod = known;
        return known;
      }
    }
  }
  const method = readIdOrMethod(frame, span);
  if (typeof method === 'string' && method.length <= MAX_KNOWN_METHOD_LENGTH && /^[\x20-\x7e]*$/.test(method) && !method.includes('\\') && !method.includes('"')) {
    knownMethods[nextKnownMethod] = method;
    nextKnownMethod = (nextKnownMethod + 1) % MAX_KNOWN_METHODS;
  }
  return method;
}

/**
 * An id or method value as JSON.parse reads it: plain integers and strings without escapes
 * straight from the bytes (the usual ids and every method name), anything else parsed.
 */
function readIdOrMethod(frame: Buffer, span: Span): unknown {
  const start = span[0];
  const end = span[1];
  const first = frame[start];
  if (first === 0x22) {
    for (let k = start + 1; k < end - 1; k++) if (frame[k] === 0x5c || frame[k]! < 0x20) return readPrimitive(frame.toString('utf8', start, end));
    return frame.toString('utf8', start + 1, end - 1);
  }
  // Up to 15 digits and no leading zero: exactly the integer JSON.parse would give.
  if (end - start <= 15 && first !== undefined && first >= 0x31 && first <= 0x39) {
    let n = 0;
    for (let k = start; k < end; k++) {
      const d = frame[k]! - 0x30;
      if (d < 0 || d > 9) return readPrimitive(frame.toString('utf8', start, end));
      n = n * 10 + d;
    }
    return n;
  }
  return readPrimitive(frame.toString('utf8', start, end));
}

/** The id as JSON text for a reply: the frame's own bytes when a number would not survive a round trip (2^53 + 1, 1e400). */
export function idText(id: JsonRpcId, frame: Buffer): string {
  if (typeof id !== 'number' || Number.isSafeInteger(id)) return JSON.stringify(id);
  const span = topLevelMembers(frame)?.get('id');
  return span ? frame.subarray(span[0], span[1]).toString('latin1') : JSON.stringify(id);
}

export function parseFrame(frame: Buffer): FrameInfo {
  let message: unknown;
  try {
    message = JSON.parse(frame.toString('utf8'));
  } catch {
    return { kind: 'invalid' };
  }
  if (Array.isArray(message)) return { kind: 'batch' };
  if (message === null || typeof message !== 'object') return { kind: 'invalid' };
  const m = message as Record<string, unknown>;
  const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : undefined;
  if (typeof m.method === 'string') {
    const info: FrameInfo = id === undefined ? { kind: 'notification', method: m.method, message: m } : { kind: 'request', id, method: m.method, message: m };
    if (id === undefined && 'id' in m) info.badId = true;
    return info;
  }
  if (id !== undefined && ('result' in m || 'error' in m)) return { kind: 'response', id, message: m };
  return { kind: 'unknown', message: m };
}

// `,"id":7}` or `{"id":"a"}` at the very end of an object is necessarily a top-level key:
// a nested object would need a second closing brace, a string would need a closing quote.
const TAIL_ID = /[,{]\s*"id"\s*:\s*(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")\s*\}\s*$/;

/** A JSON-RPC line starts with `{` or `[` (after optional blanks); anything else is noise. */
export function mayStartJsonRpc(head: Buffer): boolean {
  for (const c of head) {
    if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return true;
}

/** The top-level keys readable from the first bytes of a long frame (for streaming decisions). */
export function classifyHead(head: Buffer): Head | undefined {
  if (firstNonSpace(head) !== 0x7b) return undefined;
  return scanHead(head.toString('latin1'));
}

/** The top-level id from a frame's last bytes, when it is the last key. */
export function tailId(tail: Buffer): JsonRpcId | undefined {
  return tailIdWithText(tail)?.id;
}

/** tailId, with the id's own JSON text (for replies that must copy it exactly). */
export function tailIdWithText(tail: Buffer): { id: JsonRpcId; text: string } | undefined {
  const m = TAIL_ID.exec(tail.toString('latin1'));
  if (m?.[1] === undefined) return undefined;
  const v = readPrimitive(m[1]);
  return typeof v === 'string' || typeof v === 'number' ? { id: v, text: m[1] } : undefined;
}

export interface Head {
  id?: JsonRpcId;
  /** The id's JSON text as it appears in the frame. */
  idText?: string;
  method?: string;
  /** The key whose value is the first object/array at top level (where scanning stops). */
  composite?: string;
  sawResult: boolean;
  /** The head was read to the end of the object: no id anywhere. */
  idImpossible: boolean;
}

const KEY = /\s*"((?:[^"\\]|\\.)*)"\s*:\s*/y;
const PRIMITIVE = /(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|true|false|null)\s*([,}])/y;

/** Reads the top-level keys with primitive values up to the first nested value. */
function scanHead(text: string): Head | undefined {
  const out: Head = { sawResult: false, idImpossible: false };
  let pos = text.indexOf('{') + 1;
  for (;;) {
    KEY.lastIndex = pos;
    const key = KEY.exec(text);
    if (!key) return undefined;
    pos = KEY.lastIndex;
    // The receiver decodes keys: `"m\u0065thod"` is "method" to it, so it is here too; and
    // a repeated key replaces the earlier value.
    const rawKey = key[1] ?? '';
    const name = rawKey.includes('\\') ? readPrimitive(`"${rawKey}"`) : rawKey;
    const c = text[pos];
    if (c === '{' || c === '[') {
      out.composite = typeof name === 'string' ? name : rawKey;
      return out;
    }
    PRIMITIVE.lastIndex = pos;
    const value = PRIMITIVE.exec(text);
    if (!value || value[1] === undefined) return undefined;
    pos = PRIMITIVE.lastIndex;
    const v = readPrimitive(value[1]);
    if (name === 'id') {
      const valid = typeof v === 'string' || typeof v === 'number';
      out.id = valid ? v : undefined;
      out.idText = valid ? value[1] : undefined;
    } else if (name === 'method') out.method = typeof v === 'string' ? v : undefined;
    else if (name === 'result' || name === 'error') out.sawResult = true;
    if (value[2] === '}') {
      out.idImpossible = out.id === undefined;
      return out;
    }
  }
}

function readPrimitive(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstNonSpace(b: Buffer): number | undefined {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return c;
  }
  return undefined;
}

function lastNonSpace(b: Buffer): number | undefined {
  for (let i = b.length - 1; i >= 0; i--) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return c;
  }
  return undefined;
}
