// Maps a JSON path inside the parsed policy (what ajv and the semantic checks speak) back to
// line and column in the YAML text, through the `yaml` document's node ranges and a
// LineCounter. A policy given as a plain object has no text: every position is 0:0 then.

import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './interpolate.js';

export interface Position {
  line: number;
  column: number;
  /** Characters to underline. */
  length?: number;
}

export interface SourceMap {
  /** Where the value at `path` starts (the deepest existing node along the path). */
  value(path: readonly PathSegment[]): Position;
  /** Where the key naming `path`'s last segment is (the value for list items). */
  key(path: readonly PathSegment[]): Position;
  /** Where `needle` occurs inside the source of the value at `path` (falls back to value()). */
  within(path: readonly PathSegment[], needle: string, occurrence?: number): Position;
}

export const NO_SOURCE: SourceMap = {
  value: () => ({ line: 0, column: 0 }),
  key: () => ({ line: 0, column: 0 }),
  within: () => ({ line: 0, column: 0 }),
};

interface Found {
  keyNode?: Node;
  valueNode?: Node;
}

export function createSourceMap(doc: Document, lineCounter: LineCounter, text: string): SourceMap {
  const pos = (offset: number, end?: number): Position => {
    const lp = lineCounter.linePos(offset);
    const p: Position = { line: lp.line, column: lp.col };
    if (end !== undefined && end > offset) {
      const nl = text.indexOf('\n', offset);
      p.length = (nl >= 0 && nl < end ? nl : end) - offset;
    }
    return p;
  };
  const find = (path: readonly PathSegment[]): Found => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    let last: Found = { valueNode: (node as Node) ?? undefined };
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) return last;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && /^\d+$/.test(String(seg))) {
        const item = node.items[Number(seg)];
        if (item === undefined) return last;
        keyNode = item as Node;
        node = item;
      } else return last;
      // `key:` with nothing after it has a null value node whose range may be empty: keep the key.
      last = { keyNode, valueNode: (node as Node | null) ?? undefined };
    }
    return last;
  };
  const rangeOf = (n: Node | undefined): Position | undefined => (n?.range ? pos(n.range[0], n.range[1]) : undefined);
  const firstLine = { line: 1, column: 1 };
  return {
    value(path) {
      const f = find(path);
      const v = f.valueNode?.range && f.valueNode.range[1] > f.valueNode.range[0] ? f.valueNode : undefined;
      return rangeOf(v) ?? rangeOf(f.keyNode) ?? firstLine;
    },
    key(path) {
      // Where the path runs out early, the deepest key found is the place to point at too.
      const f = find(path);
      return rangeOf(f.keyNode) ?? rangeOf(f.valueNode) ?? firstLine;
    },
    within(path, needle, occurrence = 0) {
      const f = find(path);
      const n = f.valueNode;
      if (n?.range) {
        let at = n.range[0] - 1;
        for (let k = 0; k <= occurrence; k++) {
          at = text.indexOf(needle, at + 1);
          if (at < 0 || at >= n.range[1]) break;
        }
        if (at >= n.range[0] && at < n.range[1]) return pos(at, at + needle.length);
      }
      return this.value(path);
    },
  };
}
