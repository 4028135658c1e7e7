// One behaviour suite that every provider type runs, with the same assertions: text and
// tool-use answers, usage in _meta, failures as ProviderErrors, abort mid-call. Each type
// supplies a harness that stages answers on its real backend (fake HTTP server, host sampler).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderError } from '../../src/errors.js';
import type { Provider } from '../../src/providers/types.js';

export interface ProviderHarness {
  /** The next call answers with this text. */
  answerText(text: string): void;
  /** The next call answers with one tool call. */
  answerToolUse(name: string, input: Record<string, unknown>): void;
  /** The next call answers only after `ms`. */
  answerSlowly(ms: number): void;
  /** The next call fails the way this backend signals overload. */
  failOverloaded(): void;
  /** Whether that overload failure should be retryable. */
  overloadRetryable: boolean;
  /** How many calls reached the backend. */
  calls(): number;
  /** A provider built for what was staged. */
  provider(): Provider;
  close(): Promise<void>;
}

const request = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'hello there' } }], maxTokens: 200 };
const opts = (signal: AbortSignal = new AbortController().signal) => ({ signal, model: 'model-x', modelId: 'model-x' });

export function runProviderSuite(type: string, makeHarness: () => Promise<ProviderHarness>): void {
  const withHarness = (fn: (h: ProviderHarness) => Promise<void>) => async () => {
    const h = await makeHarness();
    try {
      await fn(h);
    } finally {
      await h.close();
    }
  };

  test(
    `${type}: answers with text, a model name, endTurn and usage in _meta`,
    withHarness(async (h) => {
      h.answerText('General Kenobi');
      const provider = h.provider();
      const { result, usage } = await provider.createMessage(request, opts());
      assert.deepEqual(result.content, { type: 'text', text: 'General Kenobi' });
      assert.equal(result.role, 'assistant');
      assert.equal(typeof result.model, 'string');
      assert.ok(result.model.length > 0);
      assert.equal(result.stopReason, 'endTurn');
      assert.ok(usage && usage.inputTokens > 0 && usage.outputTokens > 0);
      const meta = result._meta?.['mcp-route'] as { provider: string; usage: unknown };
      assert.equal(meta.provider, provider.name);
      assert.deepEqual(meta.usage, usage);
      assert.equal(h.calls(), 1);
    }),
  );

  test(
    `${type}: answers with a tool call and stopReason toolUse`,
    withHarness(async (h) => {
      h.answerToolUse('get_weather', { city: 'Oslo' });
      const { result } = await h.provider().createMessage(request, opts());
      const blocks = Array.isArray(result.content) ? result.content : [result.content];
      const call = blocks.find((b) => (b as { type: string }).type === 'tool_use') as unknown as { name: string; input: unknown; id: string };
      assert.ok(call, 'a tool_use block');
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(call.input, { city: 'Oslo' });
      assert.ok(call.id.length > 0);
      assert.equal(result.stopReason, 'toolUse');
    }),
  );

  test(
    `${type}: an overload is a ProviderError naming the provider`,
    withHarness(async (h) => {
      h.failOverloaded();
      const provider = h.provider();
      await assert.rejects(provider.createMessage(request, opts()), (e: unknown) => {
        assert.ok(e instanceof ProviderError, `got ${String(e)}`);
        assert.equal(e.provider, provider.name);
        assert.equal(e.isRetryable, h.overloadRetryable);
        assert.equal(e.tryNext, true);
        return true;
      });
    }),
  );

  test(
    `${type}: abort mid-call rejects at once with a non-retryable ProviderError`,
    withHarness(async (h) => {
      h.answerSlowly(5_000);
      const controller = new AbortController();
      const started = performance.now();
      const pending = h.provider().createMessage(request, opts(controller.signal));
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(pending, (e: unknown) => e instanceof ProviderError && !e.isRetryable && !e.tryNext);
      assert.ok(performance.now() - started < 2_000, 'did not wait for the slow answer');
    }),
  );
}
