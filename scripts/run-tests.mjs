// Runs every test/**/*.test.ts under node's test runner with tsx.
// Node 20's `--test` takes no globs, so the files are listed here. Extra arguments
// (file paths or a substring filter) narrow the run: `npm test -- budgets`.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const filters = process.argv.slice(2);
let files = walk(join(root, 'test'), []).sort();
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Budgets default to a sqlite file under the user's state directory; a test run must
// neither read nor leave counters there, so every run gets a state directory of its own.
const stateHome = mkdtempSync(join(tmpdir(), 'mcp-route-test-state-'));
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, XDG_STATE_HOME: stateHome },
});
child.on('exit', (code, signal) => {
  rmSync(stateHome, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
