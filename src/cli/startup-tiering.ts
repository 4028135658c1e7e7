// Keeps V8's optimising compiler (TurboFan) off while `mcp-route run` starts. Start-up makes two
// of Node's own functions hot (getPathFromURLPosix and normalizeString, looping over the
// characters of every module path the ES module loader resolves), and optimising them touches
// about 3.5 MiB of the node binary's pages that then stay resident in an idle router (README,
// Start-up). Interpreted, those few calls cost about as much. The compiler is turned back on
// once start-up is over, so a proxy with traffic optimises its hot paths as before.
// v8.setFlagsFromString after start-up is allowed by Node (it does not freeze V8's flags);
// TurboFan reads this flag each time it decides whether to optimise a function.

import { createRequire } from 'node:module';

/** How long after the server is spawned start-up counts as over. */
const START_UP_MS = 1000;

// Whether it is held, on globalThis rather than in this module: the bin holds it
// (dist/cli/main.cjs) and `run` resumes it from the other bundle, each with its own copy of
// this module (scripts/bundle-cli.mjs). The flag itself is process-wide.
const HELD = Symbol.for('mcp-route.optimizing-compiler-held');
const state = globalThis as { [HELD]?: boolean };

/**
 * node:v8's setFlagsFromString, node:v8 loaded at the first call: the bin (main.cjs) loads this
 * module before it spawns the server, and node:v8 brings five of Node's own modules with it
 * (heap snapshots, serialisation, promise hooks), compiled for nothing before the spawn.
 */
function setFlagsFromString(flags: string): void {
  (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(flags);
}

/** Turns the optimising compiler off until resumeOptimizingCompilerSoon() turns it back on. */
export function holdOptimizingCompiler(): void {
  setFlagsFromString('--no-opt');
  state[HELD] = true;
}

/** Turns the optimising compiler back on START_UP_MS from now (at once when `now`), if held. */
export function resumeOptimizingCompilerSoon(now = false): void {
  if (!state[HELD]) return;
  const resume = () => {
    if (!state[HELD]) return;
    state[HELD] = false;
    setFlagsFromString('--opt');
  };
  if (now) resume();
  else setTimeout(resume, START_UP_MS).unref();
}
