// The one home of prompt estimates: how many tokens a request's prompt will cost a given
// model, for the context-window check in decide() and the budgets' worst-case reservations.
// It must never under-count: an exact OpenAI tokenizer where the model has one, else a
// conservative bound by script, images by the vendor's formula, and a per-model correction
// learned from the usage providers report (it only ever raises the estimate).

import type { SamplingRequest } from './types.js';
import { boundTokens, countBound, countExact, openaiEncodingFor, type TokenCounter } from './tokenizers.js';
import { imageSize, imageTokens, openaiImagePricing, type ImagePricing } from './image-tokens.js';

export type { TokenCounter } from './tokenizers.js';

/** Per message: role markers and separators (OpenAI documents 3, plus 1 for a name). */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Per request: the assistant reply's priming (OpenAI documents 3). */
export const REQUEST_OVERHEAD_TOKENS = 3;
/** Per tool definition, beyond its JSON: the wrapper each API renders the tools in. */
export const TOOL_OVERHEAD_TOKENS = 10;
/** Per audio clip: a flat allowance, since duration is not known without decoding. */
export const AUDIO_TOKENS = 2000;
/** The largest image a model without a known formula is assumed to be billed for (see image-tokens.ts). */
export const IMAGE_TOKENS = imageTokens({ kind: 'any' }, undefined);
/**
 * Characters of text per request counted with the exact tokenizer; the rest is counted with
 * the bound. Exact counting costs ~0.1-0.7 µs a character, so this keeps a 100 KB prompt near
 * the 2 ms goal while prompts up to this size are estimated exactly (see bench/estimate.ts).
 */
export const EXACT_CHARS = 4096;

/** How a model's prompt is counted: its text counter and its image pricing. */
export interface TokenizerChoice {
  counter: TokenCounter;
  images: ImagePricing;
}

const ANY: TokenizerChoice = { counter: 'bound', images: { kind: 'any' } };

const ANTHROPIC: TokenizerChoice = { counter: 'bound', images: { kind: 'anthropic' } };

/** One object per distinct choice, so that a request's estimate is made once per choice (see PromptEstimator). */
const interned = new Map<string, TokenizerChoice>();

/** The counter for a model, from its provider type and the model name sent to the API. */
export function tokenizerFor(providerType: string | undefined, providerModel: string): TokenizerChoice {
  if (providerType === 'anthropic') return ANTHROPIC;
  if (providerType !== 'openai') return ANY;
  const counter = openaiEncodingFor(providerModel);
  if (counter === 'bound') return ANY;
  const choice: TokenizerChoice = { counter, images: openaiImagePricing(providerModel) };
  const key = JSON.stringify(choice);
  let same = interned.get(key);
  if (!same) interned.set(key, (same = choice));
  return same;
}

/** One prompt estimate for one model. */
export interface PromptEstimate {
  tokens: number;
  counter: TokenCounter;
  /** True when every character was counted by the exact tokenizer. */
  exact: boolean;
}

/** What of a request a prompt estimate depends on, gathered in one walk. */
interface PromptParts {
  texts: string[];
  chars: number;
  images: string[];
  audio: number;
  overhead: number;
}

type Block = { type?: unknown; [k: string]: unknown };

function collectBlock(block: Block, parts: PromptParts): void {
  switch (block.type) {
    case 'text':
      if (typeof block.text === 'string') addText(parts, block.text);
      return;
    case 'image':
      parts.images.push(typeof block.data === 'string' ? block.data : '');
      return;
    case 'audio':
      parts.audio += 1;
      return;
    case 'tool_use':
      if (typeof block.name === 'string') addText(parts, block.name);
      addText(parts, JSON.stringify(block.input ?? {}));
      return;
    case 'tool_result': {
      const content = block.content;
      if (Array.isArray(content)) for (const inner of content) collectBlock(inner as Block, parts);
      if (block.structuredContent !== undefined) addText(parts, JSON.stringify(block.structuredContent));
      return;
    }
    case 'resource': {
      const res = block.resource as { text?: unknown } | undefined;
      if (res && typeof res.text === 'string') addText(parts, res.text);
      return;
    }
    default:
      return;
  }
}

function addText(parts: PromptParts, text: string): void {
  if (text.length === 0) return;
  parts.texts.push(text);
  parts.chars += text.length;
}

