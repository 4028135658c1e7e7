// The model gateway's cost per call: the official `openai` SDK calling a fake OpenAI server
// directly, through `mcp-route run`'s gateway (a separate process, as in production), and
// through Portkey's open-source gateway (`@portkey-ai/gateway`, a separate process pointed at
// the same fake with its custom-host header). Sequential calls, modes interleaved in rounds
// (order rotated each round), so noise shows as spread between rounds. Also time to first
// streamed token, direct vs through mcp-route, against a fake that streams in four parts, with
// a minimal relay process (bench/_http-relay.mjs) beside them as the floor: the fake runs in
// this process, so "direct" crosses no process and any gateway pays two more hops.
// Run: npm run bench -- gateway [rounds] [callsPerRound]
// COMPARE_CLI=<another build's dist/cli/main.js> (inside this checkout, so that its packages
// resolve) adds that build's gateway as one more mode in the same rounds, for before/after.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeOpenAI, openaiCompletion } from '../test/helpers/fake-openai.js';
import { openaiStreamReply } from '../test/helpers/fake-streams.js';
import { CLI, ROOT } from '../test/helpers/cli.js';
import { reportingRunArgs, waitForReport, writeGatewayPolicy } from './_gateway-target.js';

const loadAtStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const rounds = Number(process.argv[2] ?? 7);
const perRound = Number(process.argv[3] ?? 150);
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-gateway-'));

const fake = await startFakeOpenAI();
// Streams trickle in four parts, 15 ms apart, except the warm-up's (see firstToken).
const WARM_UP = 'Warm up.';
fake.setDefault((req) => {
  if (!req.body?.stream) return openaiCompletion({ model: 'gpt-bench', text: 'ok' });
  const reply = openaiStreamReply({ text: 'one two three four', model: 'gpt-bench', pieces: 4 });
  return req.body.messages?.[0]?.content === WARM_UP ? reply : { ...reply, trickle: { chunks: 4, intervalMs: 15 } };
});

// ---- mcp-route: `run` with a child that only reports the gateway's address ----------------
const policy = writeGatewayPolicy(dir, fake.baseURL);
/** `mcp-route run` from the build at `cli`, with a child that only reports the gateway's address. */
async function startMcpRoute(cli: string, name: string): Promise<{ process: ChildProcess; url: string; key: string }> {
  const report = join(dir, `${name}-env.json`);
  const spawned = spawn(process.execPath, reportingRunArgs(cli, policy, report), { cwd: ROOT, stdio: ['pipe', 'ignore', 'inherit'] });
  const { url, key } = await waitForReport(report);
  return { process: spawned, url, key };
}
const routed = await startMcpRoute(CLI, 'this');
const compareCli = process.env['COMPARE_CLI'];
const other = compareCli ? await startMcpRoute(compareCli, 'other') : undefined;

