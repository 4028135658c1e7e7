// The `mock` provider: fixed answers from the policy, for server authors' tests and for
// demos of fallback. It behaves like a real provider at the seam: it honours the abort
// signal, fails with ProviderErrors carrying HTTP-like statuses, and reports usage.

import { ProviderError } from '../errors.js';
import type { MockResponse, ProviderConfig } from '../policy/types.js';
import type { Provider, ProviderEnvironment } from './types.js';
import { asBlocks } from './content.js';
import { estimateUsage } from './estimate-tokens.js';
import { withUsageMeta } from './result-meta.js';
import { assembleResult, type ResultBlock } from './assemble-result.js';
import { abortableDelay } from '../util/abortable-delay.js';

function lastUserText(messages: ReadonlyArray<{ role: string; content: unknown }>): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    return asBlocks(m.content as never)
      .map((b) => (b.type === 'text' ? b.text : ''))
      .join('\n');
  }
  return '';
}

function failure(config: ProviderConfig, modelId: string, status: number, why: string): ProviderError {
  return new ProviderError({ provider: config.name, model: modelId, status, message: `${config.name}/${modelId}: HTTP ${status} (mock ${why})` });
}

export function createMockProvider(config: ProviderConfig, _env: ProviderEnvironment = {}): Provider {
  const responses = config.responses ?? [];
  const inTurn = responses.filter((r) => r.match === undefined);
  let turn = 0;

  const pick = (text: string): MockResponse | undefined => {
    const lower = text.toLowerCase();
    const matched = responses.find((r) => r.match !== undefined && lower.includes(r.match.toLowerCase()));
    if (matched) return matched;
    if (inTurn.length === 0) return undefined;
    return inTurn[turn++ % inTurn.length];
  };

  return {
    name: config.name,
    timeout: config.timeout,
    type: 'mock',
    async createMessage(request, options) {
      const { signal, modelId } = options;
      if (signal.aborted) throw new ProviderError({ provider: config.name, model: modelId, message: `${config.name}/${modelId}: request aborted`, isRetryable: false, tryNext: false });
      const userText = lastUserText(request.messages);
      const response = pick(userText);
      try {
        if (response?.delay) await abortableDelay(response.delay, signal);
      } catch {
        throw new ProviderError({ provider: config.name, model: modelId, message: `${config.name}/${modelId}: request aborted`, isRetryable: false, tryNext: false });
      }
      if (config.failWith !== undefined) throw failure(config, modelId, config.failWith, 'failWith');
      if (response?.status !== undefined && response.status >= 400) throw failure(config, modelId, response.status, 'response status');

      const blocks: ResultBlock[] = [];
      let stopReason = response?.stopReason;
      // No configured answer: echo, so a demo without responses still shows the round trip.
      let text = response ? response.text : `mock: ${userText}`;
      if (text !== undefined) {
        const limit = request.maxTokens * 4;
        if (text.length > limit) {
          text = text.slice(0, limit);
          stopReason ??= 'maxTokens';
        }
        blocks.push({ type: 'text', text });
      }
      for (const [i, t] of (response?.toolUse ?? []).entries()) blocks.push({ type: 'tool_use', id: `mock_call_${i + 1}`, name: t.name, input: t.input });
      if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
      stopReason ??= response?.toolUse?.length ? 'toolUse' : 'endTurn';
      const result = assembleResult(blocks, 'mock', 'mock', stopReason);
      const usage = estimateUsage(request, result);
      return { result: withUsageMeta(result, { provider: config.name, usage }), usage };
    },
  };
}