function collectParts(request: SamplingRequest): PromptParts {
  const parts: PromptParts = { texts: [], chars: 0, images: [], audio: 0, overhead: REQUEST_OVERHEAD_TOKENS };
  const messages = request.messages ?? [];
  parts.overhead += messages.length * MESSAGE_OVERHEAD_TOKENS;
  if (typeof request.systemPrompt === 'string') {
    addText(parts, request.systemPrompt);
    parts.overhead += MESSAGE_OVERHEAD_TOKENS;
  }
  for (const message of messages) {
    const content = message.content as Block | Block[];
    if (Array.isArray(content)) for (const block of content) collectBlock(block, parts);
    else if (content) collectBlock(content, parts);
  }
  for (const tool of request.tools ?? []) {
    addText(parts, tool.name);
    if (tool.description) addText(parts, tool.description);
    addText(parts, JSON.stringify(tool.inputSchema ?? {}));
    parts.overhead += TOOL_OVERHEAD_TOKENS;
  }
  return parts;
}

/** Text tokens: exact for the first EXACT_CHARS characters when the counter is a tokenizer, the bound beyond. */
function countText(texts: string[], counter: TokenCounter): { tokens: number; exact: boolean } {
  let tokens = 0;
  if (counter === 'bound') {
    for (const t of texts) tokens += countBound(t);
    return { tokens, exact: false };
  }
  let left = EXACT_CHARS;
  let exact = true;
  for (const t of texts) {
    if (left >= t.length) {
      tokens += countExact(counter, t);
      left -= t.length;
      continue;
    }
    exact = false;
    if (left > 0) {
      // Cut at a space so no word is split between the two counts.
      let cut = t.lastIndexOf(' ', left);
      if (cut <= 0) cut = left;
      if (t.charCodeAt(cut - 1) >= 0xd800 && t.charCodeAt(cut - 1) <= 0xdbff) cut--;
      tokens += countExact(counter, t.slice(0, cut)) + boundTokens(t, cut);
      left = 0;
    } else tokens += countBound(t);
  }
  return { tokens, exact };
}

/**
 * The prompt estimates of one request, made on first use and kept per tokenizer choice (text
 * counts per counter): decide() asks for each model, and models sharing a tokenizer share the
 * estimate. Candidates carry theirs to the budget reservation, the approval question and _meta.
 */
export class PromptEstimator {
  private parts: PromptParts | undefined;
  private readonly text = new Map<TokenCounter, { tokens: number; exact: boolean }>();
  private readonly made = new Map<TokenizerChoice, PromptEstimate>();
  private sizes: Array<{ width: number; height: number } | undefined> | undefined;

  constructor(private readonly request: SamplingRequest) {}

  estimate(choice: TokenizerChoice = ANY): PromptEstimate {
    let estimate = this.made.get(choice);
    if (!estimate) {
      estimate = this.count(choice);
      this.made.set(choice, estimate);
    }
    return estimate;
  }

  private count(choice: TokenizerChoice): PromptEstimate {
    const parts = (this.parts ??= collectParts(this.request));
    let text = this.text.get(choice.counter);
    if (!text) {
      text = countText(parts.texts, choice.counter);
      this.text.set(choice.counter, text);
    }
    let media = parts.audio * AUDIO_TOKENS;
    if (parts.images.length) {
      const sizes = (this.sizes ??= parts.images.map(imageSize));
      for (const size of sizes) media += imageTokens(choice.images, size);
    }
    return { tokens: text.tokens + media + parts.overhead, counter: choice.counter, exact: text.exact };
  }
}

/** A request's prompt estimate for a model chosen by `choice` (default: the bound, any image formula). */
export function estimatePromptTokens(request: SamplingRequest, choice?: TokenizerChoice): number {
  return new PromptEstimator(request).estimate(choice).tokens;
}

/** The bound count of a piece of text, for providers that report no usage (mock, a host without usage). */
export function estimateTextTokens(text: string): number {
  return boundTokens(text);
}

// --- Learning from settlements -----------------------------------------------------------

/** The highest correction learned: a provider that reports far more is more likely counting something else. */
export const MAX_CORRECTION = 4;
/** Headroom over the observed ratio, so requests a little denser than the last one still fit. */
export const CORRECTION_HEADROOM = 1.05;

/**
 * Per-model factors that raise future estimates when a provider reports more prompt tokens
 * than were estimated. They never fall and never exceed MAX_CORRECTION, so a model whose
 * tokenizer is unknown reaches its real ratio after its first under-estimated request.
 * Kept in memory per router: a restart starts again from the bound.
 */
export class PromptCorrections {
  private readonly factors = new Map<string, number>();

  /** The factor for a model id (1 until something was learned). */
  factor(model: string): number {
    return this.factors.get(model) ?? 1;
  }

  /** Records one settlement: `estimated` is the uncorrected estimate, `reported` the provider's prompt tokens. */
  observe(model: string, estimated: number, reported: number): void {
    if (!(estimated > 0) || !Number.isFinite(reported) || reported <= estimated * this.factor(model)) return;
    const next = Math.min(MAX_CORRECTION, (reported / estimated) * CORRECTION_HEADROOM);
    if (next > this.factor(model)) this.factors.set(model, next);
  }
}
