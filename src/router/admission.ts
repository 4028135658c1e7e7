// Budget admission for the router: before a candidate's first call, reserve its worst case
// (the estimated prompt and every token it may write, at its price); before each retry, count
// the call against the rate limits; when the candidate is done, settle what it may be billed.

import { McpRouteError } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Candidate, RouteDecision } from '../routing/types.js';
import type { Usage } from '../providers/types.js';
import type { BudgetGate, Reservation, ReserveResult } from '../budgets/types.js';
import { validUsage } from '../providers/valid-usage.js';
import type { PromptCorrections } from '../routing/estimate.js';
import { costUsd, worstCase, worstUsage } from '../routing/cost.js';
import type { Admission, CallOutcome } from '../execution/execute.js';

/** How long a budget reservation outlives its request's deadline before a dead process's hold lapses. */
const LEASE_MARGIN_MS = 60_000;

function budgetError(refusal: Extract<ReserveResult, { ok: false }>): McpRouteError {
  return new McpRouteError('BUDGET_EXCEEDED', `mcp-route: ${refusal.message}`, {
    reason: refusal.message,
    budget: refusal.budget,
    ...(refusal.resetsAt !== undefined ? { resetsAt: new Date(refusal.resetsAt).toISOString() } : {}),
  });
}

export interface AdmitterContext {
  policy: Policy;
  gate: BudgetGate;
  /** What settlements taught about prompt sizes: raised by every answer that reports usage. */
  corrections: PromptCorrections;
  decision: RouteDecision;
  serverName: string | undefined;
}

/** The `admit` hook execution calls per candidate, reserving through the budget gate. */
export function budgetAdmitter(ctx: AdmitterContext) {
  const { policy, gate } = ctx;
  // A reservation must outlive the request it guards (a rule may set a longer deadline than
  // the defaults), yet expire if this process dies holding it.
  const leaseMs = ctx.decision.settings.deadline + LEASE_MARGIN_MS;
  return async (candidate: Candidate, signal: AbortSignal): Promise<Admission> => {
    const model = policy.models[candidate.model];
    // decide() estimated the prompt for this model (its tokenizer, the learned correction) and
    // set the most it may write.
    const { tokens, usd } = worstCase(model, candidate);
    const worst = worstUsage(candidate);
    const subject = { server: ctx.serverName, provider: candidate.provider, model: candidate.model };
    const unpriced = !model?.cost;
    const reserved = await gate.reserve({ ...subject, tokens, usd, unpriced, signal, leaseMs });
    if (!reserved.ok) {
      if (reserved.onExceed === 'fallback') return { skip: reserved.message };
      throw budgetError(reserved);
    }
    const first = reserved.reservation;
    const retries: Reservation[] = [];
    return {
      retry: async () => {
        const more = await gate.reserve({ ...subject, tokens, usd: 0, rateOnly: true, signal, leaseMs });
        if (!more.ok) return more.message;
        retries.push(more.reservation);
        return undefined;
      },
      done: async ({ calls }) => {
        const { billed, rateTokens } = billing(calls, { candidate, tokens, worst, price: model, corrections: ctx.corrections });
        const sent = (i: number): boolean => calls[i] !== undefined && calls[i]!.kind !== 'unsent';
        await Promise.all([
          sent(0) ? first.settle({ ...billed, rateTokens: rateTokens[0]! }) : first.release(),
          ...retries.map((r, i) => (sent(i + 1) ? r.settle({ tokens: 0, usd: 0, rateTokens: rateTokens[i + 1]! }) : r.release())),
        ]);
      },
    };
  };
}

/**
 * Spend (usd, tokens) is what the provider may bill: real usage for an answer, the worst case
 * for a call whose fate is unknown, nothing for a definitive refusal. Rate limits (rpm, tpm)
 * count every call that was made: `rateTokens` has one entry per call.
 */
function billing(
  calls: CallOutcome[],
  o: { candidate: Candidate; tokens: number; worst: Usage; price: Parameters<typeof costUsd>[0] | undefined; corrections: PromptCorrections },
): { billed: { tokens: number; usd: number }; rateTokens: number[] } {
  let billed = { tokens: 0, usd: 0 };
  const rateTokens = calls.map((call) => {
    const reported = call.kind === 'answered' ? validUsage(call.usage) : undefined;
    if (reported) o.corrections.observe(o.candidate.model, o.candidate.prompt.estimated, reported.inputTokens);
    const used = call.kind === 'answered' ? (reported ?? o.worst) : call.kind === 'unknown' ? o.worst : undefined;
    if (used) billed = { tokens: billed.tokens + used.inputTokens + used.outputTokens, usd: billed.usd + (o.price ? costUsd(o.price, used) : 0) };
    return call.kind === 'answered' ? used!.inputTokens + used!.outputTokens : o.tokens;
  });
  return { billed, rateTokens };
}
