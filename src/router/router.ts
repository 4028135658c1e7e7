// The router: one object that turns a server's sampling/createMessage params into an answer
// under a policy. validate -> decide (with usable providers and cooldown) ->
// session caps -> approval -> prepare -> per candidate: reserve budget -> call with retries -> settle -> _meta -> onOutcome.
// The proxy and embedders use only this; everything behind it is replaceable. Budget admission
// lives in admission.ts, the outcome record in outcome.ts, the public types in types.ts.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Decision, DecideContext } from '../routing/types.js';
import type { Provider, ProviderEnvironment, Usage } from '../providers/types.js';
import type { BudgetGate } from '../budgets/types.js';
import { validUsage } from '../providers/valid-usage.js';
import type { Router, RouterOptions, RouteOptions, SamplingOutcome } from './types.js';
import { decide, refusalError } from '../routing/decide.js';
import { parseSamplingRequest } from '../routing/validate-request.js';
import { PromptCorrections } from '../routing/estimate.js';
import { costUsd, worstUsage } from '../routing/cost.js';
import { createProvider, usableProviderNames } from '../providers/registry.js';
import { withUsageMeta } from '../providers/result-meta.js';
import { executeDecision, type ExecutionResult } from '../execution/execute.js';
import { prepareRequest } from '../execution/prepare-request.js';
import { Cooldown } from '../execution/cooldown.js';
import { createRedactor, type Redactor } from '../redact.js';
import { createBudgetGate } from '../budgets/gate.js';
import { settleApproval } from '../approval/approval.js';
import { requestFacts, KIND_BITS } from '../routing/request-facts.js';
import { budgetAdmitter } from './admission.js';
import { recordOutcome, type OutcomeRecorder } from './outcome.js';

/** What one router holds for its lifetime: the policy, its providers, cooldown and learned corrections. */
interface RouterCore {
  policy: Policy;
  options: RouterOptions;
  now: () => number;
  redact: Redactor;
  cooldown: Cooldown;
  /** What settlements taught about each model's prompt size; raises later estimates only. */
  corrections: PromptCorrections;
  gate: BudgetGate | undefined;
  /** Provider names the router may call, and the same set had the host declared sampling. */
  usable: { own: ReadonlySet<string>; withHost: ReadonlySet<string> };
  getProvider(name: string): Provider | undefined;
}

