// Lint-style problems found in a policy, and how they are shown: `path:line:col: error: message`,
// a short code frame, and a hint. Every stage (YAML, schema, semantics, interpolation) reports
// through this one shape so the CLI, loadPolicyFile and library callers print the same thing.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  message: string;
  hint?: string;
  /** 1-based; 0 when there is no source text (policies given as objects). */
  line: number;
  /** 1-based; 0 when there is no source text. */
  column: number;
  /** Stable identifier of the kind of problem, e.g. `unknown-key`, `env-unset`. */
  code: string;
  /** The file (or label) the policy came from. */
  path: string;
  /** Characters to underline from `column` on the same line (code frame only). */
  length?: number;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1);
}

/**
 * `path:line:col: severity: message (code)`, then up to two lines of source with a caret
 * under the offending node when the text is given, then `hint: ...`.
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  const where = d.line > 0 ? `${d.path}:${d.line}:${d.column}` : d.path;
  const out = [`${where}: ${d.severity}: ${d.message} (${d.code})`];
  if (sourceText !== undefined && d.line > 0) out.push(...codeFrame(sourceText, d.line, d.column, d.length));
  if (d.hint) out.push(`  hint: ${d.hint}`);
  return out.join('\n');
}

export function formatDiagnostics(ds: readonly Diagnostic[], sourceText?: string): string {
  return ds.map((d) => formatDiagnostic(d, sourceText)).join('\n');
}

/** Widest source line a code frame shows; longer lines (one-line JSON policies) are clipped around the column. */
const FRAME_WIDTH = 120;

function codeFrame(text: string, line: number, column: number, length = 1): string[] {
  const lines = text.split(/\r?\n/);
  const width = String(line).length;
  const target = lines[line - 1];
  // One window for every shown line, so the caret stays under the marked line's text.
  const from = target !== undefined && target.length > FRAME_WIDTH ? Math.max(0, Math.min(column - 1 - 40, target.length - FRAME_WIDTH)) : 0;
  const clip = (src: string): string => {
    if (src.length <= FRAME_WIDTH && from === 0) return src.replace(/\t/g, ' ');
    const part = src.slice(from, from + FRAME_WIDTH).replace(/\t/g, ' ');
    return `${from > 0 ? '…' : ''}${part}${from + FRAME_WIDTH < src.length ? '…' : ''}`;
  };
  const frame: string[] = [];
  const show = (n: number, mark: boolean) => {
    const src = lines[n - 1];
    if (src === undefined) return;
    frame.push(`  ${mark ? '>' : ' '} ${String(n).padStart(width)} | ${clip(src)}`);
  };
  if (line > 1 && (lines[line - 2] ?? '').trim() !== '') show(line - 1, false);
  show(line, true);
  if (target !== undefined) {
    const shownCol = column - from + (from > 0 ? 1 : 0);
    const visible = Math.min(target.length, from + FRAME_WIDTH) - (column - 1);
    const room = Math.max(1, Math.min(length, visible));
    frame.push(`    ${' '.repeat(width)} | ${' '.repeat(Math.max(0, shownCol - 1))}${'^'.repeat(room)}`);
  }
  return frame;
}

/** Edit distance counting a swap of neighbours as one edit (`modle` -> `model`), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate, when it is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestScore <= limit ? best : undefined;
}
