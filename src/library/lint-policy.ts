// `mcp-route lint` for library callers: diagnostics, never an exception for a bad policy, so
// an editor plugin or a CI script can show every problem at once with file:line:col.

import { readFileSync } from 'node:fs';
import { PolicyError } from '../errors.js';
import type { Diagnostic } from '../policy/diagnostics.js';
import { lintText } from '../policy/lint.js';
import { normalisePolicy } from '../policy/load.js';
import type { PolicyDocument } from './policy-input.js';

export interface LintPolicyOptions {
  /** Environment for `${VAR}` interpolation. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Report warnings as errors (like `mcp-route lint --strict`). */
  strict?: boolean;
}

/**
 * What to lint: a file path; `{ text, path? }` for YAML already in memory (path labels the
 * diagnostics); or `{ document, path? }` for a policy written as an object (no positions).
 */
export type LintInput = string | { text: string; path?: string } | { document: PolicyDocument | Record<string, unknown>; path?: string };

/**
 * Checks a policy and returns its diagnostics, sorted by position: errors and warnings, each
 * with `path`, `line`, `column` (1-based; 0 when unknown), a stable `code` and often a `hint`.
 * An empty array means the policy is clean. Format them with `formatDiagnostics`.
 */
export function lintPolicy(input: LintInput, options: LintPolicyOptions = {}): Diagnostic[] {
  const env = options.env ?? process.env;
  if (typeof input === 'string') {
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
      return [{ severity: 'error', code: 'file-unreadable', message: `cannot read policy: ${reason}`, path: input, line: 0, column: 0 }];
    }
    return lintText(text, input, { env, ...(options.strict ? { strict: true } : {}) });
  }
  if ('text' in input) return lintText(input.text, input.path ?? '<text>', { env, ...(options.strict ? { strict: true } : {}) });
  // Objects go through the same checks as files; only errors stop normalisation, and the
  // loader reports those through PolicyError, so that is where they are collected.
  try {
    normalisePolicy(input.document, input.path ?? '<inline policy>', env);
    return [];
  } catch (err) {
    if (err instanceof PolicyError) return err.diagnostics.map((d) => ({ ...d }));
    throw err;
  }
}
