// Keeps a same-user server from reading mcp-route's memory and environment. On Linux any
// process of the same uid may read /proc/<pid>/environ, which still holds every key mcp-route
// was started with, however carefully the child's own env is stripped. A non-dumpable process
// (prctl PR_SET_DUMPABLE 0, through the small addon in native/harden.c) has root-owned /proc entries,
// and cannot be ptrace-attached by an unprivileged process. The child does not inherit it.

import { nativeAddon } from './native-addon.js';

export interface NonDumpableResult {
  ok: boolean;
  /** Why not, when ok is false. */
  reason?: string;
}

let done: NonDumpableResult | undefined;

/** Marks this process non-dumpable where the OS allows; idempotent, never throws. */
export function makeNonDumpable(): NonDumpableResult {
  if (done) return done;
  if (process.platform !== 'linux') return (done = { ok: false, reason: `${process.platform} has no /proc/<pid>/environ to protect` });
  const { addon, reason } = nativeAddon();
  if (!addon) return (done = { ok: false, reason });
  done = addon.setNonDumpable() ? { ok: true } : { ok: false, reason: 'prctl(PR_SET_DUMPABLE, 0) failed' };
  return done;
}
