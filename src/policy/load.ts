// The policy loader: YAML text (or a plain object from library code) in, a typed Policy or
// positioned diagnostics out. One pipeline for both: interpolate ${VAR}, validate against the
// schema, run the semantic checks, then normalise — so `lint`, `run` and the library agree.
// Discovery (which file applies when none is named) builds on this, in discover.ts.

import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { PolicyError } from '../errors.js';
import { compareDiagnostics, formatDiagnostics, type Diagnostic } from './diagnostics.js';
import { interpolateValue } from './interpolate.js';
import { baseDirFor, normalise } from './normalise.js';
import { checkSchema } from './schema-check.js';
import { checkSemantics } from './semantic.js';
import { checkForeignHabits } from './foreign-habits.js';
import { createSourceMap, NO_SOURCE, type SourceMap } from './source-map.js';
import type { Policy } from './types.js';
import { readPolicyText } from './read-policy.js';

function analyse(value: unknown, map: SourceMap, source: string, env: NodeJS.ProcessEnv): { policy?: Policy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const interpolated = interpolateValue(value, env);
  for (const p of interpolated.problems) {
    const at = map.within(p.path, p.kind === 'unset' ? `\${${p.name}` : p.name);
    if (p.kind === 'unset') {
      diagnostics.push({
        severity: 'warning',
        code: 'env-unset',
        message: `environment variable ${p.name} is not set; \`${p.path.join('.')}\` gets an empty string there`,
        hint: `set ${p.name}, or give a default: \${${p.name}:-value}`,
        path: source,
        ...at,
      });
    } else {
      diagnostics.push({
        severity: 'error',
        code: 'env-syntax',
        message: `malformed interpolation \`${p.name}\`: expected \${NAME} or \${NAME:-default}`,
        hint: 'write $${ for a literal ${',
        path: source,
        ...at,
      });
    }
  }
  diagnostics.push(...checkSchema(interpolated.value, map, source));
  diagnostics.push(...checkSemantics(interpolated.value, map, source));
  diagnostics.push(...checkForeignHabits(value, map, source));
  if (!diagnostics.some((d) => d.severity === 'error')) {
    const n = normalise({ value: interpolated.value, reads: interpolated.reads, source, env, map, baseDir: baseDirFor(source) });
    diagnostics.push(...n.diagnostics);
    diagnostics.sort(compareDiagnostics);
    return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { policy: n.policy, diagnostics };
  }
  diagnostics.sort(compareDiagnostics);
  return { diagnostics };
}

/** Parses policy text. `policy` is present iff there are no error diagnostics (warnings allowed). */
export function parsePolicy(text: string, source: string, env: NodeJS.ProcessEnv = process.env): { policy?: Policy; diagnostics: Diagnostic[] } {
  // A binary file (or a wrong path such as an image) would otherwise parse as one huge plain
  // scalar and be reported as "must be a mapping", with the bytes echoed in the code frame.
  if (text.includes('\u0000')) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'not-text',
          message: 'not a text file (it contains NUL bytes); a policy is YAML or JSON text',
          hint: 'check the path: it should name a .yaml (or .json) policy file',
          path: source,
          line: 0,
          column: 0,
        },
      ],
    };
  }
  const lineCounter = new LineCounter();
  // uniqueKeys is checked below: the yaml package's own check is quadratic in a mapping's size
  // (10,000 models took seconds to parse).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true, merge: true });
  const diagnostics = yamlDiagnostics(doc, lineCounter, text, source);
  if (diagnostics.length > 0) return { diagnostics: diagnostics.sort(compareDiagnostics) };
  let value: unknown;
  try {
    // The alias cap stops "billion laughs" documents from expanding into gigabytes.
    value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    return { diagnostics: [{ severity: 'error', code: 'yaml-syntax', message: `YAML error: ${(err as Error).message}`, path: source, line: 1, column: 1 }] };
  }
  if (value === null || value === undefined) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'empty-policy',
          message: 'the policy is empty',
          hint: 'start with `version: 1` and a `providers:` section (see policies/demo.yaml)',
          path: source,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  return analyse(value, createSourceMap(doc, lineCounter, text), source, env);
}

