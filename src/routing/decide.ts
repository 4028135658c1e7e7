// The routing decision: (policy, request, context) -> Decision, per DESIGN.md "Model choice".
// Pure: no I/O and no clock; what it knows about the world comes in the DecideContext, so the
// live router and `mcp-route explain` reach the same answer. Policy-only work is cached (compile.ts).

import type { Policy } from '../policy/types.js';
import { McpRouteError } from '../errors.js';
import { formatDuration } from './explain-format.js';
import { DEFAULT_SETTINGS } from '../policy/defaults.js';
import { compilePolicy, type CompiledModel, type CompiledSettings } from './compile.js';
import { requestFacts, KIND_BITS, type RequestFacts } from './request-facts.js';
import { MAX_MATCH_NAME_LENGTH, matchableServerName } from './glob.js';
import { EXACT_CHARS } from './estimate.js';
import type {
  Candidate,
  CandidatePrompt,
  DecideContext,
  Decision,
  DenyDecision,
  Dropped,
  RouteDecision,
  EffectiveSettings,
  SamplingRequest,
  TraceEntry,
} from './types.js';

/** What a model lacking speed, intelligence or a price counts as in priority scoring. */
export const MISSING_METADATA_SCORE = 0.5;

const NEEDS_TOOLS = KIND_BITS.tool_use | KIND_BITS.tool_result;

