// What a TypeScript user writes against mcp-route, compiled in strict mode by
// test/library/types.test.ts with `tsc -p test/library/consumer`: 'mcp-route' resolves
// through package.json `exports` to dist/index.d.ts. Lines marked @ts-expect-error must fail
// to compile, so the public types are checked to be precise, not `any`.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, type CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import {
  createRouter,
  createSamplingHandler,
  isRetryable,
  lintPolicy,
  loadPolicy,
  McpRouteError,
  PolicyError,
  ProviderError,
  registerProvider,
  samplingCapabilities,
  startProxy,
  formatDiagnostics,
  type Decision,
  type Diagnostic,
  type ErrorCode,
  type Policy,
  type ProviderFactory,
  type ProxyHandle,
  type Router,
  type SamplingOutcome,
} from 'mcp-route';

export async function host(): Promise<void> {
  const policy: Policy = loadPolicy('policy.yaml');
  const router: Router = createRouter(policy, { onOutcome: (o: SamplingOutcome) => void o.outcome });
  const client = new Client({ name: 'h', version: '1' }, { capabilities: { ...samplingCapabilities(router), elicitation: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, createSamplingHandler(router, { serverName: () => client.getServerVersion()?.name }));

  const result: CreateMessageResult = await router.createMessage(
    { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10 },
    { serverName: 'x', signal: AbortSignal.timeout(1000) },
  );
  void result.model;
  const decision: Decision = router.explain({ messages: [], maxTokens: 1 }, { serverName: 'x' });
  const first: string | undefined = decision.candidates[0]?.model;
  void first;
  await router.close();

  // @ts-expect-error createMessage takes route options, not a model name
  await router.createMessage({}, 'gpt-5');
  // @ts-expect-error capabilities need a policy or a router
  samplingCapabilities('policy.yaml');
}

export function lint(): string {
  const ds: Diagnostic[] = lintPolicy({ text: 'version: 1', path: 'p.yaml' }, { strict: true });
  const fromFile = lintPolicy('p.yaml');
  // @ts-expect-error severity is 'error' | 'warning'
  const bad: Diagnostic['severity'] = 'fatal';
  void bad;
  return formatDiagnostics([...ds, ...fromFile]);
}

export function errors(err: unknown): string {
  if (err instanceof PolicyError) return err.diagnostics.map((d) => `${d.line}:${d.column}`).join();
  if (err instanceof ProviderError) return `${err.provider} ${err.status ?? '-'} ${err.isRetryable}`;
  if (err instanceof McpRouteError) {
    const code: ErrorCode = err.code;
    if (code === 'BUDGET_EXCEEDED' || code === 'DENIED_BY_RULE' || code === 'ALL_CANDIDATES_FAILED' || code === 'POLICY_INVALID') return code;
    // @ts-expect-error not an error code
    if (code === 'NOT_A_CODE') return '';
  }
  return isRetryable(err) ? 'retry' : 'give up';
}

const factory: ProviderFactory = (config) => ({
  name: config.name,
  type: config.type,
  async createMessage(request, { model, signal }) {
    signal.throwIfAborted();
    return { result: { role: 'assistant', model, content: { type: 'text', text: String(request.maxTokens) } }, usage: { inputTokens: 1, outputTokens: 1 } };
  },
});
registerProvider('mine', factory);
// @ts-expect-error a factory must return a Provider
registerProvider('broken', () => ({ name: 'x' }));

export async function proxy(): Promise<number> {
  const handle: ProxyHandle = startProxy({ command: 'node', args: ['server.js'], policy: { version: 1, providers: { m: { type: 'mock' } } }, logLevel: 'info' });
  // @ts-expect-error logLevel is a known level
  startProxy({ command: 'node', policy: 'p.yaml', logLevel: 'verbose' });
  return handle.close();
}
