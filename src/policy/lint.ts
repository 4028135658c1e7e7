// `mcp-route lint` as a library: diagnostics for policy text or files, with no printing and no
// exit codes, so the CLI stays thin and editors or CI scripts can call the same checks.

import type { Diagnostic } from './diagnostics.js';
import { parsePolicy, parsePolicyObject } from './load.js';
import { readPolicyText } from './read-policy.js';

export interface LintOptions {
  /** Environment for ${VAR} (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Warnings become errors. */
  strict?: boolean;
}

export interface LintResult {
  files: Array<{ path: string; diagnostics: Diagnostic[]; text?: string }>;
  errorCount: number;
  warningCount: number;
}

/** Warnings become errors under `strict` (`mcp-route lint --strict`, `lintPolicy(..., {strict})`). */
function withStrict(diagnostics: Diagnostic[], options: LintOptions): Diagnostic[] {
  return options.strict ? diagnostics.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' as const } : d)) : diagnostics;
}

export function lintText(text: string, path: string, options: LintOptions = {}): Diagnostic[] {
  return withStrict(parsePolicy(text, path, options.env ?? process.env).diagnostics, options);
}

/** A policy written as an object: the same checks as a file, without positions. */
export function lintDocument(document: unknown, path: string, options: LintOptions = {}): Diagnostic[] {
  return withStrict(parsePolicyObject(document, path, options.env ?? process.env).diagnostics, options);
}

/** A policy file: its diagnostics and its text (for code frames), or the one unreadable-file diagnostic. */
export function lintFile(path: string, options: LintOptions = {}): { diagnostics: Diagnostic[]; text?: string } {
  const read = readPolicyText(path);
  if (!read.ok) return { diagnostics: [read.diagnostic] };
  return { diagnostics: lintText(read.text, path, options), text: read.text };
}

export async function lintFiles(paths: readonly string[], options: LintOptions = {}): Promise<LintResult> {
  const result: LintResult = { files: [], errorCount: 0, warningCount: 0 };
  for (const path of paths) {
    const file = lintFile(path, options);
    for (const d of file.diagnostics) d.severity === 'error' ? result.errorCount++ : result.warningCount++;
    result.files.push({ path, ...file });
  }
  return result;
}