export function decide(policy: Policy, request: SamplingRequest, context: DecideContext = {}): Decision {
  const compiled = compilePolicy(policy);
  const facts = requestFacts(request);
  const trace: TraceEntry[] = [];
  const serverLower = matchableServerName(context.serverName)?.toLowerCase();
  if (context.serverName !== undefined && context.serverName.length > MAX_MATCH_NAME_LENGTH) {
    trace.push({ step: 'rule', message: `server name of ${context.serverName.length} characters cut to its first ${MAX_MATCH_NAME_LENGTH} for matching` });
  }
  if (facts.longHints > 0) {
    trace.push({ step: 'hints', message: `${facts.longHints} hint(s) longer than ${MAX_MATCH_NAME_LENGTH} characters ignored` });
  }

  // 1. First matching rule.
  let chosen: CompiledSettings = compiled.defaults;
  let ruleName: string | null = null;
  let matchedRule: (typeof compiled.rules)[number] | undefined;
  let skipped = '';
  for (const cr of compiled.rules) {
    const failed = cr.test(facts, serverLower);
    if (failed === undefined) {
      matchedRule = cr;
      break;
    }
    skipped += skipped === '' ? `"${cr.rule.name}" (${failed})` : `, "${cr.rule.name}" (${failed})`;
  }
  if (skipped !== '') trace.push({ step: 'rule', message: `rules not matching (first failed condition): ${skipped}` });
  if (matchedRule) {
    chosen = matchedRule.effective;
    ruleName = matchedRule.rule.name;
    trace.push({ step: 'rule', message: `matched rule "${ruleName}" (#${matchedRule.index + 1} of ${compiled.rules.length})` });
  } else {
    trace.push({ step: 'rule', message: compiled.rules.length ? 'no rule matched; defaults apply' : 'no rules; defaults apply' });
  }

  // Effective settings: the maxTokens clamp is the policy ceiling only; a model's maxOutput is per candidate.
  const s = chosen.settings;
  const maxTokens = s.maxTokens !== undefined && s.maxTokens < facts.maxTokens ? s.maxTokens : facts.maxTokens;
  const settings: EffectiveSettings = {
    maxTokens,
    requestedMaxTokens: facts.maxTokens,
    tools: s.tools,
    timeout: s.timeout,
    deadline: s.deadline,
    retry: s.retry,
    cooldown: s.cooldown,
    hints: s.hints,
    ...(s.fallbackOn ? { fallbackOn: s.fallbackOn } : {}),
    approval: s.approval ?? DEFAULT_SETTINGS.approval!,
    approvalFallback: s.approvalFallback ?? DEFAULT_SETTINGS.approvalFallback!,
    approvalTimeout: s.approvalTimeout ?? DEFAULT_SETTINGS.approvalTimeout!,
    ...(s.limits && Object.keys(s.limits).length ? { limits: s.limits } : {}),
  };
  trace.push({
    step: 'settings',
    message:
      maxTokens < facts.maxTokens
        ? `maxTokens ${facts.maxTokens} clamped to ${maxTokens} (ceiling); tools: ${s.tools}; hints: ${s.hints}`
        : `maxTokens ${maxTokens}; tools: ${s.tools}; hints: ${s.hints}`,
  });

  if (settings.approval === 'ask') {
    trace.push({
      step: 'settings',
      message: `approval: ask: the host is asked before any provider is called (no answer within ${formatDuration(settings.approvalTimeout)} is a decline); a host without elicitation, or the model gateway, gets approvalFallback: ${settings.approvalFallback}`,
    });
  }
  if (settings.limits) {
    const parts = [
      settings.limits.requestsPerSession !== undefined ? `requestsPerSession ${settings.limits.requestsPerSession}` : '',
      settings.limits.toolRounds !== undefined ? `toolRounds ${settings.limits.toolRounds}` : '',
    ].filter(Boolean);
    trace.push({ step: 'settings', message: `limits per server connection: ${parts.join(', ')}` });
  }

  if (matchedRule?.rule.action === 'deny') {
    const message = `mcp-route: request refused by rule "${ruleName}": ${matchedRule.rule.message ?? 'denied by policy'}`;
    trace.push({ step: 'refuse', message });
    return { action: 'deny', rule: ruleName, candidates: [], dropped: [], settings, refusal: { code: 'DENIED_BY_RULE', message }, trace };
  }
  if (s.tools === 'deny' && facts.hasTools) {
    const message = `mcp-route: request carries tools and ${ruleName ? `rule "${ruleName}"` : 'the defaults'} set tools: deny`;
    trace.push({ step: 'refuse', message });
    return { action: 'deny', rule: ruleName, candidates: [], dropped: [], settings, refusal: { code: 'TOOLS_DENIED', message }, trace };
  }

  // 2. Candidates.
  trace.push({
    step: 'candidates',
    message: chosen.wholeCatalogue
      ? `every model in the policy (${chosen.list.length}), in file order`
      : `models of ${ruleName ? `rule "${ruleName}"` : 'defaults'}: ${chosen.list.map((e) => e.name).join(', ')}`,
  });

  // 3. Filter.
  const dropped: Dropped[] = [];
  const kept: CompiledModel[] = [];
  const needsTools = s.tools === 'allow' && (facts.hasTools || (facts.kinds & NEEDS_TOOLS) !== 0);
  const list = chosen.list;
  const prompts = new Map<CompiledModel, CandidatePrompt>();
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!;
    const model = entry.model;
    if (!model) {
      drop(dropped, trace, '', entry.name, 'unknown-model', `"${entry.name}" is neither a model id nor an alias in the policy`);
      continue;
    }
    if (entry.repeat) continue;
    const why = unfit(policy, model, facts, needsTools, maxTokens, context, prompts);
    if (why) drop(dropped, trace, model.config.provider, model.config.id, why[0], why[1]);
    else kept.push(model);
  }

  // 4. Order: priorities score everything (stable sort: ties keep settings order), then hints,
  // in request order, pull the models they match to the front.
  const n = kept.length;
  let scores: Float64Array | undefined;
  let ordered: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) ordered[i] = i;
  if (facts.hasPriorities && n > 0) {
    const sc = scoreAll(kept, facts);
    scores = sc;
    ordered.sort((a, b) => sc[b]! - sc[a]!);
    let message = `cost ${facts.cost ?? 0}, speed ${facts.speed ?? 0}, intelligence ${facts.intelligence ?? 0}:`;
    for (let i = 0; i < n; i++) message += `${i ? ',' : ''} ${kept[ordered[i]!]!.config.id} ${round(sc[ordered[i]!]!)}`;
    trace.push({ step: 'priorities', message });
  }
  let hintOf: Array<string | undefined> | undefined;
  if (facts.hints.length > 0) {
    if (s.hints === 'ignore') {
      trace.push({ step: 'hints', message: `hints ${facts.hints.map((h) => `"${h}"`).join(', ')} ignored (hints: ignore)` });
    } else if (n > 0) {
      hintOf = new Array<string | undefined>(n);
      const front: number[] = [];
      let rest = ordered;
      for (let h = 0; h < facts.hints.length; h++) {
        const needle = facts.hintsLower[h]!;
        const hint = facts.hints[h]!;
        const left: number[] = [];
        let matched = '';
        for (let i = 0; i < rest.length; i++) {
          const k = rest[i]!;
          if (kept[k]!.haystack.includes(needle)) {
            hintOf[k] = hint;
            front.push(k);
            matched += matched === '' ? kept[k]!.config.id : `, ${kept[k]!.config.id}`;
          } else left.push(k);
        }
        rest = left;
        trace.push({
          step: 'hints',
          message: matched !== '' ? `hint "${hint}" matched ${matched}` : `hint "${hint}" matched no remaining candidate`,
        });
      }
      if (front.length) ordered = front.concat(rest);
    }
  }

  const candidates: Candidate[] = new Array<Candidate>(n);
  for (let i = 0; i < n; i++) {
    const k = ordered[i]!;
    const m = kept[k]!;
    const maxOutput = m.config.maxOutput;
    const c: Candidate = {
      provider: m.config.provider,
      model: m.config.id,
      providerModel: m.config.model ?? m.config.id,
      maxTokens: maxOutput !== undefined && maxOutput < maxTokens ? maxOutput : maxTokens,
    };
    if (m.config.params) c.params = m.config.params;
    const prompt = prompts.get(m) ?? promptFor(m, facts, maxTokens, context);
    c.prompt = prompt;
    if (scores) c.score = scores[k]!;
    const hint = hintOf?.[k];
    if (hint !== undefined) c.hint = hint;
    candidates[i] = c;
  }

  if (candidates.length === 0) {
    const where = ruleName ? `rule "${ruleName}"` : 'the defaults';
    const detail = dropped.length
      ? dropped.map((d) => `${d.model}${d.provider ? ` (${d.provider})` : ''}: ${d.reason}`).join('; ')
      : 'the candidate list is empty';
    const message = `mcp-route: no model can serve this request under ${where}: ${detail}`;
    trace.push({ step: 'refuse', message });
    return { action: 'deny', rule: ruleName, candidates: [], dropped, settings, refusal: { code: 'NO_CANDIDATES', message }, trace };
  }
  let orderMessage = '';
  for (let i = 0; i < n; i++) orderMessage += `${i ? ', ' : ''}${i + 1}. ${candidates[i]!.provider}/${candidates[i]!.model}`;
  trace.push({ step: 'order', message: orderMessage });
  return { action: 'route', rule: ruleName, candidates: candidates as RouteDecision['candidates'], dropped, settings, trace };
}

