// Makes the built CLI executable: tsc does not keep file modes, and `bin` needs one.
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
