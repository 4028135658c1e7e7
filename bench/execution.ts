// The router's own cost per sampling call: createRouter().createMessage against a fake
// OpenAI server that answers at once, versus the same `openai` SDK calling the same
// server directly with the equivalent body, over the same transport the providers use
// (httpFetch), so the difference is the router's work alone. Interleaved in one run; medians compared.
// Run: node --import tsx bench/execution.ts [iterations]

import OpenAI from 'openai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTelemetry } from '../src/telemetry/otel.js';
import { createRouter } from '../src/router/router.js';
import { toOpenAIRequest } from '../src/providers/openai/to-openai-request.js';
import { httpFetch } from '../src/providers/http-fetch.js';
import { startFakeOpenAI } from '../test/helpers/fake-openai.js';
import { modelConfig, providerConfig, testPolicy } from '../test/helpers/policy.js';

const iterations = Number(process.argv[2] ?? 2_000);
const warmup = 200;

const fake = await startFakeOpenAI();
const params = {
  systemPrompt: 'You are terse.',
  maxTokens: 100,
  modelPreferences: { hints: [{ name: 'gpt' }], intelligencePriority: 0.5 },
  messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'Summarise the weather in Oslo in one line.' } }],
};
const router = createRouter(
  testPolicy({
    providers: [providerConfig('oa', 'openai', { apiKey: 'bench-key-123456', baseURL: fake.baseURL })],
    models: [modelConfig('gpt-bench', 'oa')],
  }),
);
// The same router with tracing on (OTLP/HTTP to a receiver on loopback), as `run` wires it:
// each outcome becomes a span and its attempt spans.
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const telemetry = await startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, OTEL_METRICS_EXPORTER: 'none' }, 'bench');
if (!telemetry) throw new Error('telemetry did not start');
const tracedPolicy = testPolicy({
  providers: [providerConfig('oa', 'openai', { apiKey: 'bench-key-123456', baseURL: fake.baseURL })],
  models: [modelConfig('gpt-bench', 'oa')],
});
const traced = createRouter(tracedPolicy, { onOutcome: (o) => telemetry.record(o, tracedPolicy) });
const direct = new OpenAI({ apiKey: 'bench-key-123456', baseURL: fake.baseURL, maxRetries: 0, fetch: httpFetch });
const body = toOpenAIRequest(params, { model: 'gpt-bench' }) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;

async function timeOne(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const viaRouter = () => router.createMessage(params, { serverName: 'bench' });
const viaTraced = () => traced.createMessage(params, { serverName: 'bench' });
const viaSdk = () => direct.chat.completions.create(body, { signal: new AbortController().signal });

for (let i = 0; i < warmup; i++) {
  await viaRouter();
  await viaTraced();
  await viaSdk();
}
const routerTimes: number[] = [];
const sdkTimes: number[] = [];
const tracedTimes: number[] = [];
for (let i = 0; i < iterations; i++) {
  tracedTimes.push(await timeOne(viaTraced));
  // Alternate which goes first so neither always runs on a warmer connection.
  if (i % 2 === 0) {
    routerTimes.push(await timeOne(viaRouter));
    sdkTimes.push(await timeOne(viaSdk));
  } else {
    sdkTimes.push(await timeOne(viaSdk));
    routerTimes.push(await timeOne(viaRouter));
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const mr = median(routerTimes);
const ms = median(sdkTimes);
console.log(`iterations: ${iterations} (after ${warmup} warm-up each)`);
console.log(`direct SDK call, median: ${ms.toFixed(3)} ms`);
console.log(`via router, median:      ${mr.toFixed(3)} ms`);
console.log(`router added, median:    ${(mr - ms).toFixed(3)} ms (ratio ${(mr / ms).toFixed(3)}x; goal < 1 ms added)`);
const mt = median(tracedTimes);
console.log(`with tracing, median:    ${mt.toFixed(3)} ms: router + tracing added ${(mt - ms).toFixed(3)} ms (goal < 1 ms added)`);
await telemetry.shutdown();
receiver.close();
await traced.close();
await router.close();
await fake.close();
