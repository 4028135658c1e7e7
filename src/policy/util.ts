// Small guards for walking a parsed policy that may not match the schema yet: the semantic
// checks run even when the schema found errors, so they must not trust any shape.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function entries(v: unknown): Array<[string, unknown]> {
  return isObj(v) ? Object.entries(v) : [];
}
