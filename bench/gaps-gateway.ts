// The model gateway's pace within a streamed answer: a fake OpenAI server streams eight events
// 5 ms apart, read by a node:http client through `mcp-route run`'s gateway and through the
// empty relay (bench/_http-relay.mjs, a node:http server). The time to the last byte and the
// gaps between arrivals show any event held back on its way (Nagle's algorithm on the
// gateway's side of the connection held an event for the client's delayed ACK, over 20 ms, in
// nearly every call before the gateway's sockets set TCP_NODELAY as node:http's own do).
// COMPARE_CLI=<another build's dist/cli/main.js> (inside this checkout) adds that build.
// Run: npm run bench -- gaps-gateway [calls]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '../test/helpers/fake-openai.js';
import { openaiStreamReply } from '../test/helpers/fake-streams.js';
import { CLI, ROOT } from '../test/helpers/cli.js';
import { reportingRunArgs, waitForReport, writeGatewayPolicy } from './_gateway-target.js';

const calls = Number(process.argv[2] ?? 200);
const EVENTS = 8;
const INTERVAL_MS = 5;
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-bench-gaps-gateway-'));
const fake = await startFakeOpenAI();
fake.setDefault(() => ({
  ...openaiStreamReply({ text: 'one two three four five six seven eight', model: 'gpt-bench', pieces: EVENTS }),
  trickle: { chunks: EVENTS, intervalMs: INTERVAL_MS },
}));
const policy = writeGatewayPolicy(dir, fake.baseURL);

async function startGateway(cli: string, name: string): Promise<{ process: ChildProcess; url: URL; key: string }> {
  const report = join(dir, `${name}-env.json`);
  const spawned = spawn(process.execPath, reportingRunArgs(cli, policy, report), { cwd: ROOT, stdio: ['pipe', 'ignore', 'inherit'] });
  const { url, key } = await waitForReport(report);
  return { process: spawned, url: new URL(`${url}/chat/completions`), key };
}
const targets: Record<string, { process: ChildProcess; url: URL; key: string }> = { 'mcp-route': await startGateway(CLI, 'this') };
if (process.env['COMPARE_CLI']) targets['other'] = await startGateway(process.env['COMPARE_CLI'], 'other');
const relay = spawn(process.execPath, [join(ROOT, 'bench/_http-relay.mjs'), fake.baseURL], { stdio: ['ignore', 'pipe', 'inherit'] });
const relayURL = await new Promise<string>((resolve) => relay.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
targets['relay'] = { process: relay, url: new URL(`${relayURL}/v1/chat/completions`), key: 'bench-key-123456' };

const agent = new http.Agent({ keepAlive: true });
const body = JSON.stringify({ model: 'gpt-bench', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, stream: true });

/** When each piece of the streamed answer arrived, in ms from the request. */
function arrivals(mode: string): Promise<number[]> {
  const { url, key } = targets[mode]!;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const at: number[] = [];
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      res.on('data', () => at.push(performance.now() - t0));
      res.on('end', () => (res.statusCode === 200 ? resolve(at) : reject(new Error(`${mode}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const modes = Object.keys(targets);
const last: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
const longGaps: Record<string, number> = Object.fromEntries(modes.map((m) => [m, 0]));
for (const mode of modes) for (let i = 0; i < 20; i++) await arrivals(mode);
// Calls come back to back on one connection, as an agent's loop makes them (Linux then delays
// its ACKs, which is what a held event waits for), in blocks of ten per mode, the modes
// alternating between blocks so that a busy spell on the machine hits each alike.
for (let block = 0; block < calls / 10; block++) {
  for (const mode of modes) {
    for (let i = 0; i < 10; i++) {
      const at = await arrivals(mode);
      last[mode]!.push(at[at.length - 1]!);
      for (let j = 1; j < at.length; j++) if (at[j]! - at[j - 1]! > 4 * INTERVAL_MS) longGaps[mode]!++;
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`a streamed answer of ${EVENTS} events ${INTERVAL_MS} ms apart, ${calls} calls per mode, back to back in blocks of 10, modes alternating`);
for (const mode of modes) console.log(`  ${mode.padEnd(10)} last byte median ${median(last[mode]!).toFixed(1)} ms; gaps over ${4 * INTERVAL_MS} ms: ${longGaps[mode]} in ${calls} calls`);

for (const t of Object.values(targets)) {
  t.process.stdin?.end();
  t.process.kill('SIGTERM');
}
agent.destroy();
await fake.close();
