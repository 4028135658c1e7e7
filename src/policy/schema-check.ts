// Validates a parsed policy against schemas/policy.schema.json (the single source of truth
// for the format) and turns ajv's errors into diagnostics at the offending node: unknown keys
// point at the key with a "did you mean", wrong values at the value, and the per-branch noise
// of anyOf collapses into one sentence.

import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { closest, type Diagnostic } from './diagnostics.js';
import type { PathSegment } from './interpolate.js';
import type { SourceMap } from './source-map.js';
// Precompiled from the schema (see scripts/generate-validator.ts): compiling at start-up would cost
// most of lint's time budget. A test fails when it is stale.
import { validate as generatedValidate } from './schema-validator.generated.js';
import { isCustomProviderType } from './custom-provider-types.js';

const require = createRequire(import.meta.url);

interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

let schemaJson: Record<string, unknown> | undefined;

/** The policy JSON Schema, as shipped (`mcp-route/schema`). */
export function policySchema(): Record<string, unknown> {
  schemaJson ??= require('../../schemas/policy.schema.json') as Record<string, unknown>;
  return schemaJson;
}

function validator(): ValidateFunction {
  return generatedValidate as ValidateFunction;
}

export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `rules[0].when.server` — how messages name a place in the policy. */
export function describePath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number' || /^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function article(type: string): string {
  const t = type === 'array' ? 'list' : type === 'object' ? 'mapping' : type;
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v);
  return s !== undefined && s.length <= 40 ? s : typeof v;
}

function describeKind(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

function xMessage(e: ErrorObject): string | undefined {
  const ps = e.parentSchema as Record<string, unknown> | undefined;
  return typeof ps?.['x-message'] === 'string' ? (ps['x-message'] as string) : undefined;
}

interface Pending {
  path: PathSegment[];
  errors: ErrorObject[];
}

/** Schema diagnostics for a parsed (and interpolated) policy value. */
export function checkSchema(value: unknown, map: SourceMap, file: string): Diagnostic[] {
  const validate = validator();
  if (validate(value)) return [];
  // A provider type registered from code is valid even though the schema's enum lacks it.
  const errors = (validate.errors ?? []).filter((e) => !(e.keyword === 'enum' && /^\/providers\/[^/]+\/type$/.test(e.instancePath) && isCustomProviderType(e.data)));
  if (errors.length === 0) return [];
  // Collapse anyOf/oneOf: their branch errors come right before them, all under their path.
  const groups: Pending[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const branch: ErrorObject[] = [];
      while (groups.length > 0) {
        const last = groups[groups.length - 1]!;
        const lp = last.errors[0]!.instancePath;
        if (lp === e.instancePath || lp.startsWith(`${e.instancePath}/`)) {
          branch.unshift(...last.errors);
          groups.pop();
        } else break;
      }
      groups.push({ path: pointerToPath(e.instancePath), errors: [e, ...branch] });
    } else groups.push({ path: pointerToPath(e.instancePath), errors: [e] });
  }
  const out: Diagnostic[] = [];
  for (const g of groups) out.push(...toDiagnostics(g, map, file));
  // The same node can fail twice (e.g. two branches both saying "unknown key"); report once.
  const seen = new Set<string>();
  return out.filter((d) => {
    const k = `${d.line}:${d.column}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toDiagnostics(g: Pending, map: SourceMap, file: string): Diagnostic[] {
  const head = g.errors[0]!;
  if (head.keyword !== 'anyOf' && head.keyword !== 'oneOf') return [single(head, map, file)];
  const branches = g.errors.slice(1);
  // A branch whose type matched the value failed for a more specific reason: report that.
  const specific = branches.filter((e) => !(e.keyword === 'type' && e.instancePath === head.instancePath));
  const where = describePath(g.path);
  const custom = xMessage(head);
  if (custom) {
    const deeper = specific.filter((e) => e.instancePath !== head.instancePath || e.keyword === 'additionalProperties' || e.keyword === 'required');
    if (deeper.length > 0) return deeper.map((e) => single(e, map, file));
    const p = map.value(g.path);
    const enumErr = specific.find((e) => e.keyword === 'enum');
    const hint = enumErr && typeof enumErr.data === 'string' ? didYouMean(enumErr.data, (enumErr.params as { allowedValues: unknown[] }).allowedValues.map(String)) : undefined;
    return [{ severity: 'error', code: 'invalid-value', message: `\`${where}\` ${custom} (got ${shown(head.data)})`, path: file, ...p, ...(hint ? { hint } : {}) }];
  }
  if (specific.length > 0) return specific.map((e) => single(e, map, file));
  const types = [...new Set(branches.map((e) => (e.params as { type: string }).type))];
  const p = map.value(g.path);
  return [{ severity: 'error', code: 'invalid-type', message: `\`${where}\` must be ${types.map(article).join(' or ')}`, path: file, ...p }];
}

