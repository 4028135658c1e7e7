// The model gateway's CPU per call, which load on a shared machine does not skew the way it
// skews wall-clock latency (bench/gateway.ts): the CPU time the `mcp-route run` process (all
// its threads, from /proc/<pid>/task/*/schedstat) spends per plain and per streamed call,
// beside the same figure for the empty relay process (bench/_http-relay.mjs), the floor of
// any process in the middle. The fake OpenAI server and the client run in this process.
// Linux only. With CPU_PROF=<dir>, the gateway process also writes a --cpu-prof profile there.
// With COMPARE_CLI=<another build's dist/cli/main.js> (inside this checkout, so that its
// packages resolve), a second gateway from that build is measured in the same rounds, for A/B.
// Run: npm run bench -- cpu-gateway [calls] [rounds]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI, openaiCompletion } from '../test/helpers/fake-openai.js';
import { openaiStreamReply } from '../test/helpers/fake-streams.js';
import { CLI, ROOT } from '../test/helpers/cli.js';
import { reportingRunArgs, waitForReport, writeGatewayPolicy } from './_gateway-target.js';

const calls = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const profDir = process.env['CPU_PROF'];
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-cpu-gateway-'));

const fake = await startFakeOpenAI();
fake.setDefault((req) => (req.body?.stream ? openaiStreamReply({ text: 'one two three four', model: 'gpt-bench', pieces: 4 }) : openaiCompletion({ model: 'gpt-bench', text: 'ok' })));

const policy = writeGatewayPolicy(dir, fake.baseURL);
const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];

/** `mcp-route run` from the build at `cli`, with a child that only reports the gateway's address. */
async function startGateway(cli: string, name: string): Promise<{ process: ChildProcess; url: string; key: string }> {
  const report = join(dir, `${name}-env.json`);
  const spawned = spawn(process.execPath, [...nodeArgs, ...reportingRunArgs(cli, policy, report)], { cwd: dir, stdio: ['pipe', 'ignore', 'inherit'] });
  const { url, key } = await waitForReport(report);
  return { process: spawned, url, key };
}

const gateways = { 'mcp-route': await startGateway(CLI, 'this') };
const compare = process.env['COMPARE_CLI'];
if (compare) Object.assign(gateways, { other: await startGateway(compare, 'other') });

const relay = spawn(process.execPath, [join(ROOT, 'bench/_http-relay.mjs'), fake.baseURL], { stdio: ['ignore', 'pipe', 'inherit'] });
const relayURL = await new Promise<string>((resolve) => relay.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const targets: Record<string, { url: URL; key: string; pid: number }> = {
  relay: { url: new URL(`${relayURL}/v1/chat/completions`), key: 'bench-key-123456', pid: relay.pid! },
};
for (const [name, g] of Object.entries(gateways)) targets[name] = { url: new URL(`${g.url}/chat/completions`), key: g.key, pid: g.process.pid! };
type Mode = string;

function call(mode: Mode, stream: boolean): Promise<void> {
  const { url, key } = targets[mode]!;
  const body = JSON.stringify({ model: 'gpt-bench', messages: [{ role: 'user', content: 'Summarise the weather in Oslo in one line.' }], max_tokens: 50, stream });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 && text.includes(stream ? '[DONE]' : '"ok"') ? resolve() : reject(new Error(`${mode}: ${res.statusCode} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU nanoseconds the process has run, all threads. */
function cpuNs(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return total;
}

async function cpuPerCall(mode: Mode, stream: boolean, n: number): Promise<number> {
  const { pid } = targets[mode]!;
  const before = cpuNs(pid);
  for (let i = 0; i < n; i++) await call(mode, stream);
  return (cpuNs(pid) - before) / n / 1000;
}

const modes = Object.keys(targets);
for (const mode of modes) for (const stream of [false, true]) await cpuPerCall(mode, stream, 1500);

const results: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  // Order rotated each round, so a busy spell on the machine does not always hit the same mode.
  for (const mode of modes.map((_, i) => modes[(i + round) % modes.length]!)) {
    for (const stream of [false, true]) {
      const key = `${mode} ${stream ? 'streamed' : 'plain'}`;
      (results[key] ??= []).push(await cpuPerCall(mode, stream, calls));
    }
  }
}
console.log(`CPU per call of the process in the middle, ${rounds} rounds x ${calls} sequential calls (µs; each round's figure, then the median)`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [key, xs] of Object.entries(results).sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${key.padEnd(20)} ${xs.map((x) => x.toFixed(0)).join(', ')}  median ${median(xs).toFixed(0)}`);

for (const g of Object.values(gateways)) stop(g.process);
stop(relay);
agent.destroy();
await fake.close();
if (profDir) await Promise.all(Object.values(gateways).map((g) => new Promise((r) => g.process.once('exit', r))));

function stop(p: ChildProcess): void {
  p.stdin?.end();
  p.kill('SIGTERM');
}
