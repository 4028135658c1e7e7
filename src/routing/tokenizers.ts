// Token counting by text alone: the OpenAI encodings (exact, from gpt-tokenizer, loaded on
// first use so start-up never pays for them) and a conservative bound by script for models
// without a public tokenizer. estimate.ts decides which applies to a model and a request.

import { createRequire } from 'node:module';

/** How a prompt's text is counted: an OpenAI encoding, exactly, or the bound by script. */
export type TokenCounter = 'o200k_base' | 'cl100k_base' | 'bound';

type Encoding = { countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number };

const require = createRequire(import.meta.url);
const encodings = new Map<string, Encoding>();
// Special-token markers ("<|endoftext|>") in a prompt are plain text to the APIs, and
// gpt-tokenizer throws on them by default: the untrusted server must not make counting fail.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

function encoding(name: 'o200k_base' | 'cl100k_base'): Encoding {
  let enc = encodings.get(name);
  if (!enc) {
    // Synchronous on purpose: decide() is synchronous, and an import() would be evaluated on
    // this thread all the same. About 100-250 ms once per process, on the first request that
    // needs the encoding (see README, "Prompt estimate").
    enc = require(`gpt-tokenizer/cjs/encoding/${name}`) as Encoding;
    encodings.set(name, enc);
  }
  return enc;
}

// Counts of texts seen recently, per counter. Conversations resend the same system prompt,
// tool definitions and history with every request, and decide() runs on the request hot
// path (a ~20 µs budget): a hit costs a hash of the string, a miss ~0.1 µs a character for
// a tokenizer, ~5 ns for the bound. Bounded by the characters it holds, oldest out first.
const MEMO_MAX_CHARS = 1 << 20;
const MEMO_MAX_TEXT = 1 << 16;
const memos = new Map<TokenCounter, { counts: Map<string, number>; chars: number }>();

function memoised(counter: TokenCounter, text: string, count: (text: string) => number): number {
  let memo = memos.get(counter);
  if (!memo) memos.set(counter, (memo = { counts: new Map(), chars: 0 }));
  const known = memo.counts.get(text);
  if (known !== undefined) return known;
  const n = count(text);
  if (text.length <= MEMO_MAX_TEXT) {
    memo.counts.set(text, n);
    memo.chars += text.length;
    for (const old of memo.counts.keys()) {
      if (memo.chars <= MEMO_MAX_CHARS) break;
      memo.counts.delete(old);
      memo.chars -= old.length;
    }
  }
  return n;
}

/** Exact token count of `text` under an OpenAI encoding. */
export function countExact(name: 'o200k_base' | 'cl100k_base', text: string): number {
  return memoised(name, text, (t) => encoding(name).countTokens(t, AS_TEXT));
}

/** boundTokens(text), remembered for texts that come back (see the memo above). */
export function countBound(text: string): number {
  return memoised('bound', text, boundTokens);
}

/**
 * The encoding OpenAI uses for a model, from the model name sent to the API; `bound` for
 * names it does not know (local models behind an OpenAI-compatible URL, future families).
 */
export function openaiEncodingFor(providerModel: string): TokenCounter {
  const m = providerModel.toLowerCase().replace(/^openai\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|chatgpt-4o|o[1-9](-|$)|codex-)/.test(m)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(m)) return 'cl100k_base';
  return 'bound';
}

// --- The bound by script ---------------------------------------------------------------
// Per-character weights (tokens per UTF-16 unit, or per run) chosen so that, on the corpus in
// test/fixtures/corpus, the bound is at least BOUND_MARGIN times the larger of the o200k and
// cl100k counts. Measurements and reasoning: README, "Prompt estimate".

