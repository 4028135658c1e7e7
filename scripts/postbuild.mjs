// Makes the built CLI executable: tsc does not keep file modes, and `bin` needs one.
import { chmodSync, existsSync } from 'node:fs';
for (const name of ['main.cjs', 'main.js']) {
  const cli = new URL(`../dist/cli/${name}`, import.meta.url);
  if (existsSync(cli)) chmodSync(cli, 0o755);
}
