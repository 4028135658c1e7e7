// `mcp-route lint` as a library: diagnostics for policy text or files, with no printing and no
// exit codes, so the CLI stays thin and editors or CI scripts can call the same checks.

import { readFile } from 'node:fs/promises';
import type { Diagnostic } from './diagnostics.js';
import { parsePolicy } from './load.js';

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

export function lintText(text: string, path: string, options: LintOptions = {}): Diagnostic[] {
  const { diagnostics } = parsePolicy(text, path, options.env ?? process.env);
  return options.strict ? diagnostics.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' as const } : d)) : diagnostics;
}

export async function lintFiles(paths: readonly string[], options: LintOptions = {}): Promise<LintResult> {
  const result: LintResult = { files: [], errorCount: 0, warningCount: 0 };
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
      result.files.push({ path, diagnostics: [{ severity: 'error', code: 'file-unreadable', message: `cannot read policy: ${reason}`, path, line: 0, column: 0 }] });
      result.errorCount++;
      continue;
    }
    const diagnostics = lintText(text, path, options);
    for (const d of diagnostics) d.severity === 'error' ? result.errorCount++ : result.warningCount++;
    result.files.push({ path, diagnostics, text });
  }
  return result;
}
