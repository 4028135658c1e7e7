// Prompt estimates never under-count (issue 20). A corpus of English prose, source code, JSON,
// identifiers, Japanese, Chinese, Korean, Arabic and emoji: for every OpenAI family the
// estimate is at least what the real tokenizer bills and at most 1.3x; for the families
// without a public tokenizer (Claude, local models, the host) at least the larger count of
// the two OpenAI encodings. Plus image sizes and formulas, and the learned correction.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import * as cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import { EXACT_CHARS, MAX_CORRECTION, PromptCorrections, PromptEstimator, estimatePromptTokens, tokenizerFor } from '../../src/routing/estimate.js';
import { imageSize, imageTokens } from '../../src/routing/image-tokens.js';
import type { SamplingRequest } from '../../src/routing/types.js';

const CORPUS = new URL('../fixtures/corpus/', import.meta.url);
const samples = readdirSync(CORPUS).map((name) => ({ name, text: readFileSync(new URL(name, CORPUS), 'utf8') }));
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** What OpenAI bills for a one-message chat: the text plus 3 for the message and 3 to prime the reply. */
const billed = (enc: typeof o200k, text: string) => enc.countTokens(text, AS_TEXT) + 6;
const oneMessage = (text: string): SamplingRequest => ({ messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens: 1 }) as SamplingRequest;

const OPENAI_FAMILIES: Array<[string, typeof o200k, string]> = [
  ['gpt-4o', o200k, 'o200k_base'],
  ['gpt-4.1-mini', o200k, 'o200k_base'],
  ['gpt-5', o200k, 'o200k_base'],
  ['o3', o200k, 'o200k_base'],
  ['gpt-4-turbo', cl100k, 'cl100k_base'],
  ['gpt-3.5-turbo', cl100k, 'cl100k_base'],
];
const BOUND_FAMILIES: Array<[string, string]> = [
  ['anthropic', 'claude-sonnet-4-5'],
  ['openai', 'llama3.2:3b'],
  ['client', 'host'],
  ['mock', 'gpt-4o'],
];

describe('prompt estimates on the corpus', () => {
  it('covers every kind of text the issue names', () => {
    const names = samples.map((s) => s.name);
    for (const kind of ['english', 'code', 'data.json', 'japanese', 'chinese', 'korean', 'arabic', 'emoji']) {
      assert.ok(
        names.some((n) => n.startsWith(kind)),
        `a ${kind} sample`,
      );
    }
    assert.ok(
      samples.every((s) => s.text.length <= EXACT_CHARS),
      'samples are within the exact-count limit',
    );
  });

  for (const [model, enc, name] of OPENAI_FAMILIES) {
    it(`${model}: at least the ${name} count and at most 1.3x it`, () => {
      const choice = tokenizerFor('openai', model);
      assert.equal(choice.counter, name);
      for (const { name: sample, text } of samples) {
        const real = billed(enc, text);
        const estimate = new PromptEstimator(oneMessage(text)).estimate(choice);
        assert.equal(estimate.exact, true);
        assert.ok(estimate.tokens >= real, `${sample}: estimate ${estimate.tokens} < real ${real}`);
        assert.ok(estimate.tokens <= 1.3 * real, `${sample}: estimate ${estimate.tokens} > 1.3 x ${real}`);
      }
    });
  }

  for (const [type, model] of BOUND_FAMILIES) {
    it(`${type}/${model}: the bound is at least the larger OpenAI count`, () => {
      const choice = tokenizerFor(type, model);
      assert.equal(choice.counter, 'bound');
      for (const { name: sample, text } of samples) {
        const reference = Math.max(billed(o200k, text), billed(cl100k, text));
        const estimate = estimatePromptTokens(oneMessage(text), choice);
        assert.ok(estimate >= reference, `${sample}: bound ${estimate} < reference ${reference}`);
      }
    });
  }

  it('past the exact-count limit, the tokenizer counts the head and the bound the rest: still never under', () => {
    const all = samples.map((s) => s.text).join('\n');
    assert.ok(all.length > 3 * EXACT_CHARS);
    for (const [model, enc] of OPENAI_FAMILIES) {
      const estimate = new PromptEstimator(oneMessage(all)).estimate(tokenizerFor('openai', model));
      assert.equal(estimate.exact, false);
      assert.ok(estimate.tokens >= billed(enc, all), `${model}: ${estimate.tokens} < ${billed(enc, all)}`);
    }
  });

  it('counts special-token markers in untrusted text as text instead of throwing', () => {
    const text = 'ignore this <|endoftext|><|im_start|>system<|im_end|> and go on';
    const estimate = new PromptEstimator(oneMessage(text)).estimate(tokenizerFor('openai', 'gpt-4o'));
    assert.ok(estimate.tokens >= billed(o200k, text));
  });

  it('a Japanese prompt costs at least a token a character for a model without a tokenizer (what the issue saw billed)', () => {
    const ja = samples.find((s) => s.name === 'japanese.txt')!.text.replace(/\s/g, '');
    assert.ok(estimatePromptTokens(oneMessage(ja), tokenizerFor('anthropic', 'claude-sonnet-4-5')) >= ja.length);
  });
});

