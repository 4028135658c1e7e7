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
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI, openaiCompletion } from '../test/helpers/fake-openai.js';
import { openaiStreamReply } from '../test/helpers/fake-streams.js';
import { CLI, ROOT } from '../test/helpers/cli.js';

const calls = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const profDir = process.env['CPU_PROF'];
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-cpu-gateway-'));

const fake = await startFakeOpenAI();
fake.setDefault((req) => (req.body?.stream ? openaiStreamReply({ text: 'one two three four', model: 'gpt-bench', pieces: 4 }) : openaiCompletion({ model: 'gpt-bench', text: 'ok' })));

const policy = join(dir, 'policy.yaml');
writeFileSync(
  policy,
  `version: 1
providers:
  oa: { type: openai, baseURL: "${fake.baseURL}", apiKey: bench-key-123456 }
models:
  gpt-bench: { provider: oa }
gateway: { openai: true, anthropic: false }
`,
);
const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];

/** `mcp-route run` from the build at `cli`, with a child that only reports the gateway's address. */
async function startGateway(cli: string, name: string): Promise<{ process: ChildProcess; url: string; key: string }> {
  const report = join(dir, `${name}-env.json`);
  const child = `require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ url: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY })); setInterval(() => {}, 1e9);`;
  const spawned = spawn(process.execPath, [...nodeArgs, cli, 'run', '--policy', policy, '--', process.execPath, '-e', child], { cwd: dir, stdio: ['pipe', 'ignore', 'inherit'] });
  const { url, key } = await waitFor(() => readReport(report));
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

{
  const { spawn: sp } = await import('node:child_process');
  for (const mode of modes) for (const stream of [false, true]) {
    const st = sp('strace', ['-c', '-f', '-p', String(targets[mode]!.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let out = '';
    st.stderr!.on('data', (d) => (out += d));
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 200; i++) await call(mode, stream);
    st.kill('SIGINT');
    await new Promise((r) => st.once('exit', r));
    console.log(`=== ${mode} ${stream ? 'streamed' : 'plain'} (200 calls)\n${out.split('\n').filter((l) => /^\s*[0-9]/.test(l) || /total/.test(l)).map((l) => l.trim().split(/\s+/).slice(3).join(' ')).join('\n')}`);
  }
}
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

/** The child's report, once written whole. */
function readReport(path: string): { url: string; key: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { url: string; key: string };
  } catch {
    return undefined;
  }
}

function stop(p: ChildProcess): void {
  p.stdin?.end();
  p.kill('SIGTERM');
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting for the mcp-route gateway to start');
    await new Promise((r) => setTimeout(r, 20));
  }
}
