// Habits carried over from other tools that a policy accepts but that break at run time:
// shell `$VAR` and LiteLLM `os.environ/VAR` (sent literally as the key), an `apiKey` that is a
// variable's name, and plain numbers meant as seconds (`timeout: 30` is 30 ms). Runs on the
// text as written, before ${VAR} interpolation, so it sees what the author typed.

import type { Diagnostic } from './diagnostics.js';
import type { PathSegment } from './interpolate.js';
import type { SourceMap } from './source-map.js';
import { CONVENTIONAL_KEY_ENV } from './defaults.js';
import { entries, isObj, list, type Obj } from './util.js';

const SHELL_VAR = /(?<![$\w])\$([A-Za-z_][A-Za-z0-9_]*)(?![{\w])/;
const LITELLM_VAR = /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/;
// OPENAI_API_KEY, MY_KEY: upper case with an underscore. Real keys are mixed case or start `sk-`.
const VARIABLE_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/** Provider fields read as strings (and so as credentials or addresses). */
const PROVIDER_STRINGS = ['apiKey', 'baseURL', 'organization'] as const;
/** Duration keys where a plain number under 1000 is almost always meant as seconds. */
const SETTINGS_DURATIONS = ['timeout', 'deadline', 'cooldown'] as const;
const RETRY_DURATIONS = ['initialDelay', 'maxDelay'] as const;
/** Below this, a unit-less duration is ambiguous: nobody means a 30 ms model timeout. */
export const UNITLESS_DURATION_LIMIT = 1000;

export function checkForeignHabits(raw: unknown, map: SourceMap, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isObj(raw)) return out;
  const warn = (code: string, message: string, path: PathSegment[], hint: string) => out.push({ severity: 'warning', code, message, hint, path: file, ...map.value(path) });

  for (const [name, p] of entries(raw['providers'])) {
    if (!isObj(p)) continue;
    const strings: Array<[PathSegment[], unknown]> = PROVIDER_STRINGS.map((k) => [['providers', name, k], p[k]]);
    for (const [h, v] of entries(p['headers'])) strings.push([['providers', name, 'headers', h], v]);
    for (const [path, value] of strings) {
      if (typeof value !== 'string') continue;
      const field = path.slice(2).join('.');
      const litellm = LITELLM_VAR.exec(value);
      const shell = SHELL_VAR.exec(value);
      if (litellm) {
        warn(
          'env-foreign-syntax',
          `\`${field}\` of provider \`${name}\` is sent literally as "os.environ/${litellm[1]}": that is LiteLLM's syntax, mcp-route reads the environment with \${VAR}`,
          path,
          `write \`${field}: "\${${litellm[1]}}"\``,
        );
      } else if (shell) {
        warn(
          'env-foreign-syntax',
          `\`${field}\` of provider \`${name}\` is sent literally with "$${shell[1]}" in it: mcp-route reads the environment only with \${VAR}`,
          path,
          `write \`${field}: "${value.replace(new RegExp(SHELL_VAR, 'g'), '${$1}')}"\``,
        );
      } else if (path[2] === 'apiKey' && VARIABLE_NAME.test(value)) {
        const conventional = CONVENTIONAL_KEY_ENV[String(p['type'])];
        warn(
          'api-key-is-variable-name',
          `\`apiKey\` of provider \`${name}\` is the text "${value}", which looks like the name of an environment variable, not a key`,
          path,
          `write \`apiKey: "\${${value}}"\` to read that variable${conventional === value ? `, or leave \`apiKey\` out: ${conventional} is read by default` : ''}`,
        );
      }
    }
    checkDuration(warn, ['providers', name, 'timeout'], p['timeout']);
  }

  const settings = (base: PathSegment[], s: Obj) => {
    for (const k of SETTINGS_DURATIONS) checkDuration(warn, [...base, k], s[k]);
    if (isObj(s['retry'])) for (const k of RETRY_DURATIONS) checkDuration(warn, [...base, 'retry', k], s['retry'][k]);
  };
  if (isObj(raw['defaults'])) settings(['defaults'], raw['defaults']);
  list(raw['rules']).forEach((r, i) => {
    if (isObj(r)) settings(['rules', i], r);
  });
  list(raw['budgets']).forEach((b, i) => {
    if (isObj(b)) checkDuration(warn, ['budgets', i, 'maxWait'], b['maxWait']);
  });
  return out;
}

function checkDuration(warn: (code: string, message: string, path: PathSegment[], hint: string) => void, path: PathSegment[], value: unknown): void {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
  if (n === undefined || n <= 0 || n >= UNITLESS_DURATION_LIMIT) return;
  const where = path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
  warn(
    'duration-without-unit',
    `\`${where}: ${String(value).trim()}\` is ${n} milliseconds; a duration under ${UNITLESS_DURATION_LIMIT} needs a unit to say what it means`,
    path,
    `add the unit: \`${n}s\` for seconds, \`${n}ms\` to keep milliseconds`,
  );
}
