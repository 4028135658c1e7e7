// Soak: steady sampling + pass-through load through the spawned CLI (`dist/cli/main.js run`)
// with a fake OpenAI API that injects faults at random, then the invariants' figures: sent,
// answered, errors by kind, lost, duplicated, out-of-order, budget overshoot, router RSS.
//   node --import tsx bench/soak.ts [--duration 10m] [--rate 25] [--seed 1]
import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { startFakeOpenAI, openaiCompletion, openaiCompletionBody, openaiError } from '../test/helpers/fake-openai.js';
import type { FakeReply, RecordedRequest } from '../test/helpers/fake-http.js';
import { prng } from '../test/helpers/prng.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const RAW_SERVER = join(ROOT, 'test/helpers/faulty/raw-server.mjs');

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10m' }, rate: { type: 'string', default: '25' }, seed: { type: 'string', default: '1' } } });
const durationMs = parseDurationArg(values.duration!);
const rate = Number(values.rate);
const seed = Number(values.seed);
if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');

function parseDurationArg(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration must look like 30s, 2m, 10m; got ${text}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms'];
}

const random = prng(seed);

// ---- the faulty provider -------------------------------------------------------------------
const ok = (req: RecordedRequest): FakeReply => openaiCompletion({ model: req.body?.model, usage: { prompt: 1, completion: 5 } });
const FAULTS: Record<string, (req: RecordedRequest) => FakeReply> = {
  ok,
  '429-retry-after': () => openaiError(429, 'slow down', { headers: { 'retry-after': '0' } }),
  '429': () => openaiError(429, 'slow down'),
  '500': () => openaiError(500, 'boom'),
  '503': () => openaiError(503, 'unavailable'),
  '529': () => openaiError(529, 'overloaded'),
  hang: () => ({ delay: 2_000, body: openaiCompletionBody() }),
  'reset-mid-body': (req) => ({ ...ok(req), resetMidBody: true }),
  'malformed-json': () => ({ raw: '{"choices":[' }),
  'missing-fields': () => ({ body: { id: 'x' } }),
  trickle: (req) => ({ ...ok(req), trickle: { chunks: 3, intervalMs: 20 } }),
};
const kinds = [...Object.keys(FAULTS), ...Array<string>(10).fill('ok')];
const injected = new Map<string, number>();
const fake = await startFakeOpenAI();
fake.setDefault((req) => {
  const kind = kinds[Math.floor(random() * kinds.length)]!;
  injected.set(kind, (injected.get(kind) ?? 0) + 1);
  return FAULTS[kind]!(req);
});

// The token budget is sized to run out about 60% into the soak, so rejections are exercised too.
const expectedOkPerSec = rate * (10 / kinds.length) * 0.95;
const TOKEN_LIMIT = Math.max(60, Math.round(6 * expectedOkPerSec * (durationMs / 1000) * 2));
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-soak-'));
const policyPath = join(dir, 'policy.yaml');
writeFileSync(
  policyPath,
  `version: 1
providers:
  oa: { type: openai, apiKey: "\${OPENAI_API_KEY}", baseURL: "${fake.baseURL}/v1" }
models:
  gpt-x: { provider: oa, supports: [text] }
defaults:
  models: [gpt-x]
  timeout: 300ms
  deadline: 3s
  retry: { attempts: 3, initialDelay: 1ms, maxDelay: 10ms }
  cooldown: 0ms
budgets:
  - { name: soak-tokens, tokens: ${TOKEN_LIMIT}, per: day, onExceed: reject }
state: { store: memory }
`,
);

