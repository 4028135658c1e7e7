// `mcp-route usage`: requests, outcomes, tokens and USD from the audit log, grouped by server,
// model, provider, rule or day. The log is read as a stream, one line at a time, so a
// gigabyte of audit costs bounded memory; a line that is not JSON (a torn last line of a
// process killed mid-write) is skipped and counted, never fatal.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export const USAGE_GROUPS = ['server', 'model', 'provider', 'rule', 'day', 'via'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** The outcome classes a report counts; every audit outcome falls in exactly one. */
export const OUTCOME_CLASSES = ['ok', 'refused', 'budget', 'failed', 'dryRun'] as const;
type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

export interface UsageRow {
  key: string;
  requests: number;
  ok: number;
  refused: number;
  budget: number;
  failed: number;
  /** `run --dry-run` decisions: audited, never sent to a provider. */
  dryRun: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

export interface UsageReport {
  by: UsageGroup;
  since?: string;
  until?: string;
  rows: UsageRow[];
  total: UsageRow;
  /** Lines that were not audit records (torn writes, foreign text). */
  skippedLines: number;
}

export interface UsageQuery {
  by: UsageGroup;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
}

interface AuditRecord {
  time?: unknown;
  server?: unknown;
  model?: unknown;
  provider?: unknown;
  rule?: unknown;
  via?: unknown;
  outcome?: unknown;
  usage?: { inputTokens?: unknown; outputTokens?: unknown };
  costUsd?: unknown;
}

function classify(outcome: unknown): OutcomeClass {
  if (outcome === 'ok') return 'ok';
  if (outcome === 'denied') return 'refused';
  if (outcome === 'budget') return 'budget';
  if (outcome === 'dry-run') return 'dryRun';
  return 'failed';
}

function emptyRow(key: string): UsageRow {
  return { key, requests: 0, ok: 0, refused: 0, budget: 0, failed: 0, dryRun: 0, inputTokens: 0, outputTokens: 0, usd: 0 };
}

/** Counts only what an honest record can carry: non-negative finite numbers. */
function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

function groupKey(record: AuditRecord, by: UsageGroup, time: number): string {
  if (by === 'day') return new Date(time).toISOString().slice(0, 10);
  if (by === 'model') return typeof record.model === 'string' && typeof record.provider === 'string' ? `${record.provider}/${record.model}` : '(none)';
  if (by === 'via') return typeof record.via === 'string' ? record.via : 'sampling';
  const value = record[by];
  return typeof value === 'string' && value !== '' ? value : '(none)';
}

function add(row: UsageRow, record: AuditRecord): void {
  row.requests++;
  row[classify(record.outcome)]++;
  row.inputTokens += count(record.usage?.inputTokens);
  row.outputTokens += count(record.usage?.outputTokens);
  row.usd += count(record.costUsd);
}

/** Folds audit lines into a report; `lines` may be any async source (a file, a test's array). */
export async function summariseAudit(lines: AsyncIterable<string> | Iterable<string>, query: UsageQuery): Promise<UsageReport> {
  const rows = new Map<string, UsageRow>();
  const total = emptyRow('total');
  let skippedLines = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let record: AuditRecord | null;
    try {
      record = JSON.parse(line) as AuditRecord | null;
    } catch {
      skippedLines++;
      continue;
    }
    const time = record && typeof record === 'object' && typeof record.time === 'string' ? Date.parse(record.time) : NaN;
    if (!record || Number.isNaN(time)) {
      skippedLines++;
      continue;
    }
    if ((query.since !== undefined && time < query.since) || (query.until !== undefined && time >= query.until)) continue;
    const key = groupKey(record, query.by, time);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = emptyRow(key)));
    add(row, record);
    add(total, record);
  }
  const sorted = [...rows.values()].sort((a, b) => (query.by === 'day' ? a.key.localeCompare(b.key) : b.usd - a.usd || b.requests - a.requests || a.key.localeCompare(b.key)));
  return {
    by: query.by,
    ...(query.since !== undefined ? { since: new Date(query.since).toISOString() } : {}),
    ...(query.until !== undefined ? { until: new Date(query.until).toISOString() } : {}),
    rows: sorted,
    total,
    skippedLines,
  };
}

export function readAuditLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `24h`, `7d`, `30m`, `2w` (before now), or a date / ISO time. Throws with the accepted forms. */
export function parseSince(text: string, now: number): number {
  const rel = RELATIVE.exec(text.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new Error(`"${text}" is not a time: use 30m, 24h, 7d, 2w, a date (2026-11-01) or an ISO time`);
  return at;
}

export function formatUsageTable(report: UsageReport): string {
  const header = [report.by, 'requests', 'ok', 'refused', 'budget', 'failed', 'dry run', 'input tok', 'output tok', 'USD'];
  const cells = (r: UsageRow) => [
    r.key,
    String(r.requests),
    String(r.ok),
    String(r.refused),
    String(r.budget),
    String(r.failed),
    String(r.dryRun),
    String(r.inputTokens),
    String(r.outputTokens),
    r.usd.toFixed(4),
  ];
  const table = [header, ...report.rows.map(cells), cells(report.total)];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), ...report.rows.map((r) => line(cells(r))), widths.map((w) => '-'.repeat(w)).join('  '), line(cells(report.total))];
  if (report.skippedLines) out.push(`(${report.skippedLines} line(s) skipped: not audit records, e.g. a torn last line)`);
  return `${out.join('\n')}\n`;
}
