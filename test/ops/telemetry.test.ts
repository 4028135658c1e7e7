// OpenTelemetry and Prometheus through the built CLI: spans with the GenAI attributes reach an
// OTLP/HTTP receiver on 127.0.0.1 (and are flushed when mcp-route exits); /metrics parses as
// Prometheus text and counts the requests made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnRun, sample, e2e, tempDir } from '../e2e/harness.js';
import { telemetryRequested } from '../../src/telemetry/otel.js';

const POLICY = (audit: string) => `version: 1
providers:
  flaky: { type: mock, failWith: 529 }
  canned: { type: mock, responses: [{ text: "fine" }] }
models:
  big: { provider: flaky, cost: { input: 3, output: 15 } }
  small: { provider: canned, cost: { input: 1, output: 2 } }
defaults: { models: [big, small], retry: { attempts: 2, initialDelay: 1, maxDelay: 2 }, cooldown: 0 }
state: { store: memory }
budgets:
  - { name: daily-tokens, tokens: 100000 }
audit: { path: ${JSON.stringify(audit)} }
`;

async function otlpReceiver() {
  const bodies: Array<{ path: string; body: any }> = [];
  let notify = () => {};
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      try {
        bodies.push({ path: req.url ?? '', body: JSON.parse(text) });
      } catch {
        bodies.push({ path: req.url ?? '', body: null });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      notify();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => bodies.filter((b) => b.path === '/v1/traces' && b.body).flatMap((b) => b.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans))),
    close: () => new Promise<void>((r) => server.close(() => r())),
    changed: () => new Promise<void>((r) => (notify = r)),
  };
}

const attr = (span: any, key: string) => {
  const v = span.attributes.find((a: any) => a.key === key)?.value;
  return v === undefined ? undefined : (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue)));
};

test('OTEL_* variables switch on spans with GenAI attributes, one child per attempt, flushed at exit', { ...e2e, timeout: 40_000 }, async () => {
  const receiver = await otlpReceiver();
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  writeFileSync(join(dir, 'policy.yaml'), POLICY(audit));
  const run = await spawnRun(['--policy', join(dir, 'policy.yaml'), '--grace', '300'], {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: 'none', OTEL_SERVICE_NAME: 'route-test' },
    timeoutMs: 35_000,
  });
  try {
    const out = await sample(run.client, { prompt: 'a private prompt' });
    assert.equal(out.ok, true, JSON.stringify(out));
  } finally {
    run.child.stdin.end();
    await run.exited;
  }
  const spans = receiver.spans();
  await receiver.close();
  const line = JSON.parse(readFileSync(audit, 'utf8').trim());
  const root = spans.find((s: any) => s.name === 'chat big');
  assert.ok(root, `spans: ${spans.map((s: any) => s.name).join(', ')}`);
  assert.equal(attr(root, 'gen_ai.operation.name'), 'chat');
  assert.equal(attr(root, 'gen_ai.request.model'), 'big');
  assert.equal(attr(root, 'gen_ai.response.model'), 'small');
  assert.equal(attr(root, 'gen_ai.provider.name'), 'mcp-route.mock');
  assert.equal(attr(root, 'gen_ai.usage.input_tokens'), line.usage.inputTokens);
  assert.equal(attr(root, 'gen_ai.usage.output_tokens'), line.usage.outputTokens);
  assert.equal(attr(root, 'gen_ai.request.max_tokens'), 100);
  assert.equal(attr(root, 'mcp_route.server'), 'fixture-server');
  assert.equal(attr(root, 'mcp_route.attempts'), 3);
  const children = spans.filter((s: any) => s.parentSpanId === root.spanId);
  assert.deepEqual(
    children.map((s: any) => s.name),
    ['attempt flaky/big', 'attempt flaky/big', 'attempt canned/small'],
  );
  assert.equal(attr(children[0], 'http.response.status_code'), 529);
  assert.ok(!JSON.stringify(spans).includes('a private prompt'), 'no prompt text without audit.content');
});

test('no OTEL_* variables, no telemetry: the SDK is not even loaded', () => {
  assert.deepEqual(telemetryRequested({}), { traces: false, metrics: false });
  assert.deepEqual(telemetryRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' }), { traces: false, metrics: false });
  assert.deepEqual(telemetryRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x' }), { traces: true, metrics: false });
});

test('/metrics parses as Prometheus text and its request counter matches the requests made', { ...e2e, timeout: 40_000 }, async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'policy.yaml'), POLICY(join(dir, 'audit.jsonl')));
  const run = await spawnRun(['--policy', join(dir, 'policy.yaml'), '--metrics', '127.0.0.1:0', '--log-level', 'info', '--grace', '300'], { timeoutMs: 35_000 });
  try {
    const url = /metrics at (http:\/\/\S+)/.exec(await run.stderrMatching(/metrics at http/))![1]!;
    for (let i = 0; i < 4; i++) assert.equal((await sample(run.client, { prompt: `p${i}` })).ok, true);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/, `not exposition format: ${line}`);
    }
    assert.match(text, /^mcp_route_requests_total\{outcome="ok",server="fixture-server",entry="sampling"\} 4$/m);
    assert.match(text, /^mcp_route_provider_latency_seconds_count\{provider="flaky",model="big",ok="false"\} 8$/m);
    assert.match(text, /^mcp_route_sessions 1$/m);
    const remaining = Number(/^mcp_route_budget_remaining\{budget="daily-tokens"[^}]*\} (\S+)$/m.exec(text)?.[1]);
    assert.ok(remaining > 0 && remaining < 100000, `budget remaining ${remaining}`);
    assert.match(text, /^mcp_route_cost_usd_total\{provider="canned",model="small"\} [0-9.e-]+$/m);
  } finally {
    run.child.stdin.end();
    await run.exited;
  }
});
