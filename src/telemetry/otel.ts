// OpenTelemetry export of sampling and gateway requests: one span per request with the GenAI
// semantic conventions and a child span per provider attempt, plus counters and histograms as
// OTel metrics. Built from the audit outcome (the router's one observation point), so nothing
// on the request path changes. The SDK loads only when the standard OTEL_* variables ask for
// export: a proxy without them pays nothing.

import type { Attributes, Meter, Tracer } from '@opentelemetry/api';
import type { SamplingOutcome } from '../router/types.js';
import type { Policy } from '../policy/types.js';

export interface Telemetry {
  record(outcome: SamplingOutcome, policy: Policy): void;
  /** Flushes pending spans and metrics (before the process exits). */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for OTLP export (the standard variables, nothing of our own). */
export function telemetryRequested(env: NodeJS.ProcessEnv): { traces: boolean; metrics: boolean } {
  if (env['OTEL_SDK_DISABLED'] === 'true') return { traces: false, metrics: false };
  const any = Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  const traces = env['OTEL_TRACES_EXPORTER'] === 'none' ? false : any || Boolean(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) || env['OTEL_TRACES_EXPORTER'] === 'otlp';
  const metrics = env['OTEL_METRICS_EXPORTER'] === 'none' ? false : any || Boolean(env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']) || env['OTEL_METRICS_EXPORTER'] === 'otlp';
  return { traces, metrics };
}

/** Loads the SDK and its OTLP/HTTP exporters; undefined when the environment asks for nothing. */
export async function startTelemetry(env: NodeJS.ProcessEnv, version: string): Promise<Telemetry | undefined> {
  const wanted = telemetryRequested(env);
  if (!wanted.traces && !wanted.metrics) return undefined;
  await loadOtelApi();
  const [{ resourceFromAttributes }, traceSdk, { OTLPTraceExporter }, metricsSdk, { OTLPMetricExporter }] = await Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
  ]);
  const resource = resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || 'mcp-route', 'service.version': version });
  // The exporters read OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) themselves.
  const tracerProvider = wanted.traces ? new traceSdk.BasicTracerProvider({ resource, spanProcessors: [new traceSdk.BatchSpanProcessor(new OTLPTraceExporter())] }) : undefined;
  const meterProvider = wanted.metrics
    ? new metricsSdk.MeterProvider({ resource, readers: [new metricsSdk.PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 15_000 })] })
    : undefined;
  const tracer = tracerProvider?.getTracer('mcp-route', version);
  const instruments = meterProvider ? createInstruments(meterProvider.getMeter('mcp-route', version)) : undefined;
  return {
    record(outcome, policy) {
      if (tracer) recordSpans(tracer, outcome, policy);
      instruments?.record(outcome, policy);
    },
    async shutdown() {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
    },
  };
}

/** The GenAI provider name for a provider of the policy (its type, as the conventions name vendors). */
function providerName(policy: Policy, provider: string | undefined): string | undefined {
  if (provider === undefined) return undefined;
  const type = policy.providers[provider]?.type;
  return type === 'openai' || type === 'anthropic' ? type : type ? `mcp-route.${type}` : undefined;
}

export function spanAttributes(outcome: SamplingOutcome, policy: Policy): Attributes {
  const requested = outcome.candidates[0]?.split('/').slice(1).join('/');
  const attrs: Attributes = {
    'gen_ai.operation.name': 'chat',
    'mcp_route.outcome': outcome.outcome,
    'mcp_route.attempts': outcome.attempts.length,
    'mcp_route.entry': outcome.via ?? 'sampling',
  };
  const set = (key: string, value: string | number | undefined | null) => {
    if (value !== undefined && value !== null) attrs[key] = value;
  };
  set('gen_ai.provider.name', providerName(policy, outcome.provider ?? outcome.candidates[0]?.split('/')[0]));
  set('gen_ai.request.model', requested);
  set('gen_ai.response.model', outcome.model);
  set('gen_ai.request.max_tokens', outcome.maxTokens);
  set('gen_ai.usage.input_tokens', outcome.usage?.inputTokens);
  set('gen_ai.usage.output_tokens', outcome.usage?.outputTokens);
  set('gen_ai.response.finish_reasons', outcome.stopReason);
  set('mcp_route.rule', outcome.rule);
  set('mcp_route.server', outcome.server);
  set('mcp_route.cost_usd', outcome.costUsd);
  set('error.type', outcome.error?.code);
  // Prompts and completions only where the audit file may hold them too.
  if (policy.audit.content && outcome.request) set('gen_ai.input.messages', JSON.stringify(outcome.request.messages));
  if (policy.audit.content && outcome.result) set('gen_ai.output.messages', JSON.stringify(outcome.result.content));
  return attrs;
}

function recordSpans(tracer: Tracer, outcome: SamplingOutcome, policy: Policy): void {
  const start = Date.parse(outcome.time);
  const attrs = spanAttributes(outcome, policy);
  const span = tracer.startSpan(`chat ${String(attrs['gen_ai.request.model'] ?? 'unrouted')}`, { kind: 2 /* CLIENT */, startTime: start, attributes: attrs });
  if (outcome.outcome !== 'ok') span.setStatus({ code: 2 /* ERROR */, message: outcome.error?.message ?? outcome.outcome });
  // Attempts carry durations, not start times: they are laid out in the order they ran.
  const { trace, context } = loadedApi!;
  const parent = trace.setSpan(context.active(), span);
  let at = start;
  for (const a of outcome.attempts) {
    const child = tracer.startSpan(
      `attempt ${a.provider}/${a.model}`,
      {
        kind: 2,
        startTime: at,
        attributes: { 'gen_ai.provider.name': providerName(policy, a.provider) ?? a.provider, 'gen_ai.request.model': a.model, ...(a.status ? { 'http.response.status_code': a.status } : {}) },
      },
      parent,
    );
    if (!a.ok) child.setStatus({ code: 2, message: a.error ?? 'failed' });
    at += a.duration;
    child.end(at);
  }
  span.end(start + outcome.durationMs);
}

// The API's context helpers are needed synchronously in recordSpans; loaded with the SDK.
let loadedApi: typeof import('@opentelemetry/api') | undefined;
async function loadOtelApi(): Promise<void> {
  loadedApi ??= await import('@opentelemetry/api');
}

function createInstruments(meter: Meter) {
  const requests = meter.createCounter('mcp_route.requests', { description: 'sampling and gateway requests by outcome' });
  const duration = meter.createHistogram('gen_ai.client.operation.duration', { description: 'request duration', unit: 's' });
  const tokens = meter.createCounter('gen_ai.client.token.usage', { description: 'tokens used', unit: '{token}' });
  const cost = meter.createCounter('mcp_route.cost', { description: 'estimated spend', unit: 'USD' });
  return {
    record(outcome: SamplingOutcome, policy: Policy) {
      const base = { 'mcp_route.outcome': outcome.outcome, 'mcp_route.server': outcome.server ?? 'unknown', 'gen_ai.response.model': outcome.model ?? 'none' };
      requests.add(1, base);
      duration.record(outcome.durationMs / 1000, { ...base, 'gen_ai.provider.name': providerName(policy, outcome.provider) ?? 'none' });
      if (outcome.usage) {
        tokens.add(outcome.usage.inputTokens, { ...base, 'gen_ai.token.type': 'input' });
        tokens.add(outcome.usage.outputTokens, { ...base, 'gen_ai.token.type': 'output' });
      }
      if (outcome.costUsd) cost.add(outcome.costUsd, base);
    },
  };
}
