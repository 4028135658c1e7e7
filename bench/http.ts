// Streamable HTTP through mcp-route, measured against the plain SDK in the same run. One small
// `tools/call` (echo) round trip, three ways, connected at once and taking turns in blocks of
// calls so drift hits all alike:
//   direct    an SDK v1 HTTP client -> a plain SDK v1 Streamable HTTP server (the baseline)
//   serve     an SDK v1 HTTP client -> `mcp-route serve` -> the stdio fixture server's echo
//             (the same SDK McpServer and tool, over stdio behind serve; goal within 1.2x)
//   run --url an SDK v1 stdio client -> `mcp-route run --url` -> the plain server (goal within 1.2x)
// Besides the round-trip times (which the load of a shared machine moves), it sums the CPU time
// every process on each path spends per call (this process's client, mcp-route, the servers;
// from /proc, Linux), which moves far less with load.
// Needs the built CLI: npm run build && npm run bench -- http  [rounds]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const fixture = join(root, 'test/helpers/mcp-fixtures/sampling-server.mjs');
const rounds = Number(process.argv[2] ?? 5);
const CALLS = 500;
const BLOCK = 50;
// run --url's mcp-route and serve's per-session child are new processes every round, while the
// direct client (this process) and the plain server stay warm: after 100 calls V8 was still
// compiling (mcp-route spent 1.48 ms of CPU per call over the next 500, 0.88 ms after 1,000).
// What is measured is a running proxy's round trip; start-up has its own bench.
const WARM_CALLS = 1000;
const TOKEN = 'bench-token-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-http-'));
const policyPath = join(dir, 'bench.yaml');
writeFileSync(policyPath, 'version: 1\nproviders: { mock: { type: mock, responses: [{ text: "bench" }] } }\nmodels: { m: { provider: mock } }\nstate: { store: memory }\n');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const children: ChildProcess[] = [];

/** Spawns a process and resolves with the first URL it prints on stdout. */
function startPrintingUrl(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

type Mode = 'direct' | 'serve' | 'run --url';
const modes: Mode[] = ['direct', 'serve', 'run --url'];

/** CPU ms a process has used (utime + stime, in 10 ms ticks: summed over many blocks); 0 where /proc is missing or the process is gone. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU ms of a process and its children (serve's per-session servers). */
function treeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no /proc children list: the process alone
  }
  return cpuMs(pid) + kids.reduce((sum, kid) => sum + cpuMs(kid), 0);
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** Per mode, summed over every block: calls made, CPU ms of the whole path and of mcp-route's own process. */
const cpu: Record<Mode, { calls: number; path: number; mcpRoute: number }> = {
  direct: { calls: 0, path: 0, mcpRoute: 0 },
  serve: { calls: 0, path: 0, mcpRoute: 0 },
  'run --url': { calls: 0, path: 0, mcpRoute: 0 },
};
const pids: { plain?: number; serve?: number; runUrl?: number } = {};

async function connect(mode: Mode, plainUrl: string, serveUrl: string): Promise<Client> {
  const client = new Client({ name: 'bench-http', version: '1' }, { capabilities: {} });
  if (mode === 'run --url') {
    const args = [cli, 'run', '--policy', policyPath, '--url', plainUrl, '--header', 'Authorization: Bearer ${BENCH_TOKEN}'];
    const transport = new StdioClientTransport({ command: process.execPath, args, env: { ...(process.env as Record<string, string>), BENCH_TOKEN: TOKEN }, stderr: 'inherit' });
    await client.connect(transport);
    pids.runUrl = transport.pid ?? undefined;
  } else {
    const url = mode === 'direct' ? plainUrl : serveUrl;
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
  }
  for (let i = 0; i < WARM_CALLS; i++) await client.callTool({ name: 'echo', arguments: { text: 'warm' } });
  return client;
}

const rtt: Record<Mode, number[]> = { direct: [], serve: [], 'run --url': [] };
const ratios: Record<'serve' | 'run --url', number[]> = { serve: [], 'run --url': [] };