function drop(dropped: Dropped[], trace: TraceEntry[], provider: string, model: string, code: Dropped['code'], reason: string): void {
  dropped.push({ provider, model, code, reason });
  trace.push({ step: 'filter', model, message: `dropped ${model}: ${reason}` });
}

/** The first reason this model cannot serve the request, or undefined. */
function unfit(
  policy: Policy,
  model: CompiledModel,
  facts: RequestFacts,
  needsTools: boolean,
  maxTokens: number,
  context: DecideContext,
  prompts: Map<CompiledModel, CandidatePrompt>,
): [Dropped['code'], string] | undefined {
  const cfg = model.config;
  const provider = policy.providers[cfg.provider];
  if (!provider) return ['provider-unusable', `provider "${cfg.provider}" is not defined`];
  if (!provider.usable) {
    return ['provider-unusable', `provider "${cfg.provider}" is not usable${provider.unusableReason ? `: ${provider.unusableReason}` : ''}`];
  }
  if (context.usableProviders && !context.usableProviders.has(cfg.provider)) {
    // The router leaves a `client` provider out only when there is no host sampling to hand to.
    if (provider.type === 'client') {
      return [
        'provider-unusable',
        `provider "${cfg.provider}" (type client) cannot answer: the host did not declare the sampling capability; use a host that supports sampling, or list a model on an API provider (openai, anthropic) after it as a fallback`,
      ];
    }
    return ['provider-unusable', `provider "${cfg.provider}" is not available here`];
  }
  if (facts.kinds & KIND_BITS.image && !model.image) return ['no-image', 'the request has images and the model does not support image'];
  if (facts.kinds & KIND_BITS.audio && !model.audio) return ['no-audio', 'the request has audio and the model does not support audio'];
  if (needsTools && !model.tools) return ['no-tools', 'the request has tools, tools: allow, and the model does not support tools'];
  if (cfg.contextWindow !== undefined) {
    const prompt = promptFor(model, facts, maxTokens, context);
    prompts.set(model, prompt);
    if (prompt.headroom! < 0) {
      return [
        'context-window',
        `estimated prompt ${prompt.tokens} + maxTokens ${maxTokens} = ${prompt.tokens + maxTokens} tokens exceeds the context window of ${cfg.contextWindow} (prompt counted by ${describeMethod(prompt)})`,
      ];
    }
  }
  if (context.exhausted) {
    const budget = context.exhausted({ provider: cfg.provider, model: cfg.id });
    if (budget !== undefined) return ['budget', `budget "${budget}" is exhausted`];
  }
  if (context.cooling) {
    const until = context.cooling.get(`${cfg.provider}/${cfg.id}`);
    if (until !== undefined && (context.now === undefined || until > context.now)) {
      const left = context.now === undefined ? '' : ` for ${Math.ceil((until - context.now) / 1000)}s more`;
      return ['cooldown', `cooling down after a recent failure${left}`];
    }
  }
  return undefined;
}

