// The router: one object that turns a server's sampling/createMessage params into an answer
// under a policy. validate -> decide (with usable providers and cooldown) ->
// session caps -> approval -> prepare -> per candidate: reserve budget -> call with retries -> settle -> _meta -> onOutcome.
// The proxy and embedders use only this; everything behind it is replaceable.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError, type Attempt } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Decision, DecideContext, Candidate } from '../routing/types.js';
import type { Provider, ProviderEnvironment, Usage } from '../providers/types.js';
import type { BudgetGate, Reservation, ReserveResult } from '../budgets/types.js';
import { validUsage } from '../providers/valid-usage.js';
import type { Router, RouterOptions, RouteOptions, SamplingOutcome } from './types.js';
import { decide, refusalError } from '../routing/decide.js';
import { parseSamplingRequest } from '../routing/validate-request.js';
import { PromptCorrections, estimatePromptTokens } from '../routing/estimate.js';
import { costUsd, worstCase } from '../routing/cost.js';
import { createProvider, usableProviderNames } from '../providers/registry.js';
import { META_KEY, withUsageMeta } from '../providers/result-meta.js';
import { executeDecision, type Admission } from '../execution/execute.js';
import { prepareRequest } from '../execution/prepare-request.js';
import { Cooldown } from '../execution/cooldown.js';
import { createRedactor } from '../redact.js';
import { createBudgetGate } from '../budgets/gate.js';
import { settleApproval } from '../approval/approval.js';
import { requestFacts, KIND_BITS } from '../routing/request-facts.js';

/** The most one call to `candidate` can use: the estimated prompt and every token it may write. */
function worstUsage(promptTokens: number, candidate: Candidate, request: CreateMessageRequestParams): Usage {
  return { inputTokens: promptTokens, outputTokens: Math.min(candidate.maxTokens ?? request.maxTokens, request.maxTokens) };
}

function budgetError(refusal: Extract<ReserveResult, { ok: false }>): McpRouteError {
  return new McpRouteError('BUDGET_EXCEEDED', `mcp-route: ${refusal.message}`, {
    reason: refusal.message,
    budget: refusal.budget,
    ...(refusal.resetsAt !== undefined ? { resetsAt: new Date(refusal.resetsAt).toISOString() } : {}),
  });
}

/** How long a budget reservation outlives its request's deadline before a dead process's hold lapses. */
const LEASE_MARGIN_MS = 60_000;

