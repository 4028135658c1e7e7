// Keeps a same-user server from reading mcp-route's memory and environment. On Linux any
// process of the same uid may read /proc/<pid>/environ, which still holds every key mcp-route
// was started with, however carefully the child's own env is stripped. A non-dumpable process
// (prctl PR_SET_DUMPABLE 0, through the small addon in native/) has root-owned /proc entries,
// and cannot be ptrace-attached by an unprivileged process. The child does not inherit it.

import { createRequire } from 'node:module';

export interface NonDumpableResult {
  ok: boolean;
  /** Why not, when ok is false. */
  reason?: string;
}

/** Where scripts/build-native.mjs puts the addon, from dist/proxy/ or src/proxy/. */
const ADDON = '../../build/Release/mcp_route_harden.node';

let done: NonDumpableResult | undefined;

/** Marks this process non-dumpable where the OS allows; idempotent, never throws. */
export function makeNonDumpable(): NonDumpableResult {
  if (done) return done;
  if (process.platform !== 'linux') return (done = { ok: false, reason: `${process.platform} has no /proc/<pid>/environ to protect` });
  try {
    const addon = createRequire(import.meta.url)(ADDON) as { setNonDumpable(): boolean };
    done = addon.setNonDumpable() ? { ok: true } : { ok: false, reason: 'prctl(PR_SET_DUMPABLE, 0) failed' };
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    done = { ok: false, reason: missing ? 'the native addon was not built (run `node scripts/build-native.mjs` in the package; it needs a C compiler)' : (err as Error).message };
  }
  return done;
}
