// Prometheus text exposition of what the router does: requests by outcome, request and
// provider-attempt latency, tokens, USD, budget remaining and open sessions, all named
// `mcp_route_*`. Fed by the same outcomes as the audit file; budget gauges are read from the
// store at scrape time, so they agree with `mcp-route budgets`. prom-client loads only when
// metrics are asked for.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BudgetStatus } from '../budgets/types.js';
import type { SamplingOutcome } from '../router/types.js';

export interface PrometheusMetrics {
  record(outcome: SamplingOutcome): void;
  /** Open sessions (one for `run`; one per HTTP session for a server transport). */
  setSessions(n: number): void;
  /** The exposition text, as served at /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

export async function createPrometheusMetrics(budgetStatus: () => Promise<BudgetStatus[]>): Promise<PrometheusMetrics> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  const requests = new prom.Counter({ name: 'mcp_route_requests_total', help: 'Sampling and gateway requests by outcome', labelNames: ['outcome', 'server', 'entry'], registers: [registry] });
  const duration = new prom.Histogram({
    name: 'mcp_route_request_duration_seconds',
    help: 'Whole-request latency, retries and fallback included',
    labelNames: ['outcome', 'entry'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const attempts = new prom.Histogram({
    name: 'mcp_route_provider_latency_seconds',
    help: 'Latency of each provider attempt',
    labelNames: ['provider', 'model', 'ok'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const tokens = new prom.Counter({ name: 'mcp_route_tokens_total', help: 'Tokens reported by providers', labelNames: ['direction', 'provider', 'model'], registers: [registry] });
  const usd = new prom.Counter({ name: 'mcp_route_cost_usd_total', help: 'Estimated spend in USD', labelNames: ['provider', 'model'], registers: [registry] });
  const sessions = new prom.Gauge({ name: 'mcp_route_sessions', help: 'Open sessions', registers: [registry] });
  new prom.Gauge({
    name: 'mcp_route_budget_remaining',
    help: 'What each budget has left in its current window (in its own unit)',
    labelNames: ['budget', 'limit', 'scope'],
    registers: [registry],
    async collect() {
      this.reset();
      // A store that cannot be read must not break the scrape; the gauge is left empty.
      const rows = await budgetStatus().catch(() => [] as BudgetStatus[]);
      for (const r of rows) this.set({ budget: r.name, limit: r.limit, scope: r.scope }, r.remaining);
    },
  });
  return {
    contentType: registry.contentType,
    setSessions: (n) => sessions.set(n),
    record(o) {
      const entry = o.via ?? 'sampling';
      requests.inc({ outcome: o.outcome, server: o.server ?? 'unknown', entry });
      duration.observe({ outcome: o.outcome, entry }, o.durationMs / 1000);
      // Candidates skipped before any call (budget, provider unavailable) are not provider latency.
      for (const a of o.attempts) if (a.ok || a.status !== undefined || a.duration > 0) attempts.observe({ provider: a.provider, model: a.model, ok: String(a.ok) }, a.duration / 1000);
      if (o.usage && o.provider && o.model) {
        tokens.inc({ direction: 'input', provider: o.provider, model: o.model }, o.usage.inputTokens);
        tokens.inc({ direction: 'output', provider: o.provider, model: o.model }, o.usage.outputTokens);
      }
      if (o.costUsd && o.provider && o.model) usd.inc({ provider: o.provider, model: o.model }, o.costUsd);
    },
    render: () => registry.metrics(),
  };
}

/** Serves GET /metrics on host:port (loopback unless told otherwise). */
export async function serveMetrics(metrics: PrometheusMetrics, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
