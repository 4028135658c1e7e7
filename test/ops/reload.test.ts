// Live policy reload under a running `mcp-route run`: an edit changes which model answers, a
// broken edit keeps the last good policy and says where it is broken, SIGHUP reloads, a request
// in flight finishes under the policy it started with, and budget counters carry on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnRun, sample, e2e, tempDir } from '../e2e/harness.js';

const policy = (answer: string, extra = '') => `version: 1
providers:
  canned: { type: mock, responses: [{ match: slow, text: "${answer} (slow)", delay: 1500 }, { text: "${answer}" }] }
models:
  m: { provider: canned }
state: { store: memory }
budgets:
  - { name: per-minute, rpm: 3, onExceed: reject }
${extra}`;

/** Writes the way editors do: a new file renamed over the old one. */
function save(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const textOf = (r: any) => (r.ok ? r.result.content.text : `error ${r.code}: ${r.message}`);

test('an edit applies to the next request, a broken edit keeps the last good policy, SIGHUP reloads', { ...e2e, timeout: 60_000 }, async () => {
  const dir = tempDir();
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, policy('first'));
  const run = await spawnRun(['--policy', path, '--log-level', 'info', '--grace', '300'], { timeoutMs: 55_000 });
  try {
    assert.equal(textOf(await sample(run.client, { prompt: 'hi' })), 'first');

    // A request in flight when the policy changes finishes under the old one.
    const inFlight = sample(run.client, { prompt: 'slow please' });
    const edited = Date.now();
    save(path, policy('second'));
    await run.stderrMatching(/policy reloaded from .*policy\.yaml \(file changed\)/);
    const reloadMs = Date.now() - edited;
    assert.equal(textOf(await sample(run.client, { prompt: 'hi' })), 'second');
    assert.ok(reloadMs < 3_000, `reloaded ${reloadMs} ms after the edit`);
    assert.equal(textOf(await inFlight), 'first (slow)');

    // Budget counters carry on (the memory store too): 3 requests so far under `per-minute` (rpm 3).
    const refused = await sample(run.client, { prompt: 'hi' });
    assert.equal(refused.ok, false);
    assert.equal(refused.code, -32001);
    assert.match(refused.message, /per-minute/);

    // A broken edit: reported with file:line:col, the last good policy stays.
    save(path, `${policy('third').replace('rpm: 3', 'rpm: [three]').replace('budgets:', 'budgets:  # broken on purpose')}\nrules: 7\n`);
    const err = await run.stderrMatching(/not reloaded, keeping the last good policy/);
    assert.match(err, /policy\.yaml:\d+:\d+/);
    // A renamed budget starts fresh; the rest of the new policy applies.
    save(path, policy('fourth').replace('per-minute', 'per-minute-v2'));
    await run.stderrMatching(/(policy reloaded[\s\S]*){2}/);
    assert.equal(textOf(await sample(run.client, { prompt: 'hi' })), 'fourth');

    // SIGHUP reloads (and is not passed to the server, which keeps answering).
    writeFileSync(path, policy('fifth').replace('per-minute', 'per-minute-v3'));
    process.kill(run.child.pid!, 'SIGHUP');
    await run.stderrMatching(/\(SIGHUP\)/);
    assert.equal(textOf(await sample(run.client, { prompt: 'hi' })), 'fifth');
  } finally {
    run.child.stdin.end();
    await run.exited;
  }
});

test('--log-format json writes one JSON object per stderr line', e2e, async () => {
  const dir = tempDir();
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, policy('json'));
  const run = await spawnRun(['--policy', path, '--log-level', 'info', '--log-format', 'json'], { timeoutMs: 20_000 });
  try {
    assert.equal(textOf(await sample(run.client, { prompt: 'hi' })), 'json');
  } finally {
    run.child.stdin.end();
    await run.exited;
  }
  const lines = run.stderr().trim().split('\n');
  assert.ok(lines.length >= 2, run.stderr());
  for (const line of lines) {
    const entry = JSON.parse(line);
    assert.ok(['error', 'warn', 'info', 'debug'].includes(entry.level), line);
    assert.equal(typeof entry.msg, 'string');
    assert.ok(!Number.isNaN(Date.parse(entry.time)));
  }
  assert.ok(
    lines.some((l) => JSON.parse(l).msg.startsWith('sampling ')),
    'the sampling outcome is logged',
  );
});
