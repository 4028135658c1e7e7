// Gives back, once the router is idle after start-up, the memory that start-up used and no
// longer needs: about 4 MiB of an idle `mcp-route run` (README, Start-up). V8 would return
// most of it by itself (its memory reducer), but only after some 10 s idle, and glibc keeps the
// freed C heap. The work is in the optional engine addon (src/util/engine.ts, Linux): without it
// nothing happens and nothing breaks.

import type { Logger } from '../proxy/log.js';
import { dropCollectible } from './collectible.js';
import { engineAddon } from './engine.js';

/** How often the process's recent business is looked at. */
const POLL_MS = 500;
/** Not before this long after the call: start-up (the policy, the proxy, initialize) is done by then. */
const FIRST_MS = 1000;
/** Idle: the process was on a CPU for less than this share of the last poll. */
const IDLE_SHARE = 0.05;
/** A proxy busy all this while is not idle: its memory is in use, and the pause (about 25 ms) would delay traffic. */
const GIVE_UP_MS = 60_000;

let armed = false;

/**
 * Once the process has been nearly idle for a poll (at the earliest FIRST_MS from now), runs
 * V8's memory-reducing full collections and trims the C heap, once per process. The timers
 * never keep the process alive. The addon loads only then, off the path to `initialize`.
 * Idle is judged by CPU time (process.cpuUsage), not by the event loop's utilisation: that is
 * in perf_hooks, eleven of Node's own modules (about 0.3 MiB resident) that an idle router
 * would load for this alone.
 */
export function releaseMemoryOnceIdle(log: Logger): void {
  if (armed || process.platform !== 'linux') return;
  armed = true;
  const started = Date.now();
  let last = process.cpuUsage();
  const timer = setInterval(() => {
    const now = process.cpuUsage();
    const busy = (now.user - last.user + now.system - last.system) / 1000 / POLL_MS;
    last = now;
    const elapsed = Date.now() - started;
    if (elapsed >= FIRST_MS && busy < IDLE_SHARE) release(log);
    else if (elapsed < GIVE_UP_MS) return;
    clearInterval(timer);
  }, POLL_MS);
  timer.unref();
}

function release(log: Logger): void {
  // Before the collections, so they take it; without the addon V8's memory reducer does later.
  dropCollectible();
  const addon = engineAddon();
  if (!addon) return;
  const before = process.memoryUsage.rss();
  addon.releaseMemory();
  const after = process.memoryUsage.rss();
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  log.debug(`idle after start-up: gave back ${mib(before - after)} MiB (resident ${mib(before)} -> ${mib(after)} MiB)`);
}
