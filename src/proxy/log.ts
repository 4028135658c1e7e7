// The proxy's logger: levels, one line per event, stderr only (stdout carries protocol
// and nothing else), every line through the redactor so no credential is ever printed, and
// control characters escaped so text the server controls (its name, its error messages)
// cannot start a forged line or drive the terminal.

import { jsonLine } from '../util/json-line.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  enabled(level: LogLevel): boolean;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

export type LogFormat = 'text' | 'json';

export function isLogFormat(value: string): value is LogFormat {
  return value === 'text' || value === 'json';
}

export function createLogger(
  level: LogLevel,
  redact: (text: string) => string = (t) => t,
  write: (line: string) => void = (line) => void process.stderr.write(line),
  format: LogFormat = 'text',
): Logger {
  // JSON lines are for log shippers: one object per line, the message redacted before it is
  // serialised (so escaping cannot split a secret into parts the redactor misses).
  const line =
    format === 'json'
      ? (at: LogLevel, message: string) => jsonLine({ time: new Date().toISOString(), level: at, name: 'mcp-route', msg: redact(message) })
      : (at: LogLevel, message: string) => `mcp-route ${at}: ${escapeControls(redact(message))}\n`;
  const log = (at: LogLevel) => (message: string) => {
    if (RANK[at] <= RANK[level]) write(line(at, message));
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    enabled: (at) => RANK[at] <= RANK[level],
  };
}

// C0 controls (newline, carriage return, ESC...), DEL, C1 controls (CSI is U+009B) and the
// Unicode line and paragraph separators. Tab stays: it cannot end or rewrite a line.
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** One log line's text with every control character written as a visible escape (`\\n`, `\\x1b`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