/** Duplicate keys and the yaml package's own errors, each at its place in the text. */
function yamlDiagnostics(doc: Document, lineCounter: LineCounter, text: string, source: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const at of duplicateKeys(doc)) {
    const lp = lineCounter.linePos(at);
    diagnostics.push({
      severity: 'error',
      code: 'duplicate-key',
      message: 'duplicate key: a key may appear only once in a mapping',
      hint: 'remove or rename one of them',
      path: source,
      line: lp.line,
      column: lp.col,
      length: 1,
    });
  }
  for (const e of doc.errors) {
    const lp = lineCounter.linePos(e.pos[0]);
    const duplicate = e.code === 'DUPLICATE_KEY';
    diagnostics.push({
      severity: 'error',
      code: duplicate ? 'duplicate-key' : 'yaml-syntax',
      message: duplicate ? 'duplicate key: a key may appear only once in a mapping' : `YAML syntax error: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      ...(duplicate
        ? { hint: 'remove or rename one of them' }
        : e.code === 'TAB_AS_INDENT'
          ? { hint: 'YAML indents with spaces only: replace the tabs at the start of the line with spaces' }
          : text.startsWith('${', e.pos[0]) || (text[e.pos[0] - 1] === '$' && text[e.pos[0]] === '{')
            ? { hint: 'inside { } or [ ], a ${VAR} value must be quoted: "${VAR}"' }
            : {}),
      path: source,
      line: lp.line,
      column: lp.col,
      length: Math.max(1, e.pos[1] - e.pos[0]),
    });
  }
  return diagnostics;
}

/** Offsets of every key that repeats an earlier scalar key of the same mapping (same rule as yaml's uniqueKeys). */
function duplicateKeys(doc: Document): number[] {
  const found: number[] = [];
  visit(doc, {
    Map(_, map) {
      if (map.items.length < 2) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) {
          if (key.range) found.push(key.range[0]);
        } else seen.add(key.value);
      }
    },
  });
  return found;
}

function fail(source: string, diagnostics: Diagnostic[], text?: string): never {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  throw new PolicyError(`invalid policy ${source}: ${errors.length} error${errors.length === 1 ? '' : 's'}\n${formatDiagnostics(errors, text)}`, errors);
}

/** Reads and parses a policy file; throws PolicyError with formatted diagnostics when invalid. */
export function loadPolicyFile(path: string, env: NodeJS.ProcessEnv = process.env): Policy {
  const read = readPolicyText(path);
  if (!read.ok) throw new PolicyError(`invalid policy ${path}: cannot read it: ${read.reason}`, [read.diagnostic]);
  const { policy, diagnostics } = parsePolicy(read.text, path, env);
  if (!policy) fail(path, diagnostics, read.text);
  return policy;
}

/** Like parsePolicy for a policy given as a plain object: every diagnostic (without positions), never a throw. */
export function parsePolicyObject(raw: unknown, source = '<inline policy>', env: NodeJS.ProcessEnv = process.env): { policy?: Policy; diagnostics: Diagnostic[] } {
  return analyse(structuredCloneSafe(raw), NO_SOURCE, source, env);
}

/**
 * Validates and normalises a policy given as a plain object (library use): the same schema
 * and semantic checks as a file, without positions. Throws PolicyError when invalid.
 */
export function normalisePolicy(raw: unknown, source = '<inline policy>', env: NodeJS.ProcessEnv = process.env): Policy {
  const { policy, diagnostics } = parsePolicyObject(raw, source, env);
  if (!policy) fail(source, diagnostics);
  return policy;
}

// Library callers may pass objects with functions or class instances; the checks only need data.
function structuredCloneSafe(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return JSON.parse(JSON.stringify(v ?? null)) as unknown;
  }
}
