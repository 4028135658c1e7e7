// Where the installed package lives, for files shipped beside the code (package.json, the
// schema, the starter policy). Every module that needs it asks here, two levels below the
// root in src/ and dist/ alike, and so does the bundled CLI (dist/cli/*.js): a path relative
// to a deeper module would break once that module is bundled into dist/cli/.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let version: string | undefined;

/** The package's version, read once from its package.json. */
export function packageVersion(): string {
  // Read and parsed directly: require() of a JSON file would start the CommonJS loader, about
  // 1 ms more at every start (`run` reads the version before it spawns the server).
  version ??= (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