// ---- the host and the router -----------------------------------------------------------------
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [CLI, 'run', '--grace', '300ms', '--policy', policyPath, '--audit', join(dir, 'audit.jsonl'), '--', process.execPath, RAW_SERVER],
  env: { ...(process.env as Record<string, string>), OPENAI_API_KEY: 'soak-key-0123456789' },
  stderr: 'pipe',
});
let stderrBytes = 0;
transport.stderr?.on('data', (d: Buffer) => (stderrBytes += d.length));
const client = new Client({ name: 'soak-host', version: '1.0.0' }, { capabilities: {} });
const notes: number[] = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
  const seq = (n.params.data as { seq?: number }).seq;
  if (typeof seq === 'number') notes.push(seq);
});
await client.connect(transport);
const call = (method: string, params: Record<string, unknown> = {}, timeout = 60_000) => client.request({ method, params } as never, ResultSchema, { timeout }) as Promise<any>;
const routerPid = transport.pid!;
const { pid: serverPid } = await call('faulty/pid');

const rssKb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
};
const rssSamples: Array<{ t: number; kb: number }> = [];
const rssTimer = setInterval(() => rssSamples.push({ t: Date.now() - started, kb: rssKb(routerPid) }), 1000);

// ---- steady load ---------------------------------------------------------------------------
const started = Date.now();
const idleRss = rssKb(routerPid);
const ids: string[] = [];
let echoSeq = 0;
let noteOffset = 0;
const echoMismatch: number[] = [];
const hostCalls: Promise<unknown>[] = [];
let tick = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    if (Date.now() - started >= durationMs) {
      clearInterval(timer);
      resolve();
      return;
    }
    tick++;
    // Ticks are 100 ms; fractional rates carry over so the rate sent is the rate asked.
    const batch = Math.floor((tick * rate) / 10) - ids.length;
    const lines: string[] = [];
    for (let i = 0; i < batch; i++) {
      const id = `q${ids.length}`;
      ids.push(id);
      lines.push(JSON.stringify({ jsonrpc: '2.0', id, method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: `soak ${id}` } }], maxTokens: 5 } }));
    }
    if (lines.length) hostCalls.push(call('faulty/emit', { lines }));
    for (let i = 0; i < batch; i++) {
      const seq = echoSeq++;
      hostCalls.push(call('faulty/echo', { seq }).then((r) => void (r.seq !== seq && echoMismatch.push(seq))));
    }
    if (tick % 5 === 0 && batch >= 0) {
      hostCalls.push(call('faulty/notify', { count: 20, offset: noteOffset }));
      noteOffset += 20;
    }
    if (hostCalls.length > 5_000) hostCalls.splice(0, hostCalls.length - 1_000);
  }, 100);
});
const loadEndedRss = rssKb(routerPid);
await Promise.allSettled(hostCalls);

// ---- the invariants --------------------------------------------------------------------------
const { responses } = await call('faulty/responses', { awaitIds: ids, ids, timeoutMs: 30_000 }, 40_000);
let answered = 0;
let lost = 0;
let duplicated = 0;
let usedTokens = 0;
const errors = new Map<string, number>();
for (const id of ids) {
  const got = responses[`s${id}`] as Array<{ result?: any; error?: any }>;
  if (got.length === 0) lost++;
  if (got.length > 1) duplicated++;
  const r = got[0];
  if (!r) continue;
  if (r.result) {
    answered++;
    const u = r.result._meta?.['mcp-route']?.usage;
    usedTokens += (u?.inputTokens ?? 0) + (u?.outputTokens ?? 0);
  } else {
    const kind = `${r.error.code} ${r.error.data?.reason ?? ''}`.trim();
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
  }
}
const { received } = await call('faulty/responses', {});
const echoIds = (received as Array<{ method?: string; id?: number }>).filter((m) => m.method === 'faulty/echo').map((m) => m.id!);
const hostToServerOutOfOrder = echoIds.filter((id, i) => i > 0 && id <= echoIds[i - 1]!).length;
const serverToHostOutOfOrder = notes.filter((s, i) => s !== i).length;