export function createRouter(policy: Policy, options: RouterOptions = {}): Router {
  const env: ProviderEnvironment = {
    ...(options.hostSampler ? { hostSampler: options.hostSampler } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  // The one line that picks the budget gate (the default gate is wired by the budgets module).
  // The default gate opens its store lazily (first reserve) and is closed with the router.
  const ownGate = options.budgetGate === undefined && (policy.budgets?.length ?? 0) > 0 ? createBudgetGate(policy) : undefined;
  const providers = new Map<string, Provider>();
  const own = usableProviderNames(policy, { hostSampling: options.hostSampler !== undefined });
  const core: RouterCore = {
    policy,
    options,
    now: options.now ?? Date.now,
    redact: createRedactor(policy.secrets ?? []),
    cooldown: new Cooldown(),
    corrections: new PromptCorrections(),
    gate: options.budgetGate ?? ownGate,
    usable: { own, withHost: usableProviderNames(policy, { hostSampling: true }) },
    getProvider(name) {
      let provider = providers.get(name);
      if (!provider) {
        const config = policy.providers[name];
        if (!config || !own.has(name)) return undefined;
        provider = createProvider(config, env);
        providers.set(name, provider);
      }
      return provider;
    },
  };
  return {
    policy,
    async createMessage(params, route = {}) {
      const recorder = recordOutcome(route, core.now, core.redact, options.onOutcome);
      // Whatever the request holds (a tool schema nested 100k deep...), a throw goes through
      // fail(): the server gets an error and the audit file gets its line.
      try {
        return await answer(core, params, route, recorder);
      } catch (err) {
        return recorder.fail(err);
      }
    },
    explain(params, explainOptions = {}) {
      return decideNow(core, parseSamplingRequest(params), explainOptions.serverName, explainOptions.hostSampling === true);
    },
    async close() {
      const open = [...providers.values()];
      providers.clear();
      await Promise.allSettled([...open.map((p) => p.close?.()), ownGate?.close()]);
    },
  };
}

function decideNow(core: RouterCore, request: CreateMessageRequestParams, serverName: string | undefined, hostSampling = false): Decision {
  const { policy, cooldown, corrections } = core;
  const at = core.now();
  const context: DecideContext = {
    serverName,
    usableProviders: hostSampling ? core.usable.withHost : core.usable.own,
    cooling: cooldown.snapshot(at),
    now: at,
    promptCorrection: (model) => corrections.factor(model),
  };
  const decision = decide(policy, request, context);
  // When cooldown alone emptied the list, trying a cooling candidate beats refusing outright.
  if (decision.action === 'deny' && decision.refusal.code === 'NO_CANDIDATES' && decision.dropped.some((d) => d.code === 'cooldown')) {
    return decide(policy, request, { ...context, cooling: undefined });
  }
  return decision;
}

/** Decides and prepares the request, noting in the outcome what was decided. */
function decideFor(core: RouterCore, request: CreateMessageRequestParams, serverName: string | undefined, outcome: SamplingOutcome) {
  try {
    const decision = decideNow(core, request, serverName);
    outcome.rule = decision.rule;
    outcome.maxTokens = decision.settings.maxTokens;
    outcome.candidates = decision.candidates.map((c) => `${c.provider}/${c.model}`);
    if (decision.action === 'deny') return { decision, prepared: request };
    const { prompt } = decision.candidates[0];
    outcome.prompt = { estimated: prompt.tokens, method: prompt.method };
    const prepared = prepareRequest(request, decision);
    return { decision, prepared };
  } catch (err) {
    // A stack overflow here means the request nests deeper than any real one does.
    if (err instanceof RangeError) throw new McpRouteError('INVALID_PARAMS', `mcp-route: the request is nested too deeply to route (${err.message})`, { reason: 'nested too deeply' });
    throw err;
  }
}

/** validate -> decide -> session caps -> refusal -> approval -> execute -> the answer. */
async function answer(core: RouterCore, params: unknown, route: RouteOptions, recorder: OutcomeRecorder): Promise<CreateMessageResult> {
  const { policy, options, gate } = core;
  const request = parseSamplingRequest(params);
  if (policy.audit?.content) recorder.outcome.request = request;
  const { decision, prepared } = decideFor(core, request, route.serverName, recorder.outcome);
  route.session?.admit((requestFacts(request).kinds & KIND_BITS.tool_result) !== 0, decision.settings.limits);
  if (decision.action === 'deny') throw refusalError(decision);
  // Before any provider call and any budget reservation: a refusal costs nothing.
  if (decision.settings.approval === 'ask') {
    // The request's own approver when it brings one (null: nobody to ask), else the router's.
    const approver = route.approver === undefined ? options.approver : (route.approver ?? undefined);
    await settleApproval({
      policy,
      request,
      decision,
      server: route.serverName ?? '(unnamed server)',
      ...(approver ? { approver } : {}),
      ...(route.session ? { session: route.session } : {}),
      ...(route.signal ? { signal: route.signal } : {}),
      record: (r) => (recorder.outcome.approval = r),
    });
  }
  let result: CreateMessageResult | undefined;
  const executed = await executeDecision(decision, prepared, {
    getProvider: core.getProvider,
    signal: route.signal,
    cooldown: core.cooldown,
    now: core.now,
    redact: core.redact,
    ...(gate ? { admit: budgetAdmitter({ policy, gate, corrections: core.corrections, decision, serverName: route.serverName }) } : {}),
    ...(route.onDelta ? { onDelta: route.onDelta } : {}),
    // The answer (its _meta, its audit line) is made before the settlement, and the caller may
    // send it then (RouteOptions.onAnswer).
    onResult: (early) => {
      result = answered(policy, early, recorder);
      route.onAnswer?.(result);
    },
  });
  return result ?? answered(policy, executed, recorder);
}

/** The result with its _meta, and the outcome reported. */
function answered(policy: Policy, executed: ExecutionResult, recorder: OutcomeRecorder): CreateMessageResult {
  const { candidate, attempts } = executed;
  // A malformed usage report is replaced by what budgets counted for it (the worst case), so
  // _meta and the audit line never carry a count that the store refused to trust.
  const usage = validUsage(executed.usage) ?? worstUsage(candidate);
  const model = policy.models[candidate.model];
  const usd = model?.cost ? costUsd(model, usage) : undefined;
  const result = withUsageMeta(executed.result, {
    provider: candidate.provider,
    model: candidate.model,
    usage,
    ...(usd !== undefined ? { costUsd: usd } : {}),
    attempts: attempts.length,
  });
  recorder.report({
    outcome: 'ok',
    attempts,
    provider: candidate.provider,
    model: candidate.model,
    ...(result.stopReason !== undefined ? { stopReason: result.stopReason } : {}),
    usage: usage as Usage,
    prompt: { estimated: candidate.prompt.tokens, actual: usage.inputTokens, method: candidate.prompt.method },
    ...(usd !== undefined ? { costUsd: usd } : {}),
    ...(policy.audit?.content ? { result } : {}),
  });
  return result;
}
