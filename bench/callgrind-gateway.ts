// The model gateway's CPU cost per call, independent of machine load: instructions counted by
// valgrind's callgrind in the `mcp-route run` process per plain and per streamed Chat
// Completions call, with the empty relay (bench/_http-relay.mjs) as the floor, counted alike.
// The fake OpenAI server and the client run in this process, uncounted. As in
// callgrind-proxy.ts, counting is switched on (callgrind_control) only after WARM calls of
// each kind, so start-up and JIT warm-up are not counted, and dumped after CALLS calls.
// COMPARE_CLI=<another build's dist/cli/main.js> (inside this checkout) counts that build too;
// GATEWAY_CLI replaces this checkout's dist/cli/main.js.
// Needs the built CLI and valgrind: npm run build && npm run bench -- callgrind-gateway
// (CG_WARM, CG_CALLS override the counts.)

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI, openaiCompletion } from '../test/helpers/fake-openai.js';
import { openaiStreamReply } from '../test/helpers/fake-streams.js';
import { CLI, ROOT } from '../test/helpers/cli.js';
import { reportingRunArgs, waitForReport, writeGatewayPolicy } from './_gateway-target.js';

const WARM = Number(process.env['CG_WARM'] ?? 3000);
const CALLS = Number(process.env['CG_CALLS'] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-cg-gateway-'));

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.log('skipped: valgrind is not installed (it counts the instructions)');
  process.exit(0);
}

const fake = await startFakeOpenAI();
fake.setDefault((req) => (req.body?.stream ? openaiStreamReply({ text: 'one two three four', model: 'gpt-bench', pieces: 4 }) : openaiCompletion({ model: 'gpt-bench', text: 'ok' })));
const policy = writeGatewayPolicy(dir, fake.baseURL);

interface Target {
  process: ChildProcess;
  url: URL;
  key: string;
  out: string;
}

function underCallgrind(name: string, args: string[]): { process: ChildProcess; out: string } {
  const out = join(dir, `${name}.cg`);
  const spawned = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath, ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'ignore'] });
  return { process: spawned, out };
}

async function startGateway(cli: string, name: string): Promise<Target> {
  const report = join(dir, `${name}-env.json`);
  const { process: spawned, out } = underCallgrind(name, reportingRunArgs(cli, policy, report));
  const { url, key } = await waitForReport(report, 120_000);
  return { process: spawned, url: new URL(`${url}/chat/completions`), key, out };
}