// Memory: after the load stops, give the router a few idle seconds and read RSS again.
await new Promise((r) => setTimeout(r, 5_000));
clearInterval(rssTimer);
const finalRss = rssKb(routerPid);
const warm = rssSamples.filter((s) => s.t >= Math.min(30_000, durationMs * 0.2));
const baselineRss = warm[0]?.kb ?? idleRss;
const peakRss = Math.max(...rssSamples.map((s) => s.kb), loadEndedRss);
const half = rssSamples.filter((s) => s.t >= durationMs / 2 && s.t <= durationMs);
const secondHalfMax = Math.max(0, ...half.map((s) => s.kb));

await client.close();
await fake.close();
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const until = Date.now() + 5_000;
while ((alive(routerPid) || alive(serverPid)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
const leftBehind = [routerPid, serverPid].filter(alive);

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
const line = (k: string, v: unknown) => console.log(`${k.padEnd(34)} ${String(v)}`);
console.log(`soak: ${(durationMs / 1000).toFixed(0)} s at ${rate} sampling req/s (+ as many echo requests, 40 notifications/s), seed ${seed}`);
line('sampling requests sent', ids.length);
line('answered (result)', answered);
line('answered (error)', ids.length - answered - lost);
for (const [k, v] of [...errors].sort()) line(`  error ${k}`, v);
line('lost (no response)', lost);
line('duplicated (>1 response)', duplicated);
line('provider calls / faults injected', `${fake.requests.length}: ${[...injected].map(([k, v]) => `${k} ${v}`).join(', ')}`);
line('pass-through echo requests', `${echoSeq} sent, ${echoIds.length} reached the server, ${echoMismatch.length} wrong answers`);
line('pass-through notifications', `${noteOffset} sent, ${notes.length} reached the host`);
line('out of order host->server / server->host', `${hostToServerOutOfOrder} / ${serverToHostOutOfOrder}`);
line('budget tokens used / limit', `${usedTokens} / ${TOKEN_LIMIT} (overshoot ${Math.max(0, usedTokens - TOKEN_LIMIT)})`);
line('router RSS idle at start', mb(idleRss));
line('router RSS baseline (warm)', mb(baselineRss));
line('router RSS peak', mb(peakRss));
line('router RSS max, second half', mb(secondHalfMax));
line('router RSS final (5 s idle)', mb(finalRss));
line('final / baseline', (finalRss / baselineRss).toFixed(2));
// The stated bound: no growth under steady load beyond 32 MB over the warm baseline (V8 heap
// and socket buffers settle well below that), and back to the baseline once idle.
// A run under a minute ends while the router is still warming up (JIT, heap sizing: about
// 80 MB over the idle RSS in the first 30 s), so its growth says nothing about leaks and is
// reported without being judged.
const MEMORY_JUDGED_FROM_MS = 60_000;
const growthKb = secondHalfMax - baselineRss;
const memoryJudged = durationMs >= MEMORY_JUDGED_FROM_MS;
const memoryOk = !memoryJudged || (growthKb <= 32 * 1024 && finalRss <= baselineRss + 16 * 1024);
const memoryVerdict = !memoryJudged ? 'not judged (runs under 60 s end in the warm-up)' : memoryOk ? 'ok' : 'EXCEEDED';
line('RSS growth, second half vs baseline', `${mb(growthKb)} (bound 32 MB; final bound baseline + 16 MB): ${memoryVerdict}`);
line('processes left behind', leftBehind.length);
line('router stderr bytes', stderrBytes);
const failed =
  !memoryOk ||
  lost > 0 ||
  duplicated > 0 ||
  usedTokens > TOKEN_LIMIT ||
  hostToServerOutOfOrder > 0 ||
  serverToHostOutOfOrder > 0 ||
  echoMismatch.length > 0 ||
  leftBehind.length > 0 ||
  echoIds.length !== echoSeq ||
  notes.length !== noteOffset;
if (failed) {
  console.log('INVARIANT VIOLATED');
  process.exitCode = 1;
}
