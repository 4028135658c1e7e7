// The audit file: one JSON line per sampling request, fed by the router's onOutcome.
// Appended with a synchronous write so a line is on disk before the answer goes out and
// nothing is lost when the process exits; created 0600 because it names servers, models
// and spend. Prompts and completions only with audit.content; every line is redacted.

import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SamplingOutcome } from '../router/types.js';
import { redactValue } from '../redact.js';
import { jsonLine } from '../util/json-line.js';

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

/** Nesting kept in an audit line: server-sent metadata 100k deep must still give a line. */
export const AUDIT_MAX_DEPTH = 32;
/**
 * The most characters of request content a line keeps for a request no provider answered
 * (denied, invalid, over budget, failed): refusing is free for the server, so without a cap
 * 30 denied 10 MB requests write 300 MB. An answered request was paid for and is kept whole.
 */
export const AUDIT_UNANSWERED_CONTENT_CHARS = 4096;

/** The line written for one outcome (exported for tests and for embedders writing elsewhere). */
export function auditLine(outcome: SamplingOutcome, options: Pick<AuditLogOptions, 'content' | 'redact'>): string {
  const { request, result, ...rest } = outcome;
  // Strings are redacted before they are escaped into JSON, never the serialised line, and
  // the bounded depth keeps JSON.stringify from overflowing the stack. Error texts may quote
  // the server, so they are capped like unanswered content.
  const record = redactValue(rest, options.redact, { maxDepth: AUDIT_MAX_DEPTH, maxString: AUDIT_UNANSWERED_CONTENT_CHARS }) as Record<string, unknown>;
  if (options.content) {
    if (request !== undefined) record.request = outcome.outcome === 'ok' ? redactValue(request, options.redact, { maxDepth: AUDIT_MAX_DEPTH }) : unansweredRequest(request, options.redact);
    if (result !== undefined) record.result = redactValue(result, options.redact, { maxDepth: AUDIT_MAX_DEPTH });
  }
  return jsonLine(record);
}

/** The request of an unanswered outcome, whole when small, else its first characters and size. */
function unansweredRequest(request: unknown, redact: (text: string) => string): unknown {
  const characters = (JSON.stringify(redactValue(request, (s) => s, { maxDepth: AUDIT_MAX_DEPTH })) ?? '').length;
  if (characters <= AUDIT_UNANSWERED_CONTENT_CHARS) return redactValue(request, redact, { maxDepth: AUDIT_MAX_DEPTH });
  const capped = JSON.stringify(redactValue(request, redact, { maxDepth: AUDIT_MAX_DEPTH, maxString: AUDIT_UNANSWERED_CONTENT_CHARS })) ?? '';
  return { truncated: true, characters, head: capped.slice(0, AUDIT_UNANSWERED_CONTENT_CHARS) };
}

/**
 * Opens the audit file for appending without trusting what is at the path: a planted symlink
 * is not followed (O_NOFOLLOW), a FIFO does not block start-up (O_NONBLOCK), and only a
 * regular file owned by this user is accepted, before its mode is tightened to 0600.
 */
export function openAuditFile(path: string): number {
  // Like the budget store's file, the folder is created on first use (0700: nobody else
  // needs to list it).
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new Error(`${path} is a symbolic link; mcp-route does not follow links for the audit file: give the real path`);
    if (code === 'ENXIO') throw new Error(`${path} is a FIFO or socket with no reader; the audit file must be a regular file`);
    throw err;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file; the audit file must be one`);
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      throw new Error(`${path} belongs to uid ${stat.uid}, not to this user (${uid}); mcp-route only appends to an audit file it owns`);
    }
    // An audit file readable by others leaks who spent what.
    fchmodSync(fd, 0o600);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

export function openAuditLog(path: string, options: AuditLogOptions): AuditLog {
  const fd = openAuditFile(path);
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
