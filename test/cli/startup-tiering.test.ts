// `run` keeps V8's optimising compiler off during start-up (src/cli/startup-tiering.ts) and
// turns it back on: a hot function is not optimised while it is held, and is once resumed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/cli/startup-tiering.ts', import.meta.url));

// Runs in a child: the flag is process-wide, and %GetOptimizationStatus needs --allow-natives-syntax.
// Held through one copy of the module and resumed through another, as the bin (main.cjs) and
// \`run\` (the other bundle) do.
const SCRIPT = `
const { holdOptimizingCompiler } = await import(${JSON.stringify(MODULE)});
const { resumeOptimizingCompilerSoon } = await import(${JSON.stringify(`${MODULE}?copy=2`)});
const status = new Function('f', 'return %GetOptimizationStatus(f)');
const OPTIMIZED = 1 << 4; // V8's OptimizationStatus::kOptimized (TurboFan code)
const hot = () => { const f = (n) => { let s = 0; for (let i = 0; i < n; i++) s += i * 2; return s; }; for (let i = 0; i < 20000; i++) f(200); return f; };
holdOptimizingCompiler();
const held = hot();
const whileHeld = (status(held) & OPTIMIZED) !== 0;
resumeOptimizingCompilerSoon(true);
for (let i = 0; i < 20000; i++) held(200);
await new Promise((r) => setTimeout(r, 200)); // concurrent compilation finishes on a background thread
for (let i = 0; i < 2000; i++) held(200);
process.stdout.write(JSON.stringify({ whileHeld, resumed: (status(held) & OPTIMIZED) !== 0 }));
`;

test('the optimising compiler is off while held, and optimises hot code again once resumed (also from another copy of the module)', { timeout: 30_000 }, () => {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { whileHeld: false, resumed: true });
});
