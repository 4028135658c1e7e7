// Reading a policy file, with the one wording every entry point (run, lint, the library) uses
// when it cannot be read.

import { readFileSync } from 'node:fs';
import type { Diagnostic } from './diagnostics.js';

export type PolicyText = { ok: true; text: string } | { ok: false; reason: string; diagnostic: Diagnostic };

/** The file's text, or why it cannot be read (`no such file`, `is a directory`, the system's message). */
export function readPolicyText(path: string): PolicyText {
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    return { ok: false, reason, diagnostic: { severity: 'error', code: 'file-unreadable', message: `cannot read policy: ${reason}`, path, line: 0, column: 0 } };
  }
}
