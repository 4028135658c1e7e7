// Keeps V8's optimising compiler (TurboFan) off while `mcp-route run` starts. Start-up makes two
// of Node's own functions hot (getPathFromURLPosix and normalizeString, looping over the
// characters of every module path the ES module loader resolves), and optimising them touches
// about 3.5 MiB of the node binary's pages that then stay resident in an idle router (README,
// Start-up). Interpreted, those few calls cost about as much. The compiler is turned back on
// once start-up is over, so a proxy with traffic optimises its hot paths as before.
// v8.setFlagsFromString after start-up is allowed by Node (it does not freeze V8's flags);
// TurboFan reads this flag each time it decides whether to optimise a function.

import { setFlagsFromString } from 'node:v8';

/** How long after the server is spawned start-up counts as over. */
const START_UP_MS = 1000;

let held = false;

/** Turns the optimising compiler off until resumeOptimizingCompilerSoon() turns it back on. */
export function holdOptimizingCompiler(): void {
  setFlagsFromString('--no-opt');
  held = true;
}

/** Turns the optimising compiler back on START_UP_MS from now (at once when `now`), if held. */
export function resumeOptimizingCompilerSoon(now = false): void {
  if (!held) return;
  const resume = () => {
    if (!held) return;
    held = false;
    setFlagsFromString('--opt');
  };
  if (now) resume();
  else setTimeout(resume, START_UP_MS).unref();
}
