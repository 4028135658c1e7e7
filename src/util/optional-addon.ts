// Loads one of mcp-route's optional addons (built by scripts/build-native.mjs into
// build/Release/), once per caller, never throwing: without a C compiler, off Linux, or built for
// another Node, an addon is missing and each user says what it does instead.

import { createRequire } from 'node:module';

export type LoadedAddon<T> = { addon: T; reason?: undefined } | { addon?: undefined; reason: string };

/**
 * build/Release/<file>, or why not (worded with `name`, "the native addon" say). The path is
 * relative to this module, which sits two levels below the package root in src/, in dist/ and
 * in the CLI bundle (dist/cli/) alike.
 */
export function loadOptionalAddon<T>(file: string, name: string): LoadedAddon<T> {
  if (process.platform !== 'linux') return { reason: `${name} is built on Linux only (not ${process.platform})` };
  try {
    return { addon: createRequire(import.meta.url)(`../../build/Release/${file}`) as T };
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    return { reason: missing ? `${name} was not built (run \`node scripts/build-native.mjs\` in the package; it needs a C compiler)` : (err as Error).message };
  }
}
