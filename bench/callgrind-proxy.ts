// The proxy's CPU cost per message, independent of machine load: instructions counted by
// valgrind's callgrind in the proxy process (mcp-route, and the raw byte pipe as the baseline
// measured in the same run) per small tools/call round trip, in both protocol eras. Wall-clock
// ratios (bench/proxy.ts) are noisy on a shared machine; instruction counts are not.
// Callgrind's instrumentation is switched on (callgrind_control) only after WARM calls, once
// the JIT has settled (3,000 were not enough: TurboFan was still compiling), and off after
// CALLS more: start-up, warm-up and shutdown are not counted. The server and the client are
// not counted either (valgrind does not follow children; the client is this process).
// Needs the built CLI and valgrind: npm run build && npm run bench -- callgrind-proxy
// (CG_WARM, CG_CALLS override the counts; CG_NODE_FLAGS=--perf-basic-prof names JIT code.)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const WARM = Number(process.env.CG_WARM ?? 10_000);
const CALLS = Number(process.env.CG_CALLS ?? 2_000);
const BIG_WARM = 200;
const BIG_CALLS = 40;
const MIB = 1 << 20;

const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-cg-'));
const policyPath = join(dir, 'bench.yaml');
writeFileSync(policyPath, 'version: 1\nproviders:\n  mock: { type: mock, responses: [{ text: "bench answer" }] }\nmodels:\n  mock-model: { provider: mock }\ndefaults: { models: [mock-model] }\n');

type Mode = 'raw pipe' | 'mcp-route';
type Era = '2025' | '2026';
const servers: Record<Era, string> = {
  '2025': join(root, 'test/helpers/mcp-fixtures/sampling-server.mjs'),
  '2026': join(root, 'test/helpers/mcp-fixtures/mrtr-server.mjs'),
};

// What an SDK v2 client pinned to 2026-07-28 sends with every request (captured from @modelcontextprotocol/client).
const META_2026 = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench-2026', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** CG_NODE_FLAGS="--perf-basic-prof" names JIT code: /tmp/perf-<pid>.map resolves callgrind's ??? addresses. */
const nodeFlags = (process.env.CG_NODE_FLAGS ?? '').split(' ').filter(Boolean);

function proxyArgs(mode: Mode, era: Era): string[] {
  if (mode === 'raw pipe') return [join(root, 'bench/raw-pipe.mjs'), node, servers[era]];
  return [join(root, 'dist/cli/main.js'), 'run', '--policy', policyPath, '--', node, servers[era]];
}

/** What each call asks for: a small echo, or a 1 MiB result (the streamed path). */
type Kind = 'echo' | 'big';

/** Instructions of one proxy process per call over `calls` calls, counted after WARM small calls and `warm` of the kind (callgrind switched on then). */
async function perCall(mode: Mode, era: Era, kind: Kind, warm: number, calls: number): Promise<number> {
  const out = join(dir, `${mode.replace(' ', '-')}-${era}-${kind}.cg`);
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, node, ...nodeFlags, ...proxyArgs(mode, era)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map<number | string, (message: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const id = message.id as number | string | undefined;
    if (id !== undefined && waiting.has(id)) {
      waiting.get(id)!(message);
      waiting.delete(id);
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let next = 1;
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  if (era === '2025') {
    await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
    child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  } else {
    await request('server/discover', { _meta: META_2026 });
  }
  const call = async (i: number, what: Kind = kind) => {
    const args = what === 'big' ? { name: 'big', arguments: { bytes: MIB } } : { name: 'echo', arguments: { text: `ping ${i}` } };
    const params = { ...args, ...(era === '2026' ? { _meta: META_2026 } : {}) };
    const answer = await request('tools/call', params);
    if (!answer.result) throw new Error(`${mode} ${era}: ${JSON.stringify(answer)}`);
  };
  // Small calls first in every case, as in a proxy's life: the frame path gets optimised.
  for (let i = 0; i < WARM; i++) await call(i, 'echo');
  if (kind === 'big') for (let i = 0; i < warm; i++) await call(i);
  // callgrind reads its commands when the process next runs: the first measured call switches it on.
  control(child.pid!, '-i', 'on');
  for (let i = 0; i < calls; i++) await call(i);
  control(child.pid!, '-i', 'off');
  await call(calls); // switched off by the time this one is forwarded
  child.stdin.end();
  await exited;
  const totals = /^totals: (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (!totals) throw new Error(`no totals in ${out}`);
  return Number(totals[1]) / calls;
}

function control(pid: number, ...args: string[]): void {
  const r = spawnSync('callgrind_control', [...args, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control ${args.join(' ')}: ${r.stderr}`);
}

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.log('skipped: valgrind is not installed (it counts the instructions)');
  process.exit(0);
}

console.log(`instructions per small tools/call round trip in the proxy process (callgrind, ${CALLS} calls counted after ${WARM} uncounted)`);
const row = (what: string, pipe: number, routed: number) =>
  console.log(`${what}: raw pipe ${Math.round(pipe).toLocaleString('en')}, mcp-route ${Math.round(routed).toLocaleString('en')}: ${(routed / pipe).toFixed(2)}x the pipe`);
for (const era of ['2025', '2026'] as const) {
  row(era, await perCall('raw pipe', era, 'echo', 0, CALLS), await perCall('mcp-route', era, 'echo', 0, CALLS));
}
console.log(`per 1 MiB tool result (2025, ${BIG_CALLS} calls counted after ${WARM} small and ${BIG_WARM} large uncounted)`);
row('1 MiB', await perCall('raw pipe', '2025', 'big', BIG_WARM, BIG_CALLS), await perCall('mcp-route', '2025', 'big', BIG_WARM, BIG_CALLS));
