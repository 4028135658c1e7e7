// Runs one benchmark (or all) from bench/: `npm run bench -- proxy`.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const root = new URL('..', import.meta.url).pathname;
const want = process.argv.slice(2);
const all = readdirSync(new URL('../bench', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.startsWith('_'));
const pick = want.length ? all.filter((f) => want.some((w) => f.startsWith(w))) : all;
for (const f of pick) {
  console.log(`\n### bench/${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`, ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
