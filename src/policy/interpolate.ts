// ${VAR} and ${VAR:-default} in policy strings. Runs on the parsed value before validation,
// so a duration or URL can come from the environment; records which variables each string
// read (providers' credentials are stripped from the spawned server's env) and which were unset.

export type PathSegment = string | number;

export interface InterpolationProblem {
  path: PathSegment[];
  kind: 'unset' | 'syntax';
  /** The variable name (unset) or the offending text (syntax). */
  name: string;
  /** Offset of the `${` within the original string. */
  index: number;
}

export interface InterpolationResult {
  value: unknown;
  /** Every variable read, by the JSON path of the string that reads it. */
  reads: Array<{ path: PathSegment[]; name: string }>;
  problems: InterpolationProblem[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Interpolates one string. `$${` is a literal `${`. Unset without default resolves to "". */
export function interpolateString(
  text: string,
  env: NodeJS.ProcessEnv,
): { value: string; reads: string[]; unset: Array<{ name: string; index: number }>; syntax: Array<{ text: string; index: number }> } {
  const reads: string[] = [];
  const unset: Array<{ name: string; index: number }> = [];
  const syntax: Array<{ text: string; index: number }> = [];
  if (!text.includes('${')) return { value: text, reads, unset, syntax };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('${', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    if (at > 0 && text[at - 1] === '$') {
      out += `${text.slice(i, at - 1)}\${`;
      i = at + 2;
      continue;
    }
    out += text.slice(i, at);
    const close = text.indexOf('}', at + 2);
    if (close < 0) {
      syntax.push({ text: text.slice(at), index: at });
      out += text.slice(at);
      break;
    }
    const body = text.slice(at + 2, close);
    const sep = body.indexOf(':-');
    const name = sep >= 0 ? body.slice(0, sep) : body;
    if (!NAME.test(name)) {
      syntax.push({ text: text.slice(at, close + 1), index: at });
      out += text.slice(at, close + 1);
      i = close + 1;
      continue;
    }
    reads.push(name);
    const current = env[name];
    // Shell semantics: `:-` applies when the variable is unset or empty.
    if (current !== undefined && current !== '') out += current;
    else if (sep >= 0) out += body.slice(sep + 2);
    else if (current === undefined) unset.push({ name, index: at });
    i = close + 1;
  }
  return { value: out, reads, unset, syntax };
}

/** Interpolates every string value (not keys) of a parsed policy. */
export function interpolateValue(value: unknown, env: NodeJS.ProcessEnv): InterpolationResult {
  const result: InterpolationResult = { value: undefined, reads: [], problems: [] };
  const walk = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') {
      const r = interpolateString(v, env);
      for (const name of r.reads) result.reads.push({ path, name });
      for (const u of r.unset) result.problems.push({ path, kind: 'unset', name: u.name, index: u.index });
      for (const s of r.syntax) result.problems.push({ path, kind: 'syntax', name: s.text, index: s.index });
      return r.value;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...path, k]);
      return out;
    }
    return v;
  };
  result.value = walk(value, []);
  return result;
}
