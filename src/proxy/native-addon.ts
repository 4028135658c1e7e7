// Loads mcp-route's Node-API addon (native/addon.c: the hardening and the proxy's frame
// scanner, built by scripts/build-native.mjs) once per process, for every part that uses it.
// It is optional: without a C compiler, or off Linux, it is not built, and each user says what
// it does instead (non-dumpable.ts warns; frame-scan.ts reads frames in JavaScript).

import { createRequire } from 'node:module';

/** Where scripts/build-native.mjs puts the addon, from dist/proxy/, src/proxy/ or the bundle in dist/cli/. */
const ADDON = '../../build/Release/mcp_route_native.node';

/** What the addon exports (native/addon.h). */
export interface NativeAddon {
  setNonDumpable(): boolean;
  /** native/scan.c: where every scanRpc writes (an Int32Array, handed over once). */
  scanInit?(out: Int32Array): number;
  /** native/scan.c: rpcMembers of `frame`, with its params read when `withParams`; the outcome code. */
  scanRpc?(frame: Buffer, withParams: boolean): number;
}

export type LoadedAddon = { addon: NativeAddon; reason?: undefined } | { addon?: undefined; reason: string };

let loaded: LoadedAddon | undefined;

/** The addon, or why not; loaded on the first call, never throws. */
export function nativeAddon(): LoadedAddon {
  if (loaded) return loaded;
  if (process.platform !== 'linux') return (loaded = { reason: `the native addon is built on Linux only (not ${process.platform})` });
  try {
    loaded = { addon: createRequire(import.meta.url)(ADDON) as NativeAddon };
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    loaded = { reason: missing ? 'the native addon was not built (run `node scripts/build-native.mjs` in the package; it needs a C compiler)' : (err as Error).message };
  }
  return loaded;
}
