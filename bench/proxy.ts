// The proxy's cost, measured: the same SDK client and fixture server connected three ways
// (direct, through a raw byte pipe process, through `mcp-route run`), all three connected at
// once and taking turns in blocks of calls so drift hits all three alike. Prints the median small tools/call round trip, 1 MiB
// tool results per second, the proxy process's CPU time per small call and per 1 MiB result
// (its main thread and its other threads apart: those are V8's compiler and GC helpers), and
// its RSS (idle, and after the 1 MiB results), with ratios to the pipe.
// Then protocol 2026-07-28: an SDK v2 client pinned to 2026-07-28 in front of the dual-era
// fixture (mrtr-server.mjs), through the raw pipe and through mcp-route, taking turns the same
// way: a tools/call that needs no input (goal: within 1.15x of the pipe; mcp-route parses and
// rewrites every 2026 request), and one whose sampling mcp-route answers in a hidden round.
// Goals (issues 19 and 14): 2025 round trip <= 1.05x and 1 MiB throughput >= 0.95x the pipe,
// 2026 round trip <= 1.15x; a run of 5 rounds or more (9 by default), several runs in a row to call them met.
// Each connection first makes WARM_CALLS small calls: 200 unless a second argument says, the
// figure every wave's goals were judged on. The router's JavaScript took thousands of calls to
// be optimised (its CPU per small call was still falling after 6,000) until the eighth wave
// lowered V8's tier-up budget in the router (src/util/engine.ts); with 200 the timed calls
// still include part of the warm-up, the pipe's as well as the router's; `proxy 5 5000` measures a proxy that has been in use for a while, which is most of
// a proxy's life inside a host. The README gives both.
// Needs the built CLI: npm run build && npm run bench -- proxy  [rounds, 9] [warm-up calls, 200]
// ROUTER_FLAGS="--interrupt-budget=67584" passes node flags to the mcp-route process only (A/B
// of V8 settings; that one restores V8's default tier-up budget, see src/util/engine.ts).
// COMPARE_CLI=<another build's dist/cli/main.js> (inside this checkout, so that its packages
// resolve) adds that build as one more mode in the same rounds of the 2025 part (before/after);
// COMPARE_FLAGS gives that mode its own node flags (this build with other V8 settings, side by side).
import { readFileSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = join(root, 'test/helpers/mcp-fixtures/sampling-server.mjs');
/**
 * Rounds unless the first argument says: 9 since the ninth wave. Each round starts fresh
 * processes, and a process's own luck (where the scheduler puts it, what its JIT compiled when)
 * moves its round's ratio: this build against itself as a fourth mode (COMPARE_CLI) read 0.95x
 * to 1.08x round by round. The median of five such rounds moves by about as much as the 5%
 * the goals are about; nine narrow that without making any round easier.
 */
const rounds = Number(process.argv[2] ?? 9);
const WARM_CALLS = Number(process.argv[3] ?? 200);
const SMALL_CALLS = 1000;
/**
 * 1 MiB results per mode per round. 30 until the eighth wave: per-round ratios then spread from
 * 0.70x to 1.18x, so a median of five rounds moved by more than the 5% the goal is about; two
 * pipes against each other read 0.98-1.01x over 100 calls.
 */
const BIG_CALLS = 100;
const MIB = 1 << 20;

const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-'));
const policyPath = join(dir, 'bench.yaml');
writeFileSync(
  policyPath,
  `version: 1
providers:
  mock: { type: mock, responses: [{ text: "bench answer" }] }
models:
  mock-model: { provider: mock }
defaults: { models: [mock-model] }
`,
);

type Mode = 'direct' | 'raw pipe' | 'mcp-route' | 'other build';
const compareCli = process.env['COMPARE_CLI'];
const modes: Mode[] = ['direct', 'raw pipe', 'mcp-route', ...(compareCli ? (['other build'] as const) : [])];
function commandFor(mode: Mode): { command: string; args: string[] } {
  const node = process.execPath;
  if (mode === 'direct') return { command: node, args: [server] };
  if (mode === 'raw pipe') return { command: node, args: [join(root, 'bench/raw-pipe.mjs'), node, server] };
  const cli = mode === 'other build' ? compareCli! : join(root, 'dist/cli/main.js');
  const flags = (mode === 'other build' ? (process.env.COMPARE_FLAGS ?? process.env.ROUTER_FLAGS) : process.env.ROUTER_FLAGS) ?? '';
  return { command: node, args: [...flags.split(' ').filter(Boolean), cli, 'run', '--policy', policyPath, '--', node, server] };
}

/**
 * CPU time the process has used so far in ms, its main thread and its other threads (V8's
 * compiler and GC helpers) apart: /proc/<pid>/task/<tid>/schedstat, nanoseconds on CPU.
 */
function cpuMs(pid: number): { main: number; others: number } {
  const ms = { main: 0, others: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    ms[tid === String(pid) ? 'main' : 'others'] += ns / 1e6;
  }
  return ms;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

interface ModeFigures {
  rtt: number[];
  perSec: number[];
  rss: number[];
  rssAfter: number[];
  /** The proxy process's CPU time (all threads) per small call, in ms. */
  cpuSmall: number[];
  /** The same per 1 MiB result: main thread, and its other threads. */
  cpuBigMain: number[];
  cpuBigOthers: number[];
}
const noFigures = (): ModeFigures => ({ rtt: [], perSec: [], rss: [], rssAfter: [], cpuSmall: [], cpuBigMain: [], cpuBigOthers: [] });
const results: Record<Mode, ModeFigures> = { direct: noFigures(), 'raw pipe': noFigures(), 'mcp-route': noFigures(), 'other build': noFigures() };
/** Per round, mcp-route's figure over the raw pipe's from the same round (and COMPARE_CLI's build's). */
const ratios = { rtt: [] as number[], perSec: [] as number[] };
const otherRatios = { rtt: [] as number[], perSec: [] as number[] };

/** Small calls run in blocks of this many, the modes taking turns, so machine drift within a round hits all alike. */
const BLOCK = 50;

/** `calls` small echo calls per connection, the modes taking turns in blocks of BLOCK; each call's time by mode. */
async function timeEchoCalls<M>(
  conns: ReadonlyArray<{ mode: M; client: { callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown> } }>,
  calls: number,
): Promise<Map<M, number[]>> {
  const times = new Map<M, number[]>(conns.map((c) => [c.mode, []]));
  for (let done = 0; done < calls; done += BLOCK) {
    for (const c of conns) {
      const t = times.get(c.mode)!;
      for (let i = 0; i < BLOCK; i++) {
        const t0 = performance.now();
        await c.client.callTool({ name: 'echo', arguments: { text: `ping ${done + i}` } });
        t.push(performance.now() - t0);
      }
    }
  }
  return times;
}

interface Connected {
  mode: Mode;
  client: Client;
  pid: number | undefined;
}

async function connect(mode: Mode): Promise<Connected> {
  const transport = new StdioClientTransport({ ...commandFor(mode), cwd: root, stderr: 'inherit' });
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  await client.connect(transport);
  for (let i = 0; i < WARM_CALLS; i++) await client.callTool({ name: 'echo', arguments: { text: 'warm' } });
  return { mode, client, pid: transport.pid ?? undefined };
}

async function round(r: number): Promise<void> {
  // Rotate the order each round so no mode always goes first (warm caches, CPU boost).
  const order = modes.map((_, i) => modes[(i + r) % modes.length]!);
  const conns: Connected[] = [];
  for (const mode of order) conns.push(await connect(mode));
  // Idle: connected and used, before any large result has grown the heap.
  for (const c of conns) if (c.mode !== 'direct' && c.pid) results[c.mode].rss.push(rssMiB(c.pid));
  for (const c of conns) await c.client.callTool({ name: 'big', arguments: { bytes: MIB } });
  const proxies = conns.filter((c) => c.mode !== 'direct' && c.pid);
  const cpuAt = () => new Map(proxies.map((c) => [c.mode, cpuMs(c.pid!)]));
  const cpu0 = cpuAt();
  const times = await timeEchoCalls(conns, SMALL_CALLS);
  const cpu1 = cpuAt();
  for (const mode of modes) results[mode].rtt.push(median(times.get(mode)!));
  // 1 MiB results the same way: one call per mode in turn, each timed on its own.
  // Throughput is taken from the median call, so a GC pause in the shared client process
  // (it parses every 1 MiB result) lands on no mode in particular.
  const bigMs = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  for (let i = 0; i < BIG_CALLS; i++) {
    for (const c of conns) {
      const t0 = performance.now();
      const r = await c.client.callTool({ name: 'big', arguments: { bytes: MIB } });
      bigMs.get(c.mode)!.push(performance.now() - t0);
      if ((r.content as Array<{ text: string }>)[0]!.text.length !== MIB) throw new Error('short result');
    }
  }
  const cpu2 = cpuAt();
  for (const c of proxies) {
    const [t0, t1, t2] = [cpu0.get(c.mode)!, cpu1.get(c.mode)!, cpu2.get(c.mode)!];
    results[c.mode].cpuSmall.push((t1.main + t1.others - t0.main - t0.others) / SMALL_CALLS);
    results[c.mode].cpuBigMain.push((t2.main - t1.main) / BIG_CALLS);
    results[c.mode].cpuBigOthers.push((t2.others - t1.others) / BIG_CALLS);
  }
  for (const c of conns) {
    results[c.mode].perSec.push(1000 / median(bigMs.get(c.mode)!));
    if (c.mode !== 'direct' && c.pid) results[c.mode].rssAfter.push(rssMiB(c.pid));
  }
  for (const c of conns) await c.client.close();
  ratios.rtt.push(results['mcp-route'].rtt.at(-1)! / results['raw pipe'].rtt.at(-1)!);
  ratios.perSec.push(results['mcp-route'].perSec.at(-1)! / results['raw pipe'].perSec.at(-1)!);
  if (compareCli) {
    otherRatios.rtt.push(results['other build'].rtt.at(-1)! / results['raw pipe'].rtt.at(-1)!);
    otherRatios.perSec.push(results['other build'].perSec.at(-1)! / results['raw pipe'].perSec.at(-1)!);
  }
}

for (let r = 0; r < rounds; r++) {
  await round(r);
  const fig = (mode: Mode) => `${mode} ${results[mode].rtt.at(-1)!.toFixed(3)} ms / ${results[mode].perSec.at(-1)!.toFixed(1)} per s`;
  process.stdout.write(`round ${r + 1}/${rounds}: round trip ${ratios.rtt.at(-1)!.toFixed(2)}x pipe, 1 MiB throughput ${ratios.perSec.at(-1)!.toFixed(2)}x pipe (${modes.map(fig).join('; ')})\n`);
}

const pipe = { rtt: median(results['raw pipe'].rtt), perSec: median(results['raw pipe'].perSec) };
console.log(
  `\n${rounds} rounds; per connection ${WARM_CALLS} warm-up calls, then per round ${SMALL_CALLS} small tools/call per mode (modes alternating in blocks of ${BLOCK}) and ${BIG_CALLS} x 1 MiB results per mode (alternating call by call, rate from the median call; medians of rounds)`,
);
console.log('mode        small RTT ms   vs pipe   1 MiB results/s   vs pipe   proxy CPU ms per small call / 1 MiB result (main + other threads)   proxy RSS MiB idle / after 1 MiB results');
for (const mode of modes) {
  const rtt = median(results[mode].rtt);
  const perSec = median(results[mode].perSec);
  const rss = results[mode].rss.length ? `${median(results[mode].rss).toFixed(1)} / ${median(results[mode].rssAfter).toFixed(1)}` : '-';
  const r = results[mode];
  const cpu = r.cpuSmall.length ? `${median(r.cpuSmall).toFixed(3)} / ${median(r.cpuBigMain).toFixed(2)} + ${median(r.cpuBigOthers).toFixed(2)}` : '-';
  console.log(
    `${mode.padEnd(11)} ${rtt.toFixed(3).padStart(12)}   ${(rtt / pipe.rtt).toFixed(2).padStart(6)}x   ${perSec.toFixed(1).padStart(15)}   ${(perSec / pipe.perSec).toFixed(2).padStart(6)}x   ${cpu.padStart(63)}   ${rss}`,
  );
}
// The goals are judged on the median of the per-round ratios: each ratio compares figures
// taken in the same round, so slow and fast periods of a shared machine cancel out.
const rttRatio = median(ratios.rtt);
const perSecRatio = median(ratios.perSec);
const idleRss = median(results['mcp-route'].rss);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
// Issue 19's goals; its idle-RSS goal (45 MiB) is judged by bench/startup.ts on a realistic policy.
console.log(
  `\ngoals (median of per-round ratios, range in brackets): round trip <= 1.05x pipe: ${rttRatio.toFixed(2)}x [${spread(ratios.rtt)}] ${rttRatio <= 1.05 ? 'met' : 'NOT met'}; ` +
    `throughput >= 0.95x pipe: ${perSecRatio.toFixed(2)}x [${spread(ratios.perSec)}] ${perSecRatio >= 0.95 ? 'met' : 'NOT met'}; ` +
    `idle RSS ${idleRss.toFixed(1)} MiB (pipe ${median(results['raw pipe'].rss).toFixed(1)}; goal <= 45 MiB: see bench/startup.ts)`,
);
if (compareCli) {
  console.log(
    `the other build (${compareCli}): round trip ${median(otherRatios.rtt).toFixed(2)}x pipe [${spread(otherRatios.rtt)}]; throughput ${median(otherRatios.perSec).toFixed(2)}x pipe [${spread(otherRatios.perSec)}]`,
  );
}

// ---- protocol 2026-07-28 -----------------------------------------------------------------------
const mrtrServer = join(root, 'test/helpers/mcp-fixtures/mrtr-server.mjs');
const MODERN_CALLS = 500;
type ModernMode = 'raw pipe' | 'mcp-route';
const modernModes: ModernMode[] = ['raw pipe', 'mcp-route'];
const modernRatios: number[] = [];
const modernRtt: Record<ModernMode, number[]> = { 'raw pipe': [], 'mcp-route': [] };
const hiddenRound: number[] = [];
/** The proxy process's CPU time (all threads) per tools/call, in ms, by mode. */
const modernCpu: Record<ModernMode, number[]> = { 'raw pipe': [], 'mcp-route': [] };

async function connectModern(mode: ModernMode): Promise<{ mode: ModernMode; client: V2Client; pid: number | null }> {
  const node = process.execPath;
  const target = mode === 'raw pipe' ? [join(root, 'bench/raw-pipe.mjs'), node, mrtrServer] : [join(root, 'dist/cli/main.js'), 'run', '--policy', policyPath, '--', node, mrtrServer];
  const client = new V2Client({ name: 'bench-2026', version: '1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const transport = new V2StdioClientTransport({ command: node, args: target, cwd: root, stderr: 'inherit' });
  await client.connect(transport);
  for (let i = 0; i < WARM_CALLS; i++) await client.callTool({ name: 'echo', arguments: { text: 'warm' } });
  return { mode, client, pid: transport.pid };
}

for (let r = 0; r < rounds; r++) {
  const order = modernModes.map((_, i) => modernModes[(i + r) % modernModes.length]!);
  const conns: Array<{ mode: ModernMode; client: V2Client; pid: number | null }> = [];
  for (const mode of order) conns.push(await connectModern(mode));
  const total = (pid: number | null) => {
    const t = pid ? cpuMs(pid) : undefined;
    return t ? t.main + t.others : Number.NaN;
  };
  const cpu0 = conns.map((c) => total(c.pid));
  const times = await timeEchoCalls(conns, MODERN_CALLS);
  for (const [i, c] of conns.entries()) modernCpu[c.mode].push((total(c.pid) - cpu0[i]!) / MODERN_CALLS);
  for (const mode of modernModes) modernRtt[mode].push(median(times.get(mode)!));
  modernRatios.push(modernRtt['mcp-route'].at(-1)! / modernRtt['raw pipe'].at(-1)!);
  // A hidden round: mcp-route answers the sampling entry (mock provider) and repeats the call.
  const routed = conns.find((c) => c.mode === 'mcp-route')!.client;
  const hidden: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    await routed.callTool({ name: 'ask', arguments: { q: 'bench' } });
    hidden.push(performance.now() - t0);
  }
  hiddenRound.push(median(hidden));
  for (const c of conns) await c.client.close();
  process.stdout.write(
    `2026 round ${r + 1}/${rounds}: tools/call round trip ${modernRatios.at(-1)!.toFixed(2)}x pipe (pipe ${modernRtt['raw pipe'].at(-1)!.toFixed(3)} ms, mcp-route ${modernRtt['mcp-route'].at(-1)!.toFixed(3)} ms; one hidden round ${hiddenRound.at(-1)!.toFixed(3)} ms)\n`,
  );
}
const modernRatio = median(modernRatios);
console.log(
  `\n2026-07-28 (SDK v2 client pinned, ${WARM_CALLS} warm-up calls, ${MODERN_CALLS} tools/call per mode per round): pipe ${median(modernRtt['raw pipe']).toFixed(3)} ms, ` +
    `mcp-route ${median(modernRtt['mcp-route']).toFixed(3)} ms; a call with one hidden sampling round through mcp-route ${median(hiddenRound).toFixed(3)} ms; ` +
    `proxy CPU per call: pipe ${median(modernCpu['raw pipe']).toFixed(3)} ms, mcp-route ${median(modernCpu['mcp-route']).toFixed(3)} ms`,
);
console.log(
  `goal (median of per-round ratios): 2026 round trip <= 1.15x pipe when no round is hidden: ${modernRatio.toFixed(2)}x [${spread(modernRatios)}] ${modernRatio <= 1.15 ? 'met' : 'NOT met'}`,
);
