// Runs `npm run build` when dist/ is missing or older than the sources, so `npm run demo`
// works straight after `npm ci` (which no longer builds: the package builds in `prepack`,
// and installs from the registry ship dist/) and after editing src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'dist', 'cli', 'main.js');

function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'schemas')));
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);
process.stderr.write(existsSync(built) ? 'sources changed since the last build: building first\n' : 'dist/ is missing: building first (npm run build)\n');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
