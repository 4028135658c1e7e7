// `mcp-route lint` for library callers: diagnostics, never an exception for a bad policy, so
// an editor plugin or a CI script can show every problem at once with file:line:col.

import type { Diagnostic } from '../policy/diagnostics.js';
import { lintDocument, lintFile, lintText } from '../policy/lint.js';
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
  const lint = { env: options.env ?? process.env, ...(options.strict ? { strict: true } : {}) };
  if (typeof input === 'string') return lintFile(input, lint).diagnostics;
  if ('text' in input) return lintText(input.text, input.path ?? '<text>', lint);
  return lintDocument(input.document, input.path ?? '<inline policy>', lint);
}