/** The prompt estimate for one model: its tokenizer's count, raised by what was learned from its settlements. */
function promptFor(model: CompiledModel, facts: RequestFacts, maxTokens: number, context: DecideContext): CandidatePrompt {
  const estimate = facts.prompt.estimate(model.tokenizer);
  const correction = context.promptCorrection ? Math.max(1, context.promptCorrection(model.config.id)) : 1;
  const tokens = correction === 1 ? estimate.tokens : Math.ceil(estimate.tokens * correction);
  const prompt: CandidatePrompt = { tokens, estimated: estimate.tokens, method: estimate.counter, exact: estimate.exact, correction };
  const window = model.config.contextWindow;
  // The candidate's own maxTokens (lowered to maxOutput) is what is sent, but the settings'
  // value is what the filter has always checked: the more cautious of the two.
  if (window !== undefined) prompt.headroom = window - tokens - maxTokens;
  return prompt;
}

/** "o200k_base, exact", "bound by script", with the learned correction when there is one. */
export function describeMethod(prompt: CandidatePrompt): string {
  const base =
    prompt.method === 'bound' ? 'bound by script (no public tokenizer)' : `${prompt.method} tokenizer${prompt.exact ? '' : `, exact for the first ${EXACT_CHARS} characters, bound beyond`}`;
  return prompt.correction > 1 ? `${base}, x${Math.round(prompt.correction * 100) / 100} learned` : base;
}

/** score = cost*cheapness + speed*speed + intelligence*intelligence; cheapness by output price among the kept. */
function scoreAll(kept: CompiledModel[], facts: RequestFacts): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (const m of kept) {
    const out = m.config.cost?.output;
    if (out !== undefined) {
      if (out < min) min = out;
      if (out > max) max = out;
    }
  }
  const cp = facts.cost ?? 0;
  const sp = facts.speed ?? 0;
  const ip = facts.intelligence ?? 0;
  const scores = new Float64Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const m = kept[i]!;
    const out = m.config.cost?.output;
    const cheapness = out === undefined ? MISSING_METADATA_SCORE : max === min ? 1 : (max - out) / (max - min);
    const score =
      cp * cheapness + sp * (m.config.speed ?? MISSING_METADATA_SCORE) + ip * (m.config.intelligence ?? MISSING_METADATA_SCORE);
    scores[i] = score;
  }
  return scores;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The error the proxy puts on the wire for a refused decision. */
export function refusalError(decision: DenyDecision): McpRouteError {
  const { refusal } = decision;
  const data: Record<string, unknown> = { reason: refusal.code };
  if (decision.rule !== null) data.rule = decision.rule;
  if (refusal.code === 'NO_CANDIDATES') data.dropped = decision.dropped.map((d) => ({ model: d.model, reason: d.reason }));
  return new McpRouteError(refusal.code, refusal.message, data);
}
