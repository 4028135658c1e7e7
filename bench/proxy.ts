// The proxy's cost, measured: the same SDK client and fixture server connected three ways
// (direct, through a raw byte pipe process, through `mcp-route run`), interleaved round by
// round so drift hits all three alike. Prints the median small tools/call round trip, 1 MiB
// tool results per second, and the RSS of the proxy process (idle, and after the 1 MiB
// results), with ratios to the pipe.
// Needs the built CLI: npm run build && npm run bench -- proxy  [rounds]
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = join(root, 'test/helpers/mcp-fixtures/sampling-server.mjs');
const rounds = Number(process.argv[2] ?? 5);
const SMALL_CALLS = 1000;
const BIG_CALLS = 20;
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

type Mode = 'direct' | 'raw pipe' | 'mcp-route';
const modes: Mode[] = ['direct', 'raw pipe', 'mcp-route'];
function commandFor(mode: Mode): { command: string; args: string[] } {
  const node = process.execPath;
  if (mode === 'direct') return { command: node, args: [server] };
  if (mode === 'raw pipe') return { command: node, args: [join(root, 'bench/raw-pipe.mjs'), node, server] };
  return { command: node, args: [join(root, 'dist/cli/main.js'), 'run', '--policy', policyPath, '--', node, server] };
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

const results: Record<Mode, { rtt: number[]; perSec: number[]; rss: number[]; rssAfter: number[] }> = {
  direct: { rtt: [], perSec: [], rss: [], rssAfter: [] },
  'raw pipe': { rtt: [], perSec: [], rss: [], rssAfter: [] },
  'mcp-route': { rtt: [], perSec: [], rss: [], rssAfter: [] },
};

async function measure(mode: Mode): Promise<void> {
  const transport = new StdioClientTransport({ ...commandFor(mode), cwd: root, stderr: 'inherit' });
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  await client.connect(transport);
  for (let i = 0; i < 200; i++) await client.callTool({ name: 'echo', arguments: { text: 'warm' } });
  // Idle: connected and used, before any large result has grown the heap.
  if (mode !== 'direct' && transport.pid) results[mode].rss.push(rssMiB(transport.pid));
  await client.callTool({ name: 'big', arguments: { bytes: MIB } });
  const times: number[] = [];
  for (let i = 0; i < SMALL_CALLS; i++) {
    const t = performance.now();
    await client.callTool({ name: 'echo', arguments: { text: `ping ${i}` } });
    times.push(performance.now() - t);
  }
  results[mode].rtt.push(median(times));
  const t0 = performance.now();
  for (let i = 0; i < BIG_CALLS; i++) {
    const r = await client.callTool({ name: 'big', arguments: { bytes: MIB } });
    if ((r.content as Array<{ text: string }>)[0]!.text.length !== MIB) throw new Error('short result');
  }
  results[mode].perSec.push(BIG_CALLS / ((performance.now() - t0) / 1000));
  if (mode !== 'direct' && transport.pid) results[mode].rssAfter.push(rssMiB(transport.pid));
  await client.close();
}

for (let r = 0; r < rounds; r++) {
  // Rotate the order each round so no mode always runs first (warm caches, CPU boost).
  for (let i = 0; i < modes.length; i++) await measure(modes[(i + r) % modes.length]!);
  process.stdout.write(`round ${r + 1}/${rounds} done\n`);
}

const pipe = { rtt: median(results['raw pipe'].rtt), perSec: median(results['raw pipe'].perSec) };
console.log(`\n${rounds} rounds; ${SMALL_CALLS} small tools/call and ${BIG_CALLS} x 1 MiB results per mode per round (medians of rounds)`);
console.log('mode        small RTT ms   vs pipe   1 MiB results/s   vs pipe   proxy RSS MiB idle / after 1 MiB results');
for (const mode of modes) {
  const rtt = median(results[mode].rtt);
  const perSec = median(results[mode].perSec);
  const rss = results[mode].rss.length ? `${median(results[mode].rss).toFixed(1)} / ${median(results[mode].rssAfter).toFixed(1)}` : '-';
  console.log(
    `${mode.padEnd(11)} ${rtt.toFixed(3).padStart(12)}   ${(rtt / pipe.rtt).toFixed(2).padStart(6)}x   ${perSec.toFixed(1).padStart(15)}   ${(perSec / pipe.perSec).toFixed(2).padStart(6)}x   ${rss}`,
  );
}
const route = { rtt: median(results['mcp-route'].rtt), perSec: median(results['mcp-route'].perSec), rss: median(results['mcp-route'].rss) };
console.log(
  `\ngoals: round trip <= 1.1x pipe: ${(route.rtt / pipe.rtt).toFixed(2)}x ${route.rtt / pipe.rtt <= 1.1 ? 'met' : 'NOT met'}; ` +
    `throughput >= 0.9x pipe: ${(route.perSec / pipe.perSec).toFixed(2)}x ${route.perSec / pipe.perSec >= 0.9 ? 'met' : 'NOT met'}; ` +
    `idle RSS < 60 MiB: ${route.rss.toFixed(1)} ${route.rss < 60 ? 'met' : 'NOT met'}`,
);
