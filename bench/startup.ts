// What mcp-route adds to a server's start-up, and what it holds in memory while idle.
// Spawn to `initialize` answered, for the same fixture server (a real SDK v1 server) spawned
// directly and through `mcp-route run` with the shipped prod.yaml (two API providers, sqlite
// budgets, an audit file), the two alternating run by run, beside a bare `node -e 0` (spawn to
// exit) in the same run: any proxy process costs at least one Node start-up, so the goal is
// stated beyond that. Then the router's resident memory once it is idle after `initialize`.
// Hosts spawn one mcp-route per server at start (SDK v2 hosts twice: a probe), so this is what
// a user waits for. Goals (issue 19): start-up adds at most 15 ms beyond `node -e 0` (median
// of the runs); idle RSS at most 45 MiB.
// On a busy machine the wall times drift; the router's own CPU time until it has answered
// (from /proc/<pid>/schedstat), against what a bare Node start-up uses, is printed beside them.
// Needs the built CLI: npm run build && npm run bench -- startup  [runs]
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The bin package.json names (dist/cli/main.cjs): what `npx mcp-route` and an installed
// `mcp-route` run. dist/cli/main.js loads the same file from an ES module.
const CLI = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['mcp-route']!);
if (!existsSync(CLI)) {
  console.error('bench/startup: build first (npm run build)');
  process.exit(1);
}
const server = join(root, 'test/helpers/mcp-fixtures/sampling-server.mjs');
const RUNS = Number(process.argv[2] ?? 10);

// prod.yaml as shipped, in a folder of its own: its audit file and sqlite store land there.
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-startup-'));
const policy = join(dir, 'prod.yaml');
copyFileSync(join(root, 'policies/prod.yaml'), policy);
const env = {
  ...process.env,
  HOME: dir,
  XDG_STATE_HOME: join(dir, 'state'),
  OPENAI_API_KEY: 'sk-bench-not-a-key',
  ANTHROPIC_API_KEY: 'sk-ant-bench-not-a-key',
  MCP_ROUTE_LOG_LEVEL: 'error',
};

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-startup', version: '1' } },
})}\n`;

type Mode = 'node -e 0' | 'direct' | 'mcp-route';

function argsFor(mode: Mode): string[] {
  // Reports its own CPU time at exit: the floor the router's CPU time is compared with.
  if (mode === 'node -e 0') return ['-e', "process.on('exit', () => { const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000)); })"];
  if (mode === 'direct') return [server];
  return [CLI, 'run', '--policy', policy, '--server-name', 'bench', '--', process.execPath, server];
}

interface Started {
  ms: number;
  /** CPU time of the spawned process itself (not its child) until it answered or exited. */
  cpuMs: number;
  rssMiB?: number;
}

/** Time on CPU of a live process, ns resolution (first field of schedstat). */
function cpuMsOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/** Spawn to exit for `node -e 0`; spawn to the `initialize` answer otherwise (then the idle RSS, then close). */
function startOnce(mode: Mode, measureRss: boolean): Promise<Started> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, argsFor(mode), { cwd: dir, env, stdio: ['pipe', 'pipe', 'inherit'] });
    child.on('error', reject);
    if (mode === 'node -e 0') {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('exit', () => resolve({ ms: performance.now() - t0, cpuMs: Number(out) }));
      return;
    }
    child.stdin.write(INITIALIZE);
    let buffered = '';
    let answered = false;
    child.on('exit', (code) => {
      if (!answered) reject(new Error(`${mode}: exited with ${code} before answering initialize`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (answered) return;
      buffered += chunk.toString('utf8');
      if (!buffered.includes('\n')) return;
      answered = true;
      const ms = performance.now() - t0;
      const cpuMs = cpuMsOf(child.pid!);
      if (!/"id":1\b/.test(buffered) || !buffered.includes('"result"')) reject(new Error(`${mode}: unexpected answer ${buffered.slice(0, 200)}`));
      const finish = (rss?: number) => {
        child.on('exit', () => resolve({ ms, cpuMs, ...(rss !== undefined ? { rssMiB: rss } : {}) }));
        child.stdin.end();
      };
      if (!measureRss) return finish();
      // Idle: the handshake done and the notification sent, nothing else to do for a while.
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      setTimeout(() => finish(rssMiB(child.pid!)), 1500);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const modes: Mode[] = ['node -e 0', 'direct', 'mcp-route'];
const times: Record<Mode, number[]> = { 'node -e 0': [], direct: [], 'mcp-route': [] };
const cpu: Record<Mode, number[]> = { 'node -e 0': [], direct: [], 'mcp-route': [] };
// One warm-up of each (the file cache, the sqlite file's creation) that is not counted.
for (const mode of modes) await startOnce(mode, false);
for (let r = 0; r < RUNS; r++) {
  // Alternate the order run by run, so neither always starts on a machine the other just warmed.
  const order = r % 2 ? [...modes].reverse() : modes;
  for (const mode of order) {
    const started = await startOnce(mode, false);
    times[mode].push(started.ms);
    cpu[mode].push(started.cpuMs);
  }
  const added = times['mcp-route'].at(-1)! - times.direct.at(-1)!;
  console.log(
    `run ${String(r + 1).padStart(2)}/${RUNS}: node -e 0 ${times['node -e 0'].at(-1)!.toFixed(1)} ms, direct ${times.direct.at(-1)!.toFixed(1)} ms, ` +
      `mcp-route ${times['mcp-route'].at(-1)!.toFixed(1)} ms (adds ${added.toFixed(1)} ms, ${(added - times['node -e 0'].at(-1)!).toFixed(1)} ms beyond node -e 0); ` +
      `CPU: node -e 0 ${cpu['node -e 0'].at(-1)!.toFixed(1)} ms, router until answered ${cpu['mcp-route'].at(-1)!.toFixed(1)} ms`,
  );
}

const rss: number[] = [];
for (let i = 0; i < 3; i++) rss.push((await startOnce('mcp-route', true)).rssMiB!);

const node0 = median(times['node -e 0']);
const direct = median(times.direct);
const routed = median(times['mcp-route']);
const added = routed - direct;
const beyond = added - node0;
const idle = median(rss);
const cpu0 = median(cpu['node -e 0']);
const cpuRouter = median(cpu['mcp-route']);
console.log(
  `\n${RUNS} runs each, alternating; medians: node -e 0 ${node0.toFixed(1)} ms; direct ${direct.toFixed(1)} ms; through mcp-route ${routed.toFixed(1)} ms (${(routed / direct).toFixed(2)}x direct)`,
);
console.log(`mcp-route adds ${added.toFixed(1)} ms to spawn-to-initialize, ${beyond.toFixed(1)} ms beyond a bare node -e 0; idle router RSS ${rss.map((x) => x.toFixed(1)).join(' / ')} MiB`);
console.log(
  `CPU time (less sensitive to a busy machine): node -e 0 ${cpu0.toFixed(1)} ms; the router until it answered initialize ${cpuRouter.toFixed(1)} ms (${(cpuRouter - cpu0).toFixed(1)} ms beyond node -e 0)`,
);
console.log(
  `goals: start-up adds <= 15 ms beyond node -e 0: ${beyond.toFixed(1)} ms ${beyond <= 15 ? 'met' : 'NOT met'}; ` +
    `idle router RSS <= 45 MiB: ${idle.toFixed(1)} MiB ${idle <= 45 ? 'met' : 'NOT met'}`,
);