function didYouMean(word: string, options: readonly string[]): string | undefined {
  const c = closest(word, options);
  return c !== undefined ? `did you mean \`${c}\`?` : undefined;
}

/** An unknown key (with the closest known one) or a missing required key, at the key. */
function missingOrUnknownKey(e: ErrorObject, path: PathSegment[], where: string, map: SourceMap, base: { severity: 'error'; path: string }): Diagnostic {
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const p = path.length === 0 ? { line: 1, column: 1 } : map.key(path);
    return {
      ...base,
      code: 'missing-key',
      message: where === '' ? `missing required top-level key \`${missing}\`` : `\`${where}\` is missing required key \`${missing}\``,
      ...p,
      ...(missing === 'version' && path.length === 0 ? { hint: 'add `version: 1` as the first line' } : {}),
    };
  }
  const key = (e.params as { additionalProperty: string }).additionalProperty;
  const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
  const guess = closest(key, known);
  const hint = guess ? `did you mean \`${guess}\`?` : known.length > 0 ? `valid keys here: ${known.join(', ')}` : undefined;
  return {
    ...base,
    code: 'unknown-key',
    message: where === '' ? `unknown top-level key \`${key}\`` : `unknown key \`${key}\` in \`${where}\``,
    ...map.key([...path, key]),
    ...(hint ? { hint } : {}),
  };
}

function single(e: ErrorObject, map: SourceMap, file: string): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const where = describePath(path);
  const base = { severity: 'error' as const, path: file };
  const custom = xMessage(e);
  switch (e.keyword) {
    case 'additionalProperties':
    case 'required':
      return missingOrUnknownKey(e, path, where, map, base);
    case 'type': {
      const t = (e.params as { type: string }).type;
      if (where === '') {
        return {
          ...base,
          code: 'invalid-type',
          message: `the policy must be a mapping of top-level keys (version, providers, models, ...), not ${describeKind(e.data)}`,
          hint: 'start with `version: 1` and a `providers:` section (see policies/demo.yaml)',
          ...map.value(path),
          length: 1,
        };
      }
      return { ...base, code: 'invalid-type', message: `\`${where}\` must be ${t.split(',').map(article).join(' or ')} (got ${shown(e.data)})`, ...map.value(path) };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined;
      return { ...base, code: 'invalid-value', message: `\`${where}\` must be one of ${allowed.join(', ')} (got ${shown(e.data)})`, ...map.value(path), ...(hint ? { hint } : {}) };
    }
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      return { ...base, code: 'invalid-value', message: `\`${where}\` must be ${JSON.stringify(allowed)} (got ${shown(e.data)})`, ...map.value(path) };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return { ...base, code: 'invalid-value', message: `\`${where}\` must be ${comparison} ${limit} (got ${shown(e.data)})`, ...map.value(path) };
    }
    case 'minItems':
      return { ...base, code: 'invalid-value', message: `\`${where}\` must not be an empty list`, ...map.value(path) };
    case 'minProperties':
      return { ...base, code: 'invalid-value', message: `\`${where}\` must not be empty`, ...map.value(path) };
    case 'minLength':
      return { ...base, code: 'invalid-value', message: `\`${where}\` must not be an empty string`, ...map.value(path) };
    case 'uniqueItems':
      return { ...base, code: 'invalid-value', message: `\`${where}\` must not list the same item twice`, ...map.value(path) };
    case 'pattern':
      return { ...base, code: 'invalid-value', message: `\`${where}\` ${custom ?? `must match ${(e.params as { pattern: string }).pattern}`} (got ${shown(e.data)})`, ...map.value(path) };
    case 'propertyNames':
      return {
        ...base,
        code: 'invalid-value',
        message: `\`${where}\` has an invalid name \`${(e.params as { propertyName: string }).propertyName}\`: use letters, digits, _ . -`,
        ...map.key([...path, (e.params as { propertyName: string }).propertyName]),
      };
    default:
      return { ...base, code: 'invalid-value', message: `\`${where || 'policy'}\` ${custom ?? e.message ?? 'is invalid'}`, ...map.value(path) };
  }
}
