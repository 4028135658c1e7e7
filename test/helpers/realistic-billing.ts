// Fake providers that bill like real ones: an OpenAI API that reports the o200k tokenizer's
// count (what gpt-4o bills), and an Anthropic API that reports one token per CJK character
// plus the o200k count of everything else (Claude's tokenizer is not public; on Japanese and
// Chinese it uses about a token a character). Both answer with maxTokens output tokens, the
// most the reservation allows, so a test sees the worst case.

import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { startFakeOpenAI, openaiCompletion } from './fake-openai.js';
import { startFakeAnthropic, anthropicMessage } from './fake-anthropic.js';
import type { FakeHttpServer } from './fake-http.js';

const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\uac00-\ud7af]/g;
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** OpenAI's documented chat overhead: 3 per message, 3 to prime the reply. */
function openaiPromptTokens(messages: Array<{ content: unknown }>): number {
  let n = 3;
  for (const m of messages) n += 3 + countTokens(textOf(m.content), AS_TEXT);
  return n;
}

function cjkBilling(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const rest = text.replace(CJK, '');
  return cjk + (rest ? countTokens(rest, AS_TEXT) : 0);
}

function anthropicPromptTokens(body: { system?: unknown; messages: Array<{ content: unknown }> }): number {
  let n = 3;
  if (body.system !== undefined) n += 3 + cjkBilling(textOf(body.system));
  for (const m of body.messages) n += 3 + cjkBilling(textOf(m.content));
  return n;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: { text?: unknown }) => (typeof b?.text === 'string' ? b.text : '')).join('');
  return '';
}

export interface BilledFake extends FakeHttpServer {
  baseURL: string;
  /** Sum of prompt + completion tokens reported so far. */
  billed(): number;
}

/** The fake OpenAI API, billing the o200k count; answers after `delay` ms. */
export async function startBillingOpenAI(delay = 0): Promise<BilledFake> {
  const fake = await startFakeOpenAI();
  let billed = 0;
  fake.setDefault((req) => {
    const prompt = openaiPromptTokens(req.body.messages);
    const completion = Number(req.body.max_completion_tokens ?? req.body.max_tokens ?? 1);
    billed += prompt + completion;
    return openaiCompletion({ text: 'ok', model: req.body.model, usage: { prompt, completion } }, { delay });
  });
  return Object.assign(fake, { billed: () => billed });
}

/** The fake Anthropic API, billing one token per CJK character; answers after `delay` ms. */
export async function startBillingAnthropic(delay = 0): Promise<BilledFake> {
  const fake = await startFakeAnthropic();
  let billed = 0;
  fake.setDefault((req) => {
    const input = anthropicPromptTokens(req.body);
    const output = Number(req.body.max_tokens ?? 1);
    billed += input + output;
    return anthropicMessage({ text: 'ok', model: req.body.model, usage: { input, output } }, { delay });
  });
  return Object.assign(fake, { billed: () => billed });
}
