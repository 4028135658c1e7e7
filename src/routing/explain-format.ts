// How a Decision is shown to people: the text of `mcp-route explain` (and the proxy's
// --dry-run) and its JSON form. Kept apart from decide() so the hot path builds no tables.

import type { Policy } from '../policy/types.js';
import type { CandidatePrompt, Decision } from './types.js';
import { describeMethod } from './decide.js';
import type { BudgetBlock } from './explain-live.js';

/** What `explain` adds when it judges the request as `run` would (explain-live.ts). */
export interface LiveNotes {
  /** Lines on the host and the budget state, shown before the trace. */
  notes?: string[];
  /** The candidate run would try first is stopped by an exhausted reject/wait budget. */
  refusedBy?: BudgetBlock;
}

export interface DecisionJson {
  rule: string | null;
  action: 'route' | 'deny';
  refusal?: { code: string; message: string };
  candidates: Array<{ provider: string; model: string; providerModel: string; score: number | null; hint: string | null; maxTokens: number | null; prompt: PromptJson | null }>;
  dropped: Array<{ provider: string; model: string; code: string; reason: string }>;
  settings: Decision['settings'];
  trace: Decision['trace'];
}

/** A candidate's prompt estimate: tokens (the learned correction applied), how it was made, context-window headroom. */
export interface PromptJson {
  tokens: number;
  estimated: number;
  method: CandidatePrompt['method'];
  exact: boolean;
  correction: number;
  headroom: number | null;
}

function promptJson(p: CandidatePrompt | undefined): PromptJson | null {
  if (!p) return null;
  return { tokens: p.tokens, estimated: p.estimated, method: p.method, exact: p.exact, correction: p.correction, headroom: p.headroom ?? null };
}

export function decisionToJson(decision: Decision): DecisionJson {
  const out: DecisionJson = {
    rule: decision.rule,
    action: decision.action,
    candidates: decision.candidates.map((c) => ({
      provider: c.provider,
      model: c.model,
      providerModel: c.providerModel,
      score: c.score ?? null,
      hint: c.hint ?? null,
      maxTokens: c.maxTokens ?? null,
      prompt: promptJson(c.prompt),
    })),
    dropped: decision.dropped.map((d) => ({ provider: d.provider, model: d.model, code: d.code, reason: d.reason })),
    settings: decision.settings,
    trace: decision.trace,
  };
  if (decision.action === 'deny') out.refusal = { code: decision.refusal.code, message: decision.refusal.message };
  return out;
}

/** ms as the policy format writes durations: 500ms, 30s, 2m, 1h. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd()}`,
  );
}

/**
 * The explain text: the matched rule, one row per policy model (kept with its place and score,
 * dropped with the reason, or not a candidate under this rule), the effective settings, the trace.
 */
export function formatDecisionText(decision: Decision, policy: Policy, live: LiveNotes = {}): string {
  const lines: string[] = [];
  lines.push(`policy:   ${policy.source}`);
  lines.push(`rule:     ${decision.rule === null ? '(none matched: defaults)' : `"${decision.rule}"`}`);
  if (live.refusedBy) {
    const b = live.refusedBy;
    const how = b.onExceed === 'wait' ? "wait for capacity (up to the budget's maxWait), then refuse" : 'refuse';
    lines.push(`action:   budget: run would ${how} before calling ${b.provider}/${b.model}`);
    lines.push(`message:  ${b.message}`);
  } else if (decision.action === 'route') {
    const first = decision.candidates[0];
    lines.push(`action:   route to ${first.provider}/${first.model}${decision.candidates.length > 1 ? ` (+${decision.candidates.length - 1} fallback)` : ''}`);
  } else {
    lines.push(`action:   deny (${decision.refusal.code})`);
    lines.push(`message:  ${decision.refusal.message}`);
  }

  if (decision.action === 'route' || decision.refusal.code === 'NO_CANDIDATES') {
    const rows: string[][] = [['PLACE', 'MODEL', 'PROVIDER', 'STATUS', 'SCORE', 'REASON']];
    const listed = new Set<string>();
    decision.candidates.forEach((c, i) => {
      listed.add(c.model);
      const why = [c.hint !== undefined ? `hint "${c.hint}"` : '', i === 0 ? 'tried first' : 'fallback'].filter(Boolean).join(', ');
      rows.push([String(i + 1), c.model, c.provider, 'kept', c.score === undefined ? '-' : c.score.toFixed(3), why]);
    });
    for (const d of decision.dropped) {
      listed.add(d.model);
      rows.push(['-', d.model, d.provider || '-', 'dropped', '-', d.reason]);
    }
    const notListed = decision.rule === null ? 'not in defaults.models' : `not in the models of rule "${decision.rule}"`;
    for (const model of Object.values(policy.models)) {
      if (!listed.has(model.id)) rows.push(['-', model.id, model.provider, 'skipped', '-', notListed]);
    }
    lines.push('', 'models:', ...table(rows));
  }

  if (decision.candidates.some((c) => c.prompt)) {
    // Per kept model: what the budgets will reserve for the prompt, and what is left of the
    // context window once the prompt and maxTokens are in.
    const rows: string[][] = [['MODEL', 'PROMPT', 'HEADROOM', 'HOW']];
    for (const c of decision.candidates) {
      if (!c.prompt) continue;
      const window = policy.models[c.model]?.contextWindow;
      const headroom = c.prompt.headroom === undefined || window === undefined ? 'no context window set' : `${c.prompt.headroom} of ${window}`;
      rows.push([c.model, `~${c.prompt.tokens}`, headroom, describeMethod(c.prompt)]);
    }
    lines.push('', 'prompt estimate (tokens; headroom = context window - prompt - maxTokens):', ...table(rows));
  }

  const s = decision.settings;
  const clamp = s.maxTokens < s.requestedMaxTokens ? ` (requested ${s.requestedMaxTokens}, clamped to the policy ceiling)` : '';
  lines.push(
    '',
    'settings:',
    ...table([
      ['maxTokens', `${s.maxTokens}${clamp}`],
      ['tools', s.tools],
      ['hints', s.hints],
      ['timeout', formatDuration(s.timeout)],
      ['deadline', formatDuration(s.deadline)],
      ['retry', `${s.retry.attempts} attempt(s) per model, delay ${formatDuration(s.retry.initialDelay)} up to ${formatDuration(s.retry.maxDelay)}`],
      ['cooldown', formatDuration(s.cooldown)],
    ]),
  );
  if (live.notes?.length) lines.push('', ...live.notes);
  lines.push('', 'trace:', ...decision.trace.map((t) => `  ${t.step.padEnd(10)}  ${t.message}`));
  return `${lines.join('\n')}\n`;
}
