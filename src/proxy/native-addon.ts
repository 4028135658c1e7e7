// Loads mcp-route's Node-API addon (native/addon.c: the hardening and the proxy's frame
// scanner, built by scripts/build-native.mjs) once per process, for every part that uses it.
// It is optional: without a C compiler, or off Linux, it is not built, and each user says what
// it does instead (non-dumpable.ts warns; frame-scan.ts reads frames in JavaScript).

import { type LoadedAddon as Loaded, loadOptionalAddon } from '../util/optional-addon.js';

/** What the addon exports (native/addon.h). */
export interface NativeAddon {
  setNonDumpable(): boolean;
  /** native/scan.c: where every scanRpc writes (an Int32Array, handed over once). */
  scanInit?(out: Int32Array): number;
  /** native/scan.c: rpcMembers of `frame`, with its params read when `withParams`; the outcome code. */
  scanRpc?(frame: Buffer, withParams: boolean): number;
}

export type LoadedAddon = Loaded<NativeAddon>;

let loaded: LoadedAddon | undefined;

/** The addon, or why not; loaded on the first call, never throws. */
export function nativeAddon(): LoadedAddon {
  loaded ??= loadOptionalAddon<NativeAddon>('mcp_route_native.node', 'the native addon');
  return loaded;
}