export function createRouter(policy: Policy, options: RouterOptions = {}): Router {
  const now = options.now ?? Date.now;
  const redact = createRedactor(policy.secrets ?? []);
  const cooldown = new Cooldown();
  // What settlements taught about each model's prompt size; raises later estimates only.
  const corrections = new PromptCorrections();
  const env: ProviderEnvironment = {
    ...(options.hostSampler ? { hostSampler: options.hostSampler } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  // The one line that picks the budget gate (the default gate is wired by the budgets module).
  // The default gate opens its store lazily (first reserve) and is closed with the router.
  const ownGate = options.budgetGate === undefined && (policy.budgets?.length ?? 0) > 0 ? createBudgetGate(policy) : undefined;
  const gate: BudgetGate | undefined = options.budgetGate ?? ownGate;
  const providers = new Map<string, Provider>();

  const usableProviders = usableProviderNames(policy, { hostSampling: options.hostSampler !== undefined });

  // The same set, had the host declared sampling (see Router.explain's hostSampling).
  const usableWithHost = usableProviderNames(policy, { hostSampling: true });

  const getProvider = (name: string): Provider | undefined => {
    let provider = providers.get(name);
    if (!provider) {
      const config = policy.providers[name];
      if (!config || !usableProviders.has(name)) return undefined;
      provider = createProvider(config, env);
      providers.set(name, provider);
    }
    return provider;
  };

  function decideNow(request: CreateMessageRequestParams, serverName: string | undefined, hostSampling = false): Decision {
    const at = now();
    const context: DecideContext = {
      serverName,
      usableProviders: hostSampling ? usableWithHost : usableProviders,
      cooling: cooldown.snapshot(at),
      now: at,
      promptCorrection: (model) => corrections.factor(model),
    };
    const decision = decide(policy, request, context);
    // When cooldown alone emptied the list, trying a cooling candidate beats refusing outright.
    if (decision.action === 'deny' && decision.refusal?.code === 'NO_CANDIDATES' && decision.dropped.some((d) => d.code === 'cooldown')) {
      return decide(policy, request, { ...context, cooling: undefined });
    }
    return decision;
  }

  function admitter(request: CreateMessageRequestParams, decision: Decision, serverName: string | undefined) {
    if (!gate) return undefined;
    // A reservation must outlive the request it guards (a rule may set a longer deadline than
    // the defaults), yet expire if this process dies holding it.
    const leaseMs = decision.settings.deadline + LEASE_MARGIN_MS;
    return async (candidate: Candidate, signal: AbortSignal): Promise<Admission> => {
      const model = policy.models[candidate.model];
      // decide() estimated the prompt for this model (its tokenizer, the learned correction).
      const promptTokens = candidate.prompt?.tokens ?? estimatePromptTokens(request);
      const { tokens, usd } = worstCase(model, promptTokens, candidate, request.maxTokens);
      const worst = worstUsage(promptTokens, candidate, request);
      const subject = { server: serverName, provider: candidate.provider, model: candidate.model };
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
          // Spend (usd, tokens) is what the provider may bill: real usage for an answer, the
          // worst case for a call whose fate is unknown, nothing for a definitive refusal.
          // Rate limits (rpm, tpm) count every call that was made.
          let billed = { tokens: 0, usd: 0 };
          const rateTokens = calls.map((call) => {
            const reported = call.kind === 'answered' ? validUsage(call.usage) : undefined;
            if (reported && candidate.prompt) corrections.observe(candidate.model, candidate.prompt.estimated, reported.inputTokens);
            const used = call.kind === 'answered' ? (reported ?? worst) : call.kind === 'unknown' ? worst : undefined;
            if (used) billed = { tokens: billed.tokens + used.inputTokens + used.outputTokens, usd: billed.usd + (model ? costUsd(model, used) : 0) };
            return call.kind === 'answered' ? used!.inputTokens + used!.outputTokens : tokens;
          });
          const sent = (i: number): boolean => calls[i] !== undefined && calls[i]!.kind !== 'unsent';
          await Promise.all([
            sent(0) ? first.settle({ ...billed, rateTokens: rateTokens[0]! }) : first.release(),
            ...retries.map((r, i) => (sent(i + 1) ? r.settle({ tokens: 0, usd: 0, rateTokens: rateTokens[i + 1]! }) : r.release())),
          ]);
        },
      };
    };
  }

  /** The request's own approver when it brings one (null: nobody to ask), else the router's. */
  const approverFor = (route: RouteOptions) => (route.approver === undefined ? options.approver : (route.approver ?? undefined));

  async function createMessage(params: unknown, route: RouteOptions = {}): Promise<CreateMessageResult> {
    const started = performance.now();
    const outcome: SamplingOutcome = {
      time: new Date(now()).toISOString(),
      ...(route.serverName !== undefined ? { server: route.serverName } : {}),
      ...(route.requestId !== undefined ? { requestId: route.requestId } : {}),
      ...(route.via !== undefined ? { via: route.via } : {}),
      ...(route.inputRound !== undefined ? { inputRound: route.inputRound } : {}),
      rule: null,
      candidates: [],
      attempts: [],
      outcome: 'failed',
      durationMs: 0,
    };
    let reported = false;
    const report = (fields: Partial<SamplingOutcome>) => {
      if (reported || !options.onOutcome) return;
      reported = true;
      Object.assign(outcome, fields, { durationMs: Math.round((performance.now() - started) * 1000) / 1000 });
      try {
        options.onOutcome(outcome);
      } catch {
        // An observer's failure must not change the answer the server gets.
      }
    };
    const fail = (err: unknown): never => {
      const e = err instanceof McpRouteError ? err : new McpRouteError('ALL_CANDIDATES_FAILED', redact(`mcp-route: ${err instanceof Error ? err.message : String(err)}`), { reason: 'internal error' });
      const kind: SamplingOutcome['outcome'] =
        e.code === 'INVALID_PARAMS'
          ? 'invalid'
          : e.code === 'DENIED_BY_RULE' || e.code === 'TOOLS_DENIED' || e.code === 'NO_CANDIDATES' || e.code === 'APPROVAL_DECLINED' || e.code === 'LIMIT_REACHED'
            ? 'denied'
            : e.code === 'BUDGET_EXCEEDED'
              ? 'budget'
              : e.code === 'ABORTED'
                ? 'aborted'
                : 'failed';
      const attempts = (e.data.attempts as Attempt[] | undefined) ?? outcome.attempts;
      report({ outcome: kind, attempts, error: { code: e.code, message: redact(e.message) } });
      throw e;
    };

    let request: CreateMessageRequestParams;
    try {
      request = parseSamplingRequest(params);
    } catch (err) {
      return fail(err);
    }
    if (policy.audit?.content) outcome.request = request;
    // Whatever the request holds (a tool schema nested 100k deep...), a throw from here on
    // goes through fail(): the server gets an error and the audit file gets its line.
    let decision: Decision;
    let prepared: CreateMessageRequestParams;
    try {
      decision = decideNow(request, route.serverName);
      outcome.rule = decision.rule;
      outcome.maxTokens = decision.settings.maxTokens;
      outcome.candidates = decision.candidates.map((c) => `${c.provider}/${c.model}`);
      const first = decision.candidates[0]?.prompt;
      if (first) outcome.prompt = { estimated: first.tokens, method: first.method };
      prepared = decision.action === 'deny' ? request : prepareRequest(request, decision);
    } catch (err) {
      // A stack overflow here means the request nests deeper than any real one does.
      if (err instanceof RangeError) return fail(new McpRouteError('INVALID_PARAMS', `mcp-route: the request is nested too deeply to route (${err.message})`, { reason: 'nested too deeply' }));
      return fail(err);
    }
    try {
      route.session?.admit((requestFacts(request).kinds & KIND_BITS.tool_result) !== 0, decision.settings.limits);
    } catch (err) {
      return fail(err);
    }
    if (decision.action === 'deny') return fail(refusalError(decision));
    // Before any provider call and any budget reservation: a refusal costs nothing.
    if (decision.settings.approval === 'ask') {
      const approver = approverFor(route);
      try {
        await settleApproval({
          policy,
          request,
          decision,
          server: route.serverName ?? '(unnamed server)',
          ...(approver ? { approver } : {}),
          ...(route.session ? { session: route.session } : {}),
          ...(route.signal ? { signal: route.signal } : {}),
          record: (r) => (outcome.approval = r),
        });
      } catch (err) {
        return fail(err);
      }
    }
    let executed;
    try {
      executed = await executeDecision(decision, prepared, {
        getProvider,
        signal: route.signal,
        cooldown,
        now,
        redact,
        admit: admitter(prepared, decision, route.serverName),
        ...(route.onDelta ? { onDelta: route.onDelta } : {}),
      });
    } catch (err) {
      return fail(err);
    }
    const { candidate, attempts } = executed;
    // A malformed usage report is replaced by what budgets counted for it (the worst case), so
    // _meta and the audit line never carry a count that the store refused to trust.
    const usage = validUsage(executed.usage) ?? worstUsage(estimatePromptTokens(prepared), candidate, prepared);
    const model = policy.models[candidate.model];
    const usd = model?.cost ? costUsd(model, usage) : undefined;
    const result = withUsageMeta(executed.result, {
      provider: candidate.provider,
      model: candidate.model,
      usage,
      ...(usd !== undefined ? { costUsd: usd } : {}),
      attempts: attempts.length,
    });
    report({
      outcome: 'ok',
      attempts,
      provider: candidate.provider,
      model: candidate.model,
      ...(result.stopReason !== undefined ? { stopReason: result.stopReason } : {}),
      usage: usage as Usage,
      ...(candidate.prompt ? { prompt: { estimated: candidate.prompt.tokens, actual: usage.inputTokens, method: candidate.prompt.method } } : {}),
      ...(usd !== undefined ? { costUsd: usd } : {}),
      ...(policy.audit?.content ? { result } : {}),
    });
    return result;
  }

  return {
    policy,
    createMessage,
    explain(params, explainOptions = {}) {
      return decideNow(parseSamplingRequest(params), explainOptions.serverName, explainOptions.hostSampling === true);
    },
    async close() {
      const open = [...providers.values()];
      providers.clear();
      await Promise.allSettled([...open.map((p) => p.close?.()), ownGate?.close()]);
    },
  };
}

export { META_KEY };