async function startRelay(): Promise<Target> {
  const { process: spawned, out } = underCallgrind('relay', [join(ROOT, 'bench/_http-relay.mjs'), fake.baseURL]);
  const url = await new Promise<string>((resolve) => spawned.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { process: spawned, url: new URL(`${url}/v1/chat/completions`), key: 'bench-key-123456', out };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One call; a kept-alive socket the server closed while callgrind_control ran is replaced once. */
async function call(target: Target, stream: boolean): Promise<void> {
  try {
    await callOnce(target, stream);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    await callOnce(target, stream);
  }
}

function callOnce(target: Target, stream: boolean): Promise<void> {
  const body = JSON.stringify({ model: 'gpt-bench', messages: [{ role: 'user', content: 'Summarise the weather in Oslo in one line.' }], max_tokens: 50, stream });
  return new Promise((resolve, reject) => {
    const req = http.request(
      target.url,
      { method: 'POST', agent, headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 && text.includes(stream ? '[DONE]' : '"ok"') ? resolve() : reject(new Error(`${res.statusCode} ${text.slice(0, 200)}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function control(pid: number, ...args: string[]): void {
  const r = spawnSync('callgrind_control', [...args, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control ${args.join(' ')}: ${r.stderr}`);
}

/**
 * Instructions per call of each kind, counted after the warm-up: plain calls, a dump (which
 * zeroes the counters, in `<out>.1`), then streamed calls (in `<out>`, written at exit).
 */
async function measure(target: Target): Promise<{ plain: Counted; streamed: Counted }> {
  for (let i = 0; i < WARM; i++) await call(target, i % 2 === 1);
  const pid = target.process.pid!;
  // callgrind reads its commands when the process next runs: the call after each command
  // is the one that carries it out (switched off by then, so it is not counted).
  control(pid, '-i', 'on');
  await call(target, false);
  for (let i = 0; i < CALLS; i++) await call(target, false);
  control(pid, '-i', 'off');
  await call(target, false);
  control(pid, '-d');
  await call(target, false);
  control(pid, '-i', 'on');
  await call(target, true);
  for (let i = 0; i < CALLS; i++) await call(target, true);
  control(pid, '-i', 'off');
  await call(target, true);
  target.process.stdin?.end();
  target.process.kill('SIGTERM');
  await new Promise((r) => target.process.once('exit', r));
  return { plain: counted(`${target.out}.1`), streamed: counted(target.out) };
}

/** Instructions per call, in all and split: V8's optimising compiler, the GC, and the rest. */
interface Counted {
  total: number;
  jit: number;
  gc: number;
  /** What the code itself ran: the total less the JIT and GC. */
  rest: number;
}

// The JIT and the GC move a build's total by a fifth from run to run (when V8 recompiles a
// function, how scavenges fall and what gets pretenured); the rest is what a change to the
// code moves, and it varies by under 1% between runs of one build.
const JIT = /v8::internal::compiler::/;
const GC = /Scaveng|heap::|Heap::|Pretenuring|EvacuationAllocator|BodyDescriptor|MarkCompact|Marking|Sweep|Evacuat|RememberedSet|SlotSet|Ephemeron/;

function counted(file: string): Counted {
  const found = /^totals: (\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!found) throw new Error(`no totals in ${file}`);
  const total = Number(found[1]);
  let jit = 0;
  let gc = 0;
  const annotated = spawnSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  for (const line of annotated.stdout?.split('\n') ?? []) {
    const cost = /^\s*([\d,]+) \(/.exec(line);
    if (!cost || line.includes('PROGRAM TOTALS')) continue;
    const n = Number(cost[1]!.replace(/,/g, ''));
    if (JIT.test(line)) jit += n;
    else if (GC.test(line)) gc += n;
  }
  return { total: total / CALLS, jit: jit / CALLS, gc: gc / CALLS, rest: (total - jit - gc) / CALLS };
}

const builds: Array<[string, string]> = [['mcp-route', process.env['GATEWAY_CLI'] ?? CLI]];
if (process.env['COMPARE_CLI']) builds.push(['other', process.env['COMPARE_CLI']]);
console.log(`instructions per call in the process in the middle (callgrind, ${CALLS} calls of each kind counted after ${WARM} uncounted)`);
const relay = await measure(await startRelay());
console.log(`  relay       plain ${fmt(relay.plain.total)}, streamed ${fmt(relay.streamed.total)}`);
const results: Array<[string, { plain: Counted; streamed: Counted }]> = [['relay', relay]];
for (const [name, cli] of builds) {
  const r = await measure(await startGateway(cli, name));
  results.push([name, r]);
  console.log(
    `  ${name.padEnd(11)} plain ${fmt(r.plain.total)} (${(r.plain.total / relay.plain.total).toFixed(2)}x the relay), streamed ${fmt(r.streamed.total)} (${(r.streamed.total / relay.streamed.total).toFixed(2)}x)`,
  );
}
console.log('the same, split: the rest (the code), JIT compiler, GC');
for (const [name, r] of results) {
  const part = (c: Counted, base: Counted) => `${fmt(c.rest)}${name === 'relay' ? '' : ` (${(c.rest / base.rest).toFixed(2)}x)`} + JIT ${fmt(c.jit)} + GC ${fmt(c.gc)}`;
  console.log(`  ${name.padEnd(11)} plain ${part(r.plain, relay.plain)}; streamed ${part(r.streamed, relay.streamed)}`);
}
agent.destroy();
await fake.close();

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}
