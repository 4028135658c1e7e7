// The proxy's frame scanner: rpcMembers (json-top-level.ts), and for host frames
// readModernParams (era.ts) on the way through each `params` member, in C when the native
// addon is built (native/scan.c: the same walk, ported line for line, a few instructions a byte
// instead of some 33 in JavaScript), else in JavaScript. The JavaScript is the reference: the
// two return the same for every frame (test/proxy/native-scan.test.ts compares them).

import { type ModernParams, readModernParams } from './era.js';
import { ESCAPED_KEY, type FoundMembers, rpcMembers, type RpcMembers, type Span } from './json-top-level.js';
import { nativeAddon } from './native-addon.js';

/** What rpcMembers says of a frame. */
export type ScannedMembers = RpcMembers | typeof ESCAPED_KEY | undefined;

/** Where scanFrame puts what it read of a request's params: readModernParams' answer for the last `params` member (undefined when none could be read). */
export interface ParamsRead {
  read: ModernParams | undefined;
}

// native/scan.c's outcomes and the layout of its output array (same names there).
const SCAN_INVALID = 0;
const SCAN_ESCAPED_KEY = 2;
const SCAN_TOO_LONG = 3;
const OUT_ID = 1;
const OUT_METHOD = 3;
const OUT_PARAMS = 5;
const OUT_RESULT = 7;
const OUT_ERROR = 8;
const OUT_OUTER = 9;
const OUT_META = 19;
const OUT_SIZE = 29;
const FOUND_SPANS = 1;
const FOUND_EMPTY = 7;
const FOUND_SPAN = 8;

/** The addon's scanner, written to `out`; null until looked for, undefined when there is none. */
let scanRpc: ((frame: Buffer, withParams: boolean) => number) | undefined | null = null;
const out = new Int32Array(OUT_SIZE);

function nativeScanner(): typeof scanRpc {
  if (scanRpc !== null) return scanRpc;
  const { addon } = nativeAddon();
  // An addon built before the scanner existed has no scanRpc: the JavaScript reads frames then.
  if (addon?.scanRpc && addon.scanInit) {
    addon.scanInit(out);
    scanRpc = addon.scanRpc;
  } else scanRpc = undefined;
  return scanRpc;
}

/** Whether frames are read by the native scanner (the addon is built and has it). */
export function hasNativeScanner(): boolean {
  return nativeScanner() !== undefined;
}

/**
 * rpcMembers(b), natively when the addon is there. With `params`, each top-level `params`
 * member is read as readModernParams reads it (one walk for both), and `params.read` is set.
 */
export function scanFrame(b: Buffer, params?: ParamsRead): ScannedMembers {
  const scan = scanRpc === null ? nativeScanner() : scanRpc;
  return scan ? scanNatively(scan, b, params) : scanInJavaScript(b, params);
}

/** scanFrame with the native scanner (hasNativeScanner() must be true). */
export function scanFrameNatively(b: Buffer, params?: ParamsRead): ScannedMembers {
  const scan = nativeScanner();
  if (!scan) throw new Error('the native scanner is not built');
  return scanNatively(scan, b, params);
}

function scanNatively(scan: (frame: Buffer, withParams: boolean) => number, b: Buffer, params: ParamsRead | undefined): ScannedMembers {
  const status = scan(b, params !== undefined);
  if (status === SCAN_TOO_LONG) return scanInJavaScript(b, params); // offsets past int32
  if (params) params.read = out[OUT_OUTER] === 1 ? { outer: found(OUT_OUTER), meta: out[OUT_META] === 1 ? found(OUT_META) : undefined } : undefined;
  if (status === SCAN_INVALID) return undefined;
  if (status === SCAN_ESCAPED_KEY) return ESCAPED_KEY;
  return { id: span(OUT_ID), method: span(OUT_METHOD), params: span(OUT_PARAMS), result: out[OUT_RESULT] === 1, error: out[OUT_ERROR] === 1 };
}

function span(at: number): Span | undefined {
  const start = out[at]!;
  return start === -1 ? undefined : [start, out[at + 1]!];
}

/** One of scan.c's FoundMembers blocks as objectMembers returns it. */
function found(at: number): FoundMembers {
  const spans = [span(at + FOUND_SPANS), span(at + FOUND_SPANS + 2), span(at + FOUND_SPANS + 4)];
  return { spans, empty: out[at + FOUND_EMPTY] === 1, span: [out[at + FOUND_SPAN]!, out[at + FOUND_SPAN + 1]!] };
}

const EMPTY = Buffer.alloc(0);
/** The frame and the holder the JavaScript params reader works for (one closure for all frames, no allocation per frame). */
let reading: Buffer = EMPTY;
let readingInto: ParamsRead = { read: undefined };
const readParams = (start: number): number => {
  const read = readModernParams(reading, start);
  readingInto.read = read;
  return read ? read.outer.span[1] : -1;
};

/** scanFrame in JavaScript: the reference, and what runs without the addon. */
export function scanInJavaScript(b: Buffer, params?: ParamsRead): ScannedMembers {
  if (!params) return rpcMembers(b);
  params.read = undefined;
  reading = b;
  readingInto = params;
  const members = rpcMembers(b, readParams);
  reading = EMPTY;
  return members;
}