/** Pure letter runs (words): English prose is ~0.2 tokens a letter in both encodings. */
const W_LETTER = 0.25;
/** Letters and digits mixed in one run (hashes, ids, base64): up to ~0.6 a character. */
const W_MIXED = 0.75;
/** Digits: both encodings split numbers into groups of at most three digits. */
const DIGITS_PER_TOKEN = 3;
/** ASCII punctuation and symbols: often one token each (code, JSON). */
const W_PUNCT = 0.9;
/** A single space joins the next word's token; other whitespace runs cost about one token. */
const W_SPACE = 0.1;
const W_WHITESPACE_RUN = 1;
/** Latin-1 and Latin Extended letters (é, ß, ł): two UTF-8 bytes, at most ~1 token. */
const W_LATIN = 1;
/** Other two-byte scripts (Greek, Cyrillic, Hebrew, Arabic): cl100k ~0.85 a letter. */
const W_TWO_BYTE = 1.2;
/** Han, kana, CJK punctuation, full-width forms: cl100k ~1.1 (Japanese) to ~1.2 (Chinese). */
const W_CJK = 1.5;
/** Hangul syllables: cl100k ~1.35 a syllable. */
const W_HANGUL = 2;
/** Other three-byte characters (Indic, Thai, symbols such as ☀): up to 3 byte tokens; 2 is the usual worst. */
const W_THREE_BYTE = 2;
/** Astral code points (emoji, rare Han): four UTF-8 bytes; 3 covers flags and skin tones. */
const W_ASTRAL = 3.5;
/** The margin stated in the README: the weights are scaled so no corpus sample comes within it. */
export const BOUND_MARGIN = 1.1;

/**
 * A conservative token count for `text[from, to)` that does not need a tokenizer: one pass,
 * no allocation, linear in the length. At least BOUND_MARGIN x the OpenAI encodings' count
 * on every corpus sample (English, code, JSON, identifiers, CJK, Korean, Arabic, emoji).
 */
export function boundTokens(text: string, from = 0, to = text.length): number {
  let sum = 0;
  let i = from;
  while (i < to) {
    const u = text.charCodeAt(i);
    if (u < 128) {
      if (isAlnum(u)) {
        // A run of letters and digits: words, numbers, or identifiers mixing both.
        let letters = 0;
        let digits = 0;
        let digitRun = 0;
        let digitTokens = 0;
        while (i < to) {
          const c = text.charCodeAt(i);
          if (c >= 48 && c <= 57) {
            digits++;
            digitRun++;
          } else if (((c | 32) >= 97 && (c | 32) <= 122) || c === 95) {
            letters++;
            if (digitRun) digitTokens += Math.ceil(digitRun / DIGITS_PER_TOKEN);
            digitRun = 0;
          } else break;
          i++;
        }
        if (digitRun) digitTokens += Math.ceil(digitRun / DIGITS_PER_TOKEN);
        if (letters && digits) sum += (letters + digits) * W_MIXED;
        else sum += letters * W_LETTER + digitTokens;
        continue;
      }
      if (u === 32 || u === 9 || u === 10 || u === 13) {
        let n = 0;
        let newline = false;
        while (i < to) {
          const c = text.charCodeAt(i);
          if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
          if (c === 10 || c === 13) newline = true;
          n++;
          i++;
        }
        sum += n === 1 && !newline ? W_SPACE : W_WHITESPACE_RUN;
        continue;
      }
      sum += W_PUNCT;
      i++;
      continue;
    }
    if (u >= 0xd800 && u <= 0xdbff) {
      sum += W_ASTRAL;
      i += 2;
      continue;
    }
    if (u < 0x0250) sum += W_LATIN;
    else if (u < 0x0800) sum += W_TWO_BYTE;
    else if (u >= 0xac00 && u <= 0xd7af) sum += W_HANGUL;
    else if ((u >= 0x2e80 && u <= 0x9fff) || (u >= 0xf900 && u <= 0xfaff) || (u >= 0xff00 && u <= 0xffef)) sum += W_CJK;
    else sum += W_THREE_BYTE;
    i++;
  }
  return Math.ceil(sum * BOUND_MARGIN);
}

function isAlnum(u: number): boolean {
  return (u >= 48 && u <= 57) || ((u | 32) >= 97 && (u | 32) <= 122) || u === 95;
}
