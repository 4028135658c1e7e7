// `explain` shows each kept model's prompt estimate, how it was made (a tokenizer or the
// bound) and the context-window headroom, in text and JSON (issue 20).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import { decide } from '../../src/routing/decide.js';
import { decisionToJson, formatDecisionText } from '../../src/routing/explain-format.js';
import { EXACT_CHARS } from '../../src/routing/estimate.js';
import type { SamplingRequest } from '../../src/routing/types.js';
import { buildPolicy, provider } from '../helpers/policy.js';

const policy = buildPolicy({
  models: [
    { id: 'gpt-4o', provider: 'openai', contextWindow: 128_000 },
    { id: 'claude-sonnet-4-5', provider: 'anthropic', contextWindow: 200_000 },
    { id: 'local', provider: 'anthropic' },
  ],
  providers: [provider('openai'), provider('anthropic')],
});
const text = 'Translate to Japanese: the budget holds in every language.';
const request = { messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens: 1000 } as SamplingRequest;

describe('explain: prompt estimate', () => {
  it('JSON gives tokens, method and headroom per candidate', () => {
    const json = decisionToJson(decide(policy, request));
    const gpt = json.candidates.find((c) => c.model === 'gpt-4o')!.prompt!;
    // The tokenizer's count plus 4 for the message and 3 for the reply.
    assert.deepEqual(gpt, { tokens: o200k.countTokens(text) + 7, estimated: o200k.countTokens(text) + 7, method: 'o200k_base', exact: true, correction: 1, headroom: 128_000 - gpt.tokens - 1000 });
    const claude = json.candidates.find((c) => c.model === 'claude-sonnet-4-5')!.prompt!;
    assert.equal(claude.method, 'bound');
    assert.ok(claude.tokens >= gpt.tokens);
    assert.equal(claude.headroom, 200_000 - claude.tokens - 1000);
    assert.equal(json.candidates.find((c) => c.model === 'local')!.prompt!.headroom, null);
  });

  it('text shows a prompt-estimate table', () => {
    const out = formatDecisionText(decide(policy, request), policy);
    assert.match(out, /prompt estimate \(tokens; headroom = context window - prompt - maxTokens\):/);
    assert.match(out, /gpt-4o +~\d+ +\d+ of 128000 +o200k_base tokenizer\n/);
    assert.match(out, /claude-sonnet-4-5 +~\d+ +\d+ of 200000 +bound by script \(no public tokenizer\)/);
    assert.match(out, /local +~\d+ +no context window set/);
  });

  it('says when a long prompt was only partly tokenized', () => {
    const long = { ...request, messages: [{ role: 'user', content: { type: 'text', text: text.repeat(Math.ceil((2 * EXACT_CHARS) / text.length)) } }] } as SamplingRequest;
    const out = formatDecisionText(decide(policy, long), policy);
    assert.match(out, new RegExp(`o200k_base tokenizer, exact for the first ${EXACT_CHARS} characters, bound beyond`));
  });
});
