// `run --url`'s `--header 'Name: value'` and `--header-file F`: values expand ${VAR} from
// mcp-route's own environment (host configs run no shell, so a token cannot be written there
// as `$TOKEN`), and every expanded value becomes a secret the redactor removes from logs,
// errors and audit lines. Errors name the header and the variable, never the value.

import { readFileSync } from 'node:fs';
import { interpolateString } from '../policy/interpolate.js';

/** RFC 9110 token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the transport itself; a value from the command line would break the session. */
const RESERVED = new Set(['mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'content-type', 'content-length', 'accept', 'host']);

export interface RemoteHeaders {
  headers: Record<string, string>;
  /** Values to redact: each expanded value, and an Authorization credential after its scheme ("Bearer abc" -> "abc"). */
  secrets: string[];
}

/** Parses and expands the headers of `--header` flags and an optional `--header-file` (one per line, `#` comments). */
export function loadRemoteHeaders(flags: readonly string[], file: string | undefined, env: NodeJS.ProcessEnv): RemoteHeaders {
  const lines: Array<{ text: string; where: string }> = [];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read --header-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() && !line.trimStart().startsWith('#')) lines.push({ text: line, where: `${file}:${i + 1}` });
    });
  }
  for (const flag of flags) lines.push({ text: flag, where: '--header' });
  const out: RemoteHeaders = { headers: {}, secrets: [] };
  for (const line of lines) addHeader(out, line.text, line.where, env);
  return out;
}

function addHeader(out: RemoteHeaders, text: string, where: string, env: NodeJS.ProcessEnv): void {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!HEADER_NAME.test(name)) throw new Error(`${where} expects 'Name: value' with a header name before the colon`);
  if (RESERVED.has(name.toLowerCase())) throw new Error(`${where}: ${name} is set by the Streamable HTTP transport itself and cannot be given`);
  const raw = text.slice(colon + 1).trim();
  const { value, unset, syntax } = interpolateString(raw, env);
  if (syntax.length) throw new Error(`${where}: the value of ${name} has a malformed variable reference (write \${NAME}, or $\${ for a literal \${)`);
  if (unset.length) throw new Error(`${where}: the value of ${name} reads \${${unset[0]!.name}}, which is not set in mcp-route's environment`);
  // Header values cannot hold line breaks or other control characters; fetch would refuse them later, less clearly.
  if (/[\0-\x08\x0a-\x1f\x7f]/.test(value)) throw new Error(`${where}: the value of ${name} holds a control character (a line break from the environment?)`);
  out.headers[name] = value;
  out.secrets.push(value);
  const scheme = /authorization$/i.test(name) ? /^[A-Za-z][A-Za-z0-9_-]*\s+(\S.*)$/.exec(value) : null;
  if (scheme) out.secrets.push(scheme[1]!);
}