// ---- Portkey ------------------------------------------------------------------------------
const portkeyPort = await freePort();
const portkeyBin = join(ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js');
const portkey = spawn(process.execPath, [portkeyBin, `--port=${portkeyPort}`, '--headless'], { cwd: dir, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => portkey.stdout!.on('data', (d: Buffer) => d.toString().includes('Ready') && resolve()));

// ---- the floor for streamed calls: a relay process with nothing in it --------------------------
const relay = spawn(process.execPath, [join(ROOT, 'bench/_http-relay.mjs'), fake.baseURL], { stdio: ['ignore', 'pipe', 'inherit'] });
const relayURL = await new Promise<string>((resolve) => relay.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));

const body = { model: 'gpt-bench', messages: [{ role: 'user' as const, content: 'Summarise the weather in Oslo in one line.' }], max_tokens: 50 };
const clients: Record<string, OpenAI> = {
  direct: new OpenAI({ apiKey: 'bench-key-123456', baseURL: fake.baseURL, maxRetries: 0 }),
  'mcp-route': new OpenAI({ apiKey: routed.key, baseURL: routed.url, maxRetries: 0 }),
  portkey: new OpenAI({
    apiKey: 'bench-key-123456',
    baseURL: `http://127.0.0.1:${portkeyPort}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': fake.baseURL },
  }),
};
if (other) clients['other'] = new OpenAI({ apiKey: other.key, baseURL: other.url, maxRetries: 0 });
const modes = Object.keys(clients);
clients['relay'] = new OpenAI({ apiKey: 'bench-key-123456', baseURL: `${relayURL}/v1`, maxRetries: 0 });

async function callOnce(mode: string): Promise<number> {
  const t0 = performance.now();
  const r = await clients[mode]!.chat.completions.create(body);
  if (r.choices[0]?.message.content !== 'ok') throw new Error(`${mode}: unexpected answer ${JSON.stringify(r)}`);
  return performance.now() - t0;
}

async function firstToken(mode: string, warmUp = false): Promise<number> {
  const t0 = performance.now();
  const streamed = warmUp ? { ...body, messages: [{ role: 'user' as const, content: WARM_UP }] } : body;
  const stream = clients[mode]!.chat.completions.stream({ ...streamed, stream: true });
  const first = await new Promise<number>((resolve, reject) => {
    stream.on('content', () => resolve(performance.now() - t0));
    stream.on('error', reject);
  });
  await stream.finalChatCompletion();
  return first;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

for (const mode of modes) for (let i = 0; i < 100; i++) await callOnce(mode);

const overhead: Record<string, number[]> = { 'mcp-route': [], portkey: [], other: [] };
console.log(`per-call latency, ${rounds} rounds x ${perRound} sequential calls per mode (median per round)`);
for (let round = 0; round < rounds; round++) {
  const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
  const times: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  // Calls alternate between modes in small blocks, so a slow spell hits every mode alike.
  for (let block = 0; block < perRound / 10; block++) for (const mode of order) for (let i = 0; i < 10; i++) times[mode]!.push(await callOnce(mode));
  const med = Object.fromEntries(modes.map((m) => [m, median(times[m]!)]));
  overhead['mcp-route']!.push(med['mcp-route']! - med['direct']!);
  overhead['portkey']!.push(med['portkey']! - med['direct']!);
  if (other) overhead['other']!.push(med['other']! - med['direct']!);
  const otherText = other ? `, other build +${fmt(med['other']! - med['direct']!)}` : '';
  console.log(`  round ${round + 1}: direct ${fmt(med['direct']!)}, mcp-route +${fmt(med['mcp-route']! - med['direct']!)}, portkey +${fmt(med['portkey']! - med['direct']!)}${otherText}`);
}
const ours = median(overhead['mcp-route']!);
const theirs = median(overhead['portkey']!);
console.log(`median added per call: mcp-route ${fmt(ours)}, portkey ${fmt(theirs)}; mcp-route / portkey = ${(ours / theirs).toFixed(2)} (goal <= 0.50)`);
if (other) {
  const theirsOther = median(overhead['other']!);
  console.log(`the other build: ${fmt(theirsOther)} added per call; other / portkey = ${(theirsOther / theirs).toFixed(2)}`);
}

// Streamed calls take paths the calls above did not: warm them up alike in both modes, as the
// plain calls were, so the rounds time a running gateway rather than its first compilations.
const streamModes = ['direct', 'mcp-route', 'relay', ...(other ? ['other'] : [])];
for (const mode of streamModes) for (let i = 0; i < 100; i++) await firstToken(mode, true);
const ttft: Record<string, number[]> = Object.fromEntries(streamModes.map((m) => [m, []]));
const ttftRounds = 4;
console.log(`time to first streamed token, ${ttftRounds} rounds x 10 calls per mode, alternating (median per round)`);
for (let round = 0; round < ttftRounds; round++) {
  const times: Record<string, number[]> = Object.fromEntries(streamModes.map((m) => [m, []]));
  for (let i = 0; i < 10; i++) for (const mode of streamModes.map((_, j) => streamModes[(i + round + j) % streamModes.length]!)) times[mode]!.push(await firstToken(mode));
  for (const mode of streamModes) ttft[mode]!.push(...times[mode]!);
  const over = (mode: string) => fmt(median(times[mode]!) - median(times['direct']!));
  console.log(`  round ${round + 1}: direct ${fmt(median(times['direct']!))}, mcp-route +${over('mcp-route')}, relay +${over('relay')}${other ? `, other build +${over('other')}` : ''}`);
}
const ttftDelta = median(ttft['mcp-route']!) - median(ttft['direct']!);
console.log(
  `time to first streamed token (median of ${ttft['direct']!.length}): direct ${fmt(median(ttft['direct']!))}, mcp-route ${fmt(median(ttft['mcp-route']!))}, difference ${fmt(ttftDelta)} (goal <= 1 ms)`,
);
const floor = median(ttft['relay']!) - median(ttft['direct']!);
console.log(`the floor: a relay process with nothing in it adds ${fmt(floor)} to the first streamed token`);
// What mcp-route's own work adds, the hops any process in the middle pays taken out: the part
// of the difference above that code can cut (the goal allows 1 ms in all, less than the floor
// on a machine where the relay alone adds more).
console.log(`mcp-route beyond the relay: ${fmt(ttftDelta - floor)} (the first-token difference less the floor; the goal leaves ${fmt(1 - floor)} for it)`);
if (other) console.log(`the other build: first streamed token ${fmt(median(ttft['other']!) - median(ttft['direct']!))} over direct`);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end (${loadAtStart} at the start)`,
);

stop(routed.process);
if (other) stop(other.process);
stop(portkey);
stop(relay);
await fake.close();

function stop(p: ChildProcess): void {
  p.stdin?.end();
  p.kill('SIGTERM');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
