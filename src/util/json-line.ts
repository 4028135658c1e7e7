// One JSON value as one line of a log or audit file. JSON.stringify escapes C0 controls but
// leaves DEL, the C1 controls (CSI is U+009B) and U+2028/9 raw; text a server chose could then
// drive the terminal of whoever tails the file. They are written as \uXXXX: the same JSON value.

const RAW_CONTROLS = /[\u007f-\u009f\u2028\u2029]/g;

/** `value` serialised on one line, newline-terminated, with no raw control characters. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(RAW_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
