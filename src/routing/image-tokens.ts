// What an image costs in prompt tokens, from the vendors' published formulas and the image's
// own header (PNG, JPEG, GIF, WebP: read from the first bytes, never decoded); when the size
// cannot be read, the most the formula can give, so the estimate never under-counts.

/** How a model family prices images. */
export type ImagePricing =
  | { kind: 'tiles'; base: number; tile: number }
  | { kind: 'patches'; multiplier: number }
  | { kind: 'anthropic' }
  /** Unknown vendor (local models, the host's own model): the larger of the common formulas. */
  | { kind: 'any' };

/** OpenAI's default high-detail tiling (gpt-4o, gpt-4.1, gpt-4.5): 85 + 170 per 512 px tile. */
export const OPENAI_TILES: ImagePricing = { kind: 'tiles', base: 85, tile: 170 };

/** The pricing OpenAI documents for a model name (its "Images and vision" guide). */
export function openaiImagePricing(providerModel: string): ImagePricing {
  const m = providerModel.toLowerCase();
  if (/^gpt-4o-mini/.test(m)) return { kind: 'tiles', base: 2833, tile: 5667 };
  if (/^(gpt-4\.1-mini|gpt-5-mini)/.test(m)) return { kind: 'patches', multiplier: 1.62 };
  if (/^(gpt-4\.1-nano|gpt-5-nano)/.test(m)) return { kind: 'patches', multiplier: 2.46 };
  if (/^o4-mini/.test(m)) return { kind: 'patches', multiplier: 1.72 };
  if (/^gpt-5/.test(m)) return { kind: 'tiles', base: 70, tile: 140 };
  if (/^o[13]/.test(m)) return { kind: 'tiles', base: 75, tile: 150 };
  return OPENAI_TILES;
}

/** Anthropic: about width x height / 750 after the image is fitted to 1568 px and 1.15 MP. */
const ANTHROPIC_MAX_EDGE = 1568;
const ANTHROPIC_MAX_PIXELS = 1_150_000;
const ANTHROPIC_MAX_TOKENS = 1600;
const PATCH = 32;
const MAX_PATCHES = 1536;

/** Prompt tokens for one image of `size` (undefined: not readable) under `pricing`. */
export function imageTokens(pricing: ImagePricing, size: { width: number; height: number } | undefined): number {
  switch (pricing.kind) {
    case 'tiles': {
      // High detail (the API default for large images): fit in 2048x2048, shortest side to 768, 512 px tiles.
      // The worst case is 2 x 4 tiles (768 x 2048).
      const tiles = size ? openaiTiles(size.width, size.height) : 8;
      return pricing.base + pricing.tile * tiles;
    }
    case 'patches': {
      const patches = size ? Math.min(MAX_PATCHES, Math.ceil(size.width / PATCH) * Math.ceil(size.height / PATCH)) : MAX_PATCHES;
      return Math.ceil(patches * pricing.multiplier);
    }
    case 'anthropic':
      return size ? anthropicTokens(size.width, size.height) : ANTHROPIC_MAX_TOKENS;
    case 'any':
      return Math.max(imageTokens(OPENAI_TILES, size), imageTokens({ kind: 'anthropic' }, size));
  }
}

function openaiTiles(width: number, height: number): number {
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shortest = Math.min(w, h);
  if (shortest > 768) {
    w *= 768 / shortest;
    h *= 768 / shortest;
  }
  return Math.ceil(w / 512) * Math.ceil(h / 512);
}

function anthropicTokens(width: number, height: number): number {
  let scale = Math.min(1, ANTHROPIC_MAX_EDGE / Math.max(width, height));
  scale = Math.min(scale, Math.sqrt(ANTHROPIC_MAX_PIXELS / (width * height)));
  return Math.min(ANTHROPIC_MAX_TOKENS, Math.ceil((width * scale * (height * scale)) / 750));
}

/** Bytes of the image read for its size: enough for JPEG headers behind a typical EXIF block. */
const HEADER_BYTES = 64 * 1024;
/** Largest dimension believed: a header claiming more is treated as unreadable. */
const MAX_DIMENSION = 1 << 16;

/** Width and height from a base64 image's header, or undefined when the format or header is not recognised. */
export function imageSize(base64: string): { width: number; height: number } | undefined {
  if (typeof base64 !== 'string' || base64.length < 16) return undefined;
  // 4 base64 characters per 3 bytes; slicing at a multiple of 4 keeps the decode aligned.
  const head = Buffer.from(base64.slice(0, Math.ceil(HEADER_BYTES / 3) * 4), 'base64');
  const size = pngSize(head) ?? gifSize(head) ?? webpSize(head) ?? jpegSize(head);
  if (!size || size.width < 1 || size.height < 1 || size.width > MAX_DIMENSION || size.height > MAX_DIMENSION) return undefined;
  return size;
}

function pngSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function gifSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 10 || b.toString('latin1', 0, 4) !== 'GIF8') return undefined;
  return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
}

function webpSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return undefined;
}

function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  // Walk the marker segments (each FF xx + a 2-byte length) to the first start-of-frame.
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    }
    if (length < 2) return undefined;
    i += 2 + length;
  }
  return undefined;
}
