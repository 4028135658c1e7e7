// Lint's check for `when.systemPrompt` patterns that backtrack catastrophically. The system
// prompt comes from the wrapped server and JavaScript's RegExp backtracks, so a repeated group
// that itself repeats (`(a+)+`, `(\w*\s?)*`) can take exponential time in decide().
// A heuristic on the pattern's shape (star height), not a proof: it finds the classic forms.

interface Group {
  /** Something inside repeats without bound (`*`, `+`, `{n,}`). */
  unbounded: boolean;
}

/** Describes the first nested quantifier in a regular expression source, or undefined. */
export function nestedQuantifier(source: string): string | undefined {
  const stack: Array<Group & { start: number }> = [{ unbounded: false, start: 0 }];
  // The atom a quantifier would apply to: a group that just closed, or a plain atom.
  let last: { group?: Group; start: number } | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      last = { start: i };
      i++;
    } else if (c === '[') {
      const start = i;
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      last = { start };
    } else if (c === '(') {
      stack.push({ unbounded: false, start: i });
      last = undefined;
      if (source[i + 1] === '?') i += 2; // (?: (?= (?! (?<: the marker is not a quantifier
    } else if (c === ')') {
      const group = stack.length > 1 ? stack.pop()! : { unbounded: false, start: 0 };
      if (group.unbounded) stack[stack.length - 1]!.unbounded = true;
      last = { group, start: group.start };
    } else if (c === '*' || c === '+' || c === '{' || c === '?') {
      const q = quantifier(source, i);
      if (!q) {
        last = { start: i };
        continue;
      }
      if (last?.group?.unbounded && q.repeats) return `\`${source.slice(last.start, q.end)}\` repeats a group that itself repeats`;
      if (q.unbounded) stack[stack.length - 1]!.unbounded = true;
      i = q.end - 1;
      last = undefined;
    } else if (c === '|') {
      last = undefined;
    } else last = { start: i };
  }
  return undefined;
}

/** The quantifier at `i`, if there is one: whether it repeats at all, and without bound. */
function quantifier(source: string, i: number): { repeats: boolean; unbounded: boolean; end: number } | undefined {
  const c = source[i]!;
  let end = i + 1;
  let repeats = c !== '?';
  let unbounded = c === '*' || c === '+';
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
    if (!m) return undefined;
    end = i + m[0].length;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max > 1;
    unbounded = max === Infinity;
  }
  if (source[end] === '?') end++; // lazy: backtracks just the same
  return { repeats, unbounded, end };
}
