// The audit file: one JSON line per sampling request, fed by the router's onOutcome.
// Appended with a synchronous write so a line is on disk before the answer goes out and
// nothing is lost when the process exits; created 0600 because it names servers, models
// and spend. Prompts and completions only with audit.content; every line is redacted.

import { closeSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SamplingOutcome } from '../execution/types.js';

export interface AuditLog {
  readonly path: string;
  write(outcome: SamplingOutcome): void;
  close(): void;
}

export interface AuditLogOptions {
  /** Keep `request` and `result` (prompt and completion text). Default false. */
  content: boolean;
  redact: (text: string) => string;
  /** Called when a write fails (disk full...); auditing must not take the proxy down. */
  onError?: (err: Error) => void;
}

/** The line written for one outcome (exported for tests and for embedders writing elsewhere). */
export function auditLine(outcome: SamplingOutcome, options: Pick<AuditLogOptions, 'content' | 'redact'>): string {
  const { request, result, ...rest } = outcome;
  const record: Record<string, unknown> = { ...rest };
  if (options.content) {
    if (request !== undefined) record.request = request;
    if (result !== undefined) record.result = result;
  }
  return options.redact(JSON.stringify(record)) + '\n';
}

export function openAuditLog(path: string, options: AuditLogOptions): AuditLog {
  // 'a' with mode 0600: the mode applies when the file is created; an existing file is
  // tightened too, since an audit file readable by others leaks who spent what.
  // Like the budget store's file, the audit file's folder is created on first use (0700:
  // nobody else needs to list it).
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
  } catch {
    // Not our file (e.g. shared log owned by another user): keep going with its mode.
  }
  let closed = false;
  return {
    path,
    write(outcome) {
      if (closed) return;
      try {
        writeSync(fd, auditLine(outcome, options));
      } catch (err) {
        options.onError?.(err as Error);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
