// JSON-RPC batches (arrays) are split into their elements and each is judged like a frame of
// its own, so nothing in a batch escapes the checks a single message gets (a batched sampling
// request, a batched initialize). Elements passed on keep their original bytes.

import { arrayElements } from './json-top-level.js';
import type { FrameVerdict } from './line-framer.js';

/**
 * A batch is split into its elements, each judged like a frame of its own (`judge`); elements
 * passed on keep their bytes, and the batch is rebuilt only when one was taken out or replaced.
 * Answers to elements we handle go back as single messages.
 */
export function judgeBatch(frame: Buffer, judge: (element: Buffer) => FrameVerdict): FrameVerdict {
  const spans = arrayElements(frame);
  if (!spans) return true; // not well-formed: the receiver's parser refuses it whole
  const kept: Buffer[] = [];
  let changed = false;
  for (const [start, end] of spans) {
    const element = frame.subarray(start, end);
    // Only objects are messages; a nested batch or a bare value is the receiver's to refuse.
    const verdict = element[0] === 0x7b ? judge(element) : true;
    if (verdict === true) kept.push(element);
    else {
      changed = true;
      if (verdict) kept.push(verdict[verdict.length - 1] === 0x0a ? verdict.subarray(0, -1) : verdict);
    }
  }
  if (!changed) return true;
  if (kept.length === 0) return null;
  const parts: Buffer[] = [Buffer.from('[')];
  for (const [i, element] of kept.entries()) parts.push(...(i ? [Buffer.from(','), element] : [element]));
  parts.push(Buffer.from(']\n'));
  return Buffer.concat(parts);
}
