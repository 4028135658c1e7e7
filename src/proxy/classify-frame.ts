// Tells what a JSON-RPC frame is (request, notification, response) and its id and method,
// cheaply: small frames are parsed, large ones (tool results of megabytes) are read only at
// their two ends, where every JSON-RPC encoder we know puts the top-level keys. When the
// ends do not answer the question, the frame is parsed after all: correctness first.

export type JsonRpcId = string | number;

export interface FrameInfo {
  kind: 'request' | 'notification' | 'response' | 'batch' | 'unknown' | 'invalid';
  id?: JsonRpcId;
  method?: string;
  /** The parsed message, when it was parsed. */
  message?: Record<string, unknown>;
}

/** Frames up to this size are simply parsed: below it, parsing costs less than being clever. */
export const PARSE_ALWAYS_BELOW = 2048;
const HEAD = 512;
const TAIL = 256;

/** `needsMessage(method)` says whether the caller will want the whole parsed message. */
export function classifyFrame(frame: Buffer, needsMessage: (method: string | undefined) => boolean): FrameInfo {
  if (frame.length < PARSE_ALWAYS_BELOW) return parseFrame(frame);
  const first = firstNonSpace(frame);
  const last = lastNonSpace(frame);
  if (first === 0x5b && last === 0x5d) return { kind: 'batch' };
  if (first !== 0x7b || last !== 0x7d) return { kind: 'invalid' };
  const head = scanHead(frame.subarray(0, HEAD).toString('latin1'));
  if (!head) return parseFrame(frame);
  let { id, method } = head;
  if (method !== undefined && needsMessage(method)) return parseFrame(frame);
  if (id === undefined && !head.idImpossible) {
    id = tailId(frame.subarray(Math.max(0, frame.length - TAIL)));
  }
  if (method !== undefined) {
    if (id === undefined && !head.idImpossible) return parseFrame(frame);
    return id === undefined ? { kind: 'notification', method } : { kind: 'request', id, method };
  }
  if (head.composite === 'result' || head.composite === 'error' || head.sawResult) {
    if (id === undefined) return parseFrame(frame);
    return { kind: 'response', id };
  }
  return parseFrame(frame);
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
    return id === undefined ? { kind: 'notification', method: m.method, message: m } : { kind: 'request', id, method: m.method, message: m };
  }
  if (id !== undefined && ('result' in m || 'error' in m)) return { kind: 'response', id, message: m };
  return { kind: 'unknown', message: m };
}

// `,"id":7}` or `{"id":"a"}` at the very end of an object is necessarily a top-level key:
// a nested object would need a second closing brace, a string would need a closing quote.
const TAIL_ID = /[,{]\s*"id"\s*:\s*(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")\s*\}\s*$/;

/** The top-level keys readable from the first bytes of a long frame (for streaming decisions). */
export function classifyHead(head: Buffer): Head | undefined {
  if (firstNonSpace(head) !== 0x7b) return undefined;
  return scanHead(head.toString('latin1'));
}

/** The top-level id from a frame's last bytes, when it is the last key. */
export function tailId(tail: Buffer): JsonRpcId | undefined {
  const m = TAIL_ID.exec(tail.toString('latin1'));
  if (m?.[1] === undefined) return undefined;
  const v = readPrimitive(m[1]);
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

export interface Head {
  id?: JsonRpcId;
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
    const c = text[pos];
    if (c === '{' || c === '[') {
      out.composite = key[1];
      return out;
    }
    PRIMITIVE.lastIndex = pos;
    const value = PRIMITIVE.exec(text);
    if (!value || value[1] === undefined) return undefined;
    pos = PRIMITIVE.lastIndex;
    const v = readPrimitive(value[1]);
    if (key[1] === 'id' && (typeof v === 'string' || typeof v === 'number')) out.id = v;
    else if (key[1] === 'method' && typeof v === 'string') out.method = v;
    else if (key[1] === 'result' || key[1] === 'error') out.sawResult = true;
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
