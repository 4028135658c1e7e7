// 1,000 seeded random mutations of valid policies (bytes flipped, keys dropped, values changed
// to other types, truncation, duplicated lines) through lint and the loader: each must give
// diagnostics or load cleanly (and then route), never throw, never hang. The loop runs in a
// worker so each mutation is time-boxed; a failure reports the seed, iteration and text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/cli.js';

const DIST = join(ROOT, 'dist');
const WORKER = fileURLToPath(new URL('./workers/policy-fuzz-worker.mjs', import.meta.url));
const skip = existsSync(join(DIST, 'policy', 'lint.js')) ? false : 'dist/ is missing: run `npm run build` first';
/** One mutation may take this long before it counts as a hang. */
const WORKER_START_MS = 60_000;
const PER_MUTATION_MS = 3_000;
const ITERATIONS = 1_000;
const SEED = 8_1337;

test(`${ITERATIONS} mutated policies give diagnostics or load cleanly, never a crash or a hang`, { skip, timeout: 60_000 }, async () => {
  const bases = [
    readFileSync(join(ROOT, 'policies', 'demo.yaml'), 'utf8'),
    // prod.yaml with a memory store, so a policy that loads touches no file.
    readFileSync(join(ROOT, 'policies', 'prod.yaml'), 'utf8').replace('store: sqlite', 'store: memory'),
  ];
  const env = { OPENAI_API_KEY: 'fuzz-openai-key-000000', ANTHROPIC_API_KEY: 'fuzz-anthropic-key-000000' };
  const worker = new Worker(WORKER, { workerData: { distDir: DIST, seed: SEED, iterations: ITERATIONS, bases, env } });
  const tally = { clean: 0, diagnostics: 0, explained: 0, slowestMs: 0 };
  let current: { i: number; kinds: string[]; text: string } | undefined;
  const result = await new Promise<{ ok: true } | { ok: false; why: string }>((resolve) => {
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (ms = PER_MUTATION_MS) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        void worker.terminate();
        resolve({
          ok: false,
          why: current ? `hang: mutation ${current.i} (${current.kinds.join('+')}) ran past ${ms} ms:\n${current.text}` : `the worker did not start within ${ms} ms`,
        });
      }, ms);
    };
    // Loading the library in a fresh thread is not what is time-boxed (on a loaded machine it
    // took several seconds); each mutation is.
    arm(WORKER_START_MS);
    worker.on('message', (m) => {
      arm();
      if (m.type === 'start') current = m;
      else if (m.type === 'done') {
        tally[m.outcome as 'clean' | 'diagnostics']++;
        if (m.explained) tally.explained++;
        tally.slowestMs = Math.max(tally.slowestMs, m.ms);
      } else if (m.type === 'crash') {
        clearTimeout(watchdog);
        void worker.terminate();
        resolve({ ok: false, why: `crash at mutation ${m.i} (${m.kinds.join('+')}), seed ${SEED}: ${m.error}\n--- text ---\n${m.text}` });
      } else if (m.type === 'end') {
        clearTimeout(watchdog);
        resolve({ ok: true });
      }
    });
    worker.on('error', (err) => {
      clearTimeout(watchdog);
      resolve({ ok: false, why: `worker error at mutation ${current?.i}: ${err.stack}\n--- text ---\n${current?.text}` });
    });
  });
  await worker.terminate();
  if (!result.ok) assert.fail(result.why);
  assert.equal(tally.clean + tally.diagnostics, ITERATIONS);
  // A fuzzer that only ever produced garbage (or never broke anything) would prove nothing.
  assert.ok(tally.clean >= 20, `only ${tally.clean} mutations loaded cleanly`);
  assert.ok(tally.diagnostics >= 200, `only ${tally.diagnostics} mutations gave diagnostics`);
  assert.equal(tally.explained, tally.clean);
});
