// A custom provider type: a tiny rule-based "model" that answers from a keyword table. The
// shape is what any provider needs (a local inference server, a vendor SDK, an internal
// gateway): read settings from `config.options`, honour the abort signal, report usage,
// and throw ProviderError with an HTTP-like status so retries and fallback work.
import { ProviderError } from 'mcp-route';

/** @type {import('mcp-route').ProviderFactory} */
export function createKeywordProvider(config) {
  const table = config.options.answers ?? {};
  const unavailable = config.options.unavailable === true;
  return {
    name: config.name,
    type: config.type,
    async createMessage(request, { signal, model, modelId }) {
      signal.throwIfAborted();
      if (unavailable) {
        // 503: retryable, and the router falls back to the next candidate.
        throw new ProviderError({ provider: config.name, model: modelId, status: 503, message: `${config.name}/${modelId}: HTTP 503 (keyword service is down)` });
      }
      const last = request.messages.at(-1);
      const blocks = Array.isArray(last?.content) ? last.content : [last?.content];
      const prompt = blocks.map((b) => (b?.type === 'text' ? b.text : '')).join(' ');
      const hit = Object.keys(table).find((k) => prompt.toLowerCase().includes(k.toLowerCase()));
      const text = hit ? table[hit] : `no keyword matched (${Object.keys(table).length} known)`;
      const words = (s) => s.split(/\s+/).filter(Boolean).length;
      return {
        result: { role: 'assistant', model, content: { type: 'text', text }, stopReason: 'endTurn' },
        usage: { inputTokens: words(prompt), outputTokens: words(text) },
      };
    },
  };
}
