// MurmurHash3 x86_128 (Austin Appleby's SMHasher, seed 0) of a text's UTF-8 bytes: the start-up
// cache's digests (src/cli/startup-cache.ts), which `mcp-route run` computes before it spawns
// its server. Not a cryptographic hash, and not used where one is needed: the cache's digest
// only has to change when its inputs do (why that is enough: startup-cache.ts). node:crypto's
// SHA-256 did that job, but requiring node:crypto compiles some twenty of Node's own modules
// before the spawn (about 10 M instructions); and SHA-256 in JavaScript, uncompiled as code is
// at start-up, cost more still (its 32-bit sums leave V8's small integers). This mixes 16 bytes
// at a time with multiplications that stay in 32 bits. Same digests as the reference
// implementation (test/security/murmur3.test.ts), on any platform.

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

/** The 128-bit MurmurHash3 (x86 variant, seed 0) of `text` as UTF-8, as 32 hex digits in the reference's byte order. */
export function murmur3Hex(text: string): string {
  const data = Buffer.from(text, 'utf8');
  const blocksEnd = data.length - (data.length % 16);
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  // Written out, without helper calls: a small function called for every word gets hot enough
  // for V8 to optimise it, and the optimising compiler, once run, keeps some 3.5 MiB of the
  // node binary resident in an idle router.
  for (let i = 0; i < blocksEnd; i += 16) {
    let k1 = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    let k2 = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    let k3 = data[i + 8]! | (data[i + 9]! << 8) | (data[i + 10]! << 16) | (data[i + 11]! << 24);
    let k4 = data[i + 12]! | (data[i + 13]! << 8) | (data[i + 14]! << 16) | (data[i + 15]! << 24);
    k1 = Math.imul(k1, C1);
    k1 = Math.imul((k1 << 15) | (k1 >>> 17), C2);
    h1 ^= k1;
    h1 = (Math.imul(((h1 << 19) | (h1 >>> 13)) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2);
    k2 = Math.imul((k2 << 16) | (k2 >>> 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(((h2 << 17) | (h2 >>> 15)) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(k3, C3);
    k3 = Math.imul((k3 << 17) | (k3 >>> 15), C4);
    h3 ^= k3;
    h3 = (Math.imul(((h3 << 15) | (h3 >>> 17)) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(k4, C4);
    k4 = Math.imul((k4 << 18) | (k4 >>> 14), C1);
    h4 ^= k4;
    h4 = (Math.imul(((h4 << 13) | (h4 >>> 19)) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The last 1 to 15 bytes, each lane's word only as far as there are bytes for it.
  const tail = data.length - blocksEnd;
  if (tail > 12) h4 ^= mixK(partialWord(data, blocksEnd + 12), C4, 18, C1);
  if (tail > 8) h3 ^= mixK(partialWord(data, blocksEnd + 8), C3, 17, C4);
  if (tail > 4) h2 ^= mixK(partialWord(data, blocksEnd + 4), C2, 16, C3);
  if (tail > 0) h1 ^= mixK(partialWord(data, blocksEnd), C1, 15, C2);
  h1 ^= data.length;
  h2 ^= data.length;
  h3 ^= data.length;
  h4 ^= data.length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return hexLE(h1) + hexLE(h2) + hexLE(h3) + hexLE(h4);
}

/** The little-endian 32-bit word at `i` (getblock32 on x86), the bytes past the end counted as zeros. */
function partialWord(data: Uint8Array, i: number): number {
  let k = 0;
  for (let b = Math.min(3, data.length - 1 - i); b >= 0; b--) k |= data[i + b]! << (8 * b);
  return k;
}

function mixK(k: number, ca: number, r: number, cb: number): number {
  return Math.imul(rotl(Math.imul(k, ca), r), cb);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** The finalisation mix: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** `h` as the 8 hex digits of its four bytes in little-endian order (how the reference writes its output). */
function hexLE(h: number): string {
  let hex = '';
  for (let b = 0; b < 4; b++) hex += ((h >>> (8 * b)) & 0xff).toString(16).padStart(2, '0');
  return hex;
}
