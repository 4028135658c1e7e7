// The optional engine addon (native/engine.cc, Linux): what mcp-route asks of V8 and glibc
// that Node offers no JavaScript for without loading node:v8. Loaded on first use, once per
// process; without it (no compiler at install, another OS, a Node it was not built for)
// nothing happens and nothing breaks.

import { type LoadedAddon, loadOptionalAddon } from './optional-addon.js';

export interface EngineAddon {
  /** V8's memory-reducing full collections, then glibc's malloc_trim(0). */
  releaseMemory(): void;
  /** V8::SetFlagsFromString. */
  setFlags(flags: string): void;
}

/** Looked for once. */
let loaded: LoadedAddon<EngineAddon> | undefined;

/** The addon, or undefined when it cannot be loaded (not built, not Linux, built for another Node). */
export function engineAddon(): EngineAddon | undefined {
  loaded ??= loadOptionalAddon<EngineAddon>('mcp_route_engine.node', 'the engine addon');
  return loaded.addon;
}

/**
 * The interrupt budget tierUpSooner sets: V8 checks a function for optimisation each time it
 * has run this many bytes of bytecode (Node 20's default is 67,584, about four times more).
 */
const TIER_UP_BUDGET = 16_384;

/**
 * Has V8 optimise hot functions after about a quarter of the bytecode it would run first by
 * default. A proxy's hot path is a few small functions run for every message for hours: with
 * the default budget they ran unoptimised for the first thousands of messages (bench/proxy.ts
 * measured a 200-call warm-up at 1.06x to 1.17x the raw pipe's round trip, and 0.90x to 1.05x
 * with this; see the README's Cost of the proxy). Called once the router is up, so start-up's
 * run-once code is judged by the default. A budget given on node's own command line wins.
 * Returns the budget in force afterwards, or why it is V8's default.
 */
export function tierUpSooner(execArgv: readonly string[] = process.execArgv): string {
  if (execArgv.some((arg) => /^--interrupt[-_]budget(=|$)/.test(arg))) return 'as given on the node command line';
  const addon = engineAddon();
  if (!addon?.setFlags) return 'V8 default (the engine addon could not be loaded: not built, not Linux, or built for another Node)';
  addon.setFlags(`--interrupt-budget=${TIER_UP_BUDGET}`);
  return String(TIER_UP_BUDGET);
}
