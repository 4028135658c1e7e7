// The start-up cache's digest (src/util/murmur3.ts, MurmurHash3 x86_128, seed 0), computed
// without node:crypto before the server is spawned. The expected values are the reference
// implementation's (SMHasher's MurmurHash3_x86_128, through the mmh3 Python package's
// hash_bytes(data, 0, x64arch=False)): every length of the last partial block, multi-byte text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur3Hex } from '../../src/util/murmur3.js';

const REFERENCE: Array<[string, string]> = [
  ['', '00000000000000000000000000000000'],
  ['a', '3c9394a71bb056551bb056551bb05655'],
  ['abc', 'd1c6cd75a506b0a2a506b0a2a506b0a2'],
  ['hello', 'a044242bf7de91dbb631db9ab631db9a'],
  ['The quick brown fox jumps over the lazy dog', 'c383152f672ceeec6cf67b5d2c1de9e5'],
  ['x'.repeat(15), 'b543fa825b401c7893338d541b879d15'],
  ['x'.repeat(16), '3de04b70dadd9287c0be2b0745c8779e'],
  ['x'.repeat(17), '6c08a9f6d6a33f39464e828ad9cbd876'],
  ['x'.repeat(31), '7a59016fe28f784066f31b2ef7224fc0'],
  ['x'.repeat(33), '146fbbae9e0aad4dd8015efed6d42337'],
  ['é日本🙂', '733e6f569e0769d5e21cbe0af768def5'],
];

test("gives the reference implementation's digests, whole blocks and every kind of tail", () => {
  for (const [text, digest] of REFERENCE) assert.equal(murmur3Hex(text), digest, JSON.stringify(text));
});

test('a one-character change anywhere in a policy-sized text changes the digest', () => {
  const text = 'version: 1\nproviders:\n  oa: { type: openai }\n'.repeat(100);
  const digest = murmur3Hex(text);
  const seen = new Set([digest]);
  for (let i = 0; i < text.length; i += 7) {
    const changed = `${text.slice(0, i)}${text[i] === 'x' ? 'y' : 'x'}${text.slice(i + 1)}`;
    seen.add(murmur3Hex(changed));
  }
  assert.equal(seen.size, 1 + Math.ceil(text.length / 7));
});