async function round(r: number, plainUrl: string, serveUrl: string): Promise<void> {
  const order = modes.map((_, i) => modes[(i + r) % modes.length]!);
  const clients = new Map<Mode, Client>();
  for (const mode of order) clients.set(mode, await connect(mode, plainUrl, serveUrl));
  const times = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (const mode of order) {
      const client = clients.get(mode)!;
      const own = mode === 'serve' ? () => treeCpuMs(pids.serve) : mode === 'run --url' ? () => cpuMs(pids.runUrl) : () => 0;
      const path = () => ownCpuMs() + own() + (mode === 'serve' ? 0 : cpuMs(pids.plain));
      const [path0, own0] = [path(), own()];
      for (let i = 0; i < BLOCK; i++) {
        const t0 = performance.now();
        await client.callTool({ name: 'echo', arguments: { text: `ping ${done + i}` } });
        times.get(mode)!.push(performance.now() - t0);
      }
      cpu[mode].calls += BLOCK;
      cpu[mode].path += path() - path0;
      cpu[mode].mcpRoute += own() - own0;
    }
  }
  for (const mode of modes) rtt[mode].push(median(times.get(mode)!));
  for (const client of clients.values()) await client.close();
  ratios.serve.push(rtt.serve.at(-1)! / rtt.direct.at(-1)!);
  ratios['run --url'].push(rtt['run --url'].at(-1)! / rtt.direct.at(-1)!);
}

try {
  const plainUrl = await startPrintingUrl(['--import', 'tsx', join(root, 'bench/_plain-http-server.ts')], { ...process.env, BENCH_TOKEN: TOKEN });
  pids.plain = children.at(-1)!.pid;
  const serveUrl = await startPrintingUrl([cli, 'serve', '--policy', policyPath, '--port', '0', '--', process.execPath, fixture]);
  pids.serve = children.at(-1)!.pid;
  for (let r = 0; r < rounds; r++) {
    await round(r, plainUrl, serveUrl);
    console.log(`round ${r + 1}/${rounds}: direct ${rtt.direct.at(-1)!.toFixed(3)} ms, serve ${ratios.serve.at(-1)!.toFixed(2)}x, run --url ${ratios['run --url'].at(-1)!.toFixed(2)}x`);
  }
  console.log(`\n${rounds} rounds; per round ${CALLS} small tools/call per mode (modes alternating in blocks of ${BLOCK}; medians of rounds)`);
  console.log('mode        small RTT ms   vs direct');
  for (const mode of modes) console.log(`${mode.padEnd(11)} ${median(rtt[mode]).toFixed(3).padStart(12)}   ${(median(rtt[mode]) / median(rtt.direct)).toFixed(2).padStart(6)}x`);
  const goal = (m: 'serve' | 'run --url') => {
    const ratio = median(ratios[m]);
    return `${m} ${ratio.toFixed(2)}x [${Math.min(...ratios[m]).toFixed(2)}-${Math.max(...ratios[m]).toFixed(2)}] ${ratio <= 1.2 ? 'met' : 'NOT met'}`;
  };
  console.log(`goals (median of per-round ratios, range in brackets): within 1.2x of direct: ${goal('serve')}; ${goal('run --url')}`);
  const per = (mode: Mode, what: 'path' | 'mcpRoute') => cpu[mode][what] / cpu[mode].calls;
  console.log(
    `CPU per call, every process on the path (client, mcp-route and its child, server): direct ${per('direct', 'path').toFixed(3)} ms, serve ${per('serve', 'path').toFixed(3)} ms (${(per('serve', 'path') / per('direct', 'path')).toFixed(2)}x), run --url ${per('run --url', 'path').toFixed(3)} ms (${(per('run --url', 'path') / per('direct', 'path')).toFixed(2)}x)`,
  );
  console.log(`CPU per call of mcp-route's process: serve ${per('serve', 'mcpRoute').toFixed(3)} ms (with its child server), run --url ${per('run --url', 'mcpRoute').toFixed(3)} ms`);
} finally {
  for (const child of children) child.kill('SIGTERM');
}