// --- Images -------------------------------------------------------------------------------

function png(width: number, height: number): string {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b.toString('base64');
}

function jpeg(width: number, height: number): string {
  // SOI, an APP0 segment to walk past, then SOF0 with height and width.
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(8)]).toString('base64');
}

function gif(width: number, height: number): string {
  const b = Buffer.alloc(16);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b.toString('base64');
}

function webp(width: number, height: number): string {
  const b = Buffer.alloc(32);
  b.write('RIFF', 0, 'latin1');
  b.write('WEBP', 8, 'latin1');
  b.write('VP8X', 12, 'latin1');
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b.toString('base64');
}

describe('image tokens', () => {
  it('reads the size from PNG, JPEG, GIF and WebP headers', () => {
    assert.deepEqual(imageSize(png(1024, 768)), { width: 1024, height: 768 });
    assert.deepEqual(imageSize(jpeg(640, 480)), { width: 640, height: 480 });
    assert.deepEqual(imageSize(gif(300, 200)), { width: 300, height: 200 });
    assert.deepEqual(imageSize(webp(2000, 1000)), { width: 2000, height: 1000 });
  });

  it('treats unreadable or absurd headers as unknown', () => {
    assert.equal(imageSize('aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ='), undefined);
    assert.equal(imageSize(''), undefined);
    assert.equal(imageSize(png(0, 10)), undefined);
    assert.equal(imageSize(png(1_000_000, 10)), undefined);
    assert.equal(imageSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).toString('base64')), undefined);
  });

  it("gives the vendors' published figures", () => {
    // OpenAI's guide: 1024x1024 at high detail is 765 tokens on gpt-4o; 2048x4096 is 1105.
    assert.equal(imageTokens(tokenizerFor('openai', 'gpt-4o').images, { width: 1024, height: 1024 }), 765);
    assert.equal(imageTokens(tokenizerFor('openai', 'gpt-4o').images, { width: 2048, height: 4096 }), 1105);
    // Patch-priced models: 1024x1024 = 1024 patches x 1.62 on gpt-4.1-mini.
    assert.equal(imageTokens(tokenizerFor('openai', 'gpt-4.1-mini').images, { width: 1024, height: 1024 }), 1659);
    // Anthropic's guide: 1000x1000 is about 1334 tokens; large images are scaled to ~1600.
    assert.equal(imageTokens(tokenizerFor('anthropic', 'claude-sonnet-4-5').images, { width: 1000, height: 1000 }), 1334);
    assert.ok(imageTokens(tokenizerFor('anthropic', 'claude-sonnet-4-5').images, { width: 8000, height: 8000 }) <= 1600);
  });

  it('an image of unknown size counts as the most its formula can give', () => {
    const gpt4o = tokenizerFor('openai', 'gpt-4o').images;
    assert.equal(imageTokens(gpt4o, undefined), 85 + 170 * 8);
    for (const [w, h] of [
      [768, 2048],
      [4096, 4096],
      [512, 512],
      [100, 5000],
    ] as const) {
      assert.ok(imageTokens(gpt4o, { width: w, height: h }) <= imageTokens(gpt4o, undefined), `${w}x${h}`);
    }
    const claude = tokenizerFor('anthropic', 'claude-haiku-4-5').images;
    assert.equal(imageTokens(claude, undefined), 1600);
  });

  it('prices each image in a request by its own size', () => {
    const request = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            { type: 'image', data: png(1024, 1024), mimeType: 'image/png' },
            { type: 'image', data: jpeg(512, 512), mimeType: 'image/jpeg' },
          ],
        },
      ],
      maxTokens: 1,
    } as SamplingRequest;
    const text = estimatePromptTokens({ ...request, messages: [{ role: 'user', content: { type: 'text', text: 'compare' } }] } as SamplingRequest, tokenizerFor('openai', 'gpt-4o'));
    assert.equal(estimatePromptTokens(request, tokenizerFor('openai', 'gpt-4o')), text + 765 + 255);
  });
});

describe('learned correction', () => {
  it('raises a model whose reported prompt exceeds the estimate, with headroom, and only that model', () => {
    const c = new PromptCorrections();
    c.observe('llama', 1000, 2000);
    assert.ok(c.factor('llama') >= 2 && c.factor('llama') <= 2.2);
    assert.equal(c.factor('other'), 1);
    // The next estimate, corrected, covers what was reported.
    assert.ok(1000 * c.factor('llama') >= 2000);
  });

  it('never lowers, and is bounded', () => {
    const c = new PromptCorrections();
    c.observe('m', 1000, 3000);
    const raised = c.factor('m');
    c.observe('m', 1000, 500);
    c.observe('m', 1000, 1000);
    assert.equal(c.factor('m'), raised);
    c.observe('m', 10, 1_000_000);
    assert.equal(c.factor('m'), MAX_CORRECTION);
  });

  it('ignores reports it cannot use', () => {
    const c = new PromptCorrections();
    c.observe('m', 0, 100);
    c.observe('m', 100, Number.NaN);
    c.observe('m', 100, Number.POSITIVE_INFINITY);
    assert.equal(c.factor('m'), 1);
  });
});
