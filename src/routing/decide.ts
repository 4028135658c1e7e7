// The routing decision: (policy, request, context) -> Decision, per DESIGN.md "Model choice".
// Pure: no I/O and no clock; what it knows about the world comes in the DecideContext, so the
// live router and `mcp-route explain` reach the same answer. Policy-only work is cached (compile.ts).

import type { Policy } from '../policy/types.js';
import { McpRouteError } from '../errors.js';
import { formatDuration } from './explain-format.js';
import { DEFAULT_SETTINGS } from '../policy/defaults.js';
import { compilePolicy, type CompiledModel, type CompiledPolicy, type CompiledRule, type CompiledSettings } from './compile.js';
import { requestFacts, KIND_BITS, type RequestFacts } from './request-facts.js';
import { MAX_MATCH_NAME_LENGTH, matchableServerName } from './glob.js';
import { EXACT_CHARS } from './estimate.js';
import type { Candidate, CandidatePrompt, DecideContext, Decision, DenyDecision, Dropped, EffectiveSettings, Refusal, RouteDecision, SamplingRequest, TraceEntry } from './types.js';

/** What a model lacking speed, intelligence or a price counts as in priority scoring. */
export const MISSING_METADATA_SCORE = 0.5;

const NEEDS_TOOLS = KIND_BITS.tool_use | KIND_BITS.tool_result;

/**
 * The decision in four stages, each adding to the trace it is handed: rule (matchRule),
 * settings (settingsFor, then a deny rule or tools: deny refuses), filter (filterModels, which
 * also estimates each model's prompt) and order (orderCandidates, which sets each maxTokens).
 */
export function decide(policy: Policy, request: SamplingRequest, context: DecideContext = {}): Decision {
  const compiled = compilePolicy(policy);
  const facts = requestFacts(request);
  const trace: TraceEntry[] = [];
  noteIgnoredNames(context.serverName, facts, trace);
  const rule = matchRule(compiled, facts, context.serverName, trace);
  const settings = settingsFor(rule, facts, trace);
  const early = earlyRefusal(rule, settings, facts, trace);
  if (early) return { action: 'deny', rule: rule.name, candidates: [], dropped: [], settings, refusal: early, trace };
  const { kept, dropped } = filterModels(policy, rule, facts, settings, context, trace);
  const candidates = orderCandidates(compiled, kept, facts, settings, trace);
  if (candidates.length === 0) {
    return { action: 'deny', rule: rule.name, candidates: [], dropped, settings, refusal: noCandidates(rule.name, dropped, trace), trace };
  }
  let orderMessage = '';
  for (let i = 0; i < candidates.length; i++) orderMessage += `${i ? ', ' : ''}${i + 1}. ${candidates[i]!.provider}/${candidates[i]!.model}`;
  trace.push({ step: 'order', message: orderMessage });
  return { action: 'route', rule: rule.name, candidates: candidates as RouteDecision['candidates'], dropped, settings, trace };
}

/** The rule that applies (or the defaults), as stage 1 found it. */
interface MatchedRule {
  /** The rule's name, or null when the defaults apply. */
  name: string | null;
  compiled?: CompiledRule;
  /** The rule's merged settings and candidate list, or the defaults'. */
  chosen: CompiledSettings;
}

/** A model that passed the filter, with the prompt estimate made for it. */
interface Kept {
  model: CompiledModel;
  prompt: CandidatePrompt;
}

/** Names that matching cuts or ignores: said in the trace before anything else. */
function noteIgnoredNames(serverName: string | undefined, facts: RequestFacts, trace: TraceEntry[]): void {
  if (serverName !== undefined && serverName.length > MAX_MATCH_NAME_LENGTH) {
    trace.push({ step: 'rule', message: `server name of ${serverName.length} characters cut to its first ${MAX_MATCH_NAME_LENGTH} for matching` });
  }
  if (facts.longHints > 0) {
    trace.push({ step: 'hints', message: `${facts.longHints} hint(s) longer than ${MAX_MATCH_NAME_LENGTH} characters ignored` });
  }
}

/** Stage 1, rule: the first rule whose `when` matches, with the first failed condition of each rule before it. */
function matchRule(compiled: CompiledPolicy, facts: RequestFacts, serverName: string | undefined, trace: TraceEntry[]): MatchedRule {
  const serverLower = matchableServerName(serverName)?.toLowerCase();
  let matched: CompiledRule | undefined;
  let skipped = '';
  for (const cr of compiled.rules) {
    const failed = cr.test(facts, serverLower);
    if (failed === undefined) {
      matched = cr;
      break;
    }
    skipped += skipped === '' ? `"${cr.rule.name}" (${failed})` : `, "${cr.rule.name}" (${failed})`;
  }
  if (skipped !== '') trace.push({ step: 'rule', message: `rules not matching (first failed condition): ${skipped}` });
  if (!matched) {
    trace.push({ step: 'rule', message: compiled.rules.length ? 'no rule matched; defaults apply' : 'no rules; defaults apply' });
    return { name: null, chosen: compiled.defaults };
  }
  trace.push({ step: 'rule', message: `matched rule "${matched.rule.name}" (#${matched.index + 1} of ${compiled.rules.length})` });
  return { name: matched.rule.name, compiled: matched, chosen: matched.effective };
}

/** Stage 2, settings: the rule's settings over the defaults, maxTokens lowered to the policy ceiling. */
function settingsFor(rule: MatchedRule, facts: RequestFacts, trace: TraceEntry[]): EffectiveSettings {
  // The ceiling only; a model's maxOutput lowers it further per candidate (stage 4).
  const ceiling = rule.chosen.settings.maxTokens;
  const maxTokens = ceiling !== undefined && ceiling < facts.maxTokens ? ceiling : facts.maxTokens;
  const fixed = fixedSettings(rule.chosen);
  const settings: EffectiveSettings = { maxTokens, requestedMaxTokens: facts.maxTokens, ...fixed.settings };
  const { tools, hints } = settings;
  trace.push({
    step: 'settings',
    message:
      maxTokens < facts.maxTokens ? `maxTokens ${facts.maxTokens} clamped to ${maxTokens} (ceiling); tools: ${tools}; hints: ${hints}` : `maxTokens ${maxTokens}; tools: ${tools}; hints: ${hints}`,
  });
  for (const message of fixed.notes) trace.push({ step: 'settings', message });
  return settings;
}

/** The effective settings apart from maxTokens, and their trace lines: they depend on the policy only. */
interface FixedSettings {
  settings: Omit<EffectiveSettings, 'maxTokens' | 'requestedMaxTokens'>;
  notes: string[];
}

const fixedMemory = new WeakMap<CompiledSettings, FixedSettings>();

function fixedSettings(chosen: CompiledSettings): FixedSettings {
  let fixed = fixedMemory.get(chosen);
  if (!fixed) {
    const s = chosen.settings;
    const settings: FixedSettings['settings'] = {
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
    fixed = { settings, notes: settingsNotes(settings) };
    fixedMemory.set(chosen, fixed);
  }
  return fixed;
}

function settingsNotes(settings: FixedSettings['settings']): string[] {
  const notes: string[] = [];
  if (settings.approval === 'ask') {
    notes.push(
      `approval: ask: the host is asked before any provider is called (no answer within ${formatDuration(settings.approvalTimeout)} is a decline); a host without elicitation, or the model gateway, gets approvalFallback: ${settings.approvalFallback}`,
    );
  }
  if (settings.limits) {
    const parts = [
      settings.limits.requestsPerSession !== undefined ? `requestsPerSession ${settings.limits.requestsPerSession}` : '',
      settings.limits.toolRounds !== undefined ? `toolRounds ${settings.limits.toolRounds}` : '',
    ].filter(Boolean);
    notes.push(`limits per server connection: ${parts.join(', ')}`);
  }
  return notes;
}

/** A deny rule, or tools under tools: deny: refused before any model is looked at. */
function earlyRefusal(rule: MatchedRule, settings: EffectiveSettings, facts: RequestFacts, trace: TraceEntry[]): Refusal | undefined {
  let refusal: Refusal | undefined;
  if (rule.compiled?.rule.action === 'deny') {
    const message = `mcp-route: request refused by rule "${rule.name}": ${rule.compiled.rule.message ?? 'denied by policy'}`;
    refusal = { code: 'DENIED_BY_RULE', message };
  } else if (settings.tools === 'deny' && facts.hasTools) {
    const message = `mcp-route: request carries tools and ${rule.name ? `rule "${rule.name}"` : 'the defaults'} set tools: deny`;
    refusal = { code: 'TOOLS_DENIED', message };
  }
  if (refusal) trace.push({ step: 'refuse', message: refusal.message });
  return refusal;
}

/** Stage 3, filter: the listed models that can serve this request, each with its prompt estimate; the rest dropped with a reason. */
function filterModels(policy: Policy, rule: MatchedRule, facts: RequestFacts, settings: EffectiveSettings, context: DecideContext, trace: TraceEntry[]): { kept: Kept[]; dropped: Dropped[] } {
  const { chosen } = rule;
  trace.push({ step: 'candidates', message: chosen.listText });
  const dropped: Dropped[] = [];
  const kept: Kept[] = [];
  const needs: Needs = {
    tools: settings.tools === 'allow' && (facts.hasTools || (facts.kinds & NEEDS_TOOLS) !== 0),
    maxTokens: settings.maxTokens,
  };
  for (const entry of chosen.list) {
    const model = entry.model;
    if (!model) {
      drop(dropped, trace, '', entry.name, 'unknown-model', `"${entry.name}" is neither a model id nor an alias in the policy`);
      continue;
    }
    if (entry.repeat) continue;
    let why = unsupported(policy, model, facts, needs, context);
    if (!why) {
      const prompt = promptFor(model, facts, settings.maxTokens, context);
      why = unavailable(model, prompt, needs, context);
      if (!why) kept.push({ model, prompt });
    }
    if (why) drop(dropped, trace, model.config.provider, model.config.id, why[0], why[1]);
  }
  return { kept, dropped };
}

/**
 * Stage 4, order: priorities score everything (stable sort: ties keep settings order), then
 * hints, in request order, pull the models they match to the front. Each candidate's maxTokens
 * is set here, once: the settings' value lowered to the model's maxOutput.
 */
function orderCandidates(compiled: CompiledPolicy, kept: Kept[], facts: RequestFacts, settings: EffectiveSettings, trace: TraceEntry[]): Candidate[] {
  const n = kept.length;
  let ordered: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) ordered[i] = i;
  const scores = facts.hasPriorities && n > 0 ? byPriorities(kept, facts, ordered, trace) : undefined;
  const hinted = facts.hints.length > 0 ? byHints(compiled, kept, facts, settings, ordered, trace) : undefined;
  if (hinted) ordered = hinted.ordered;
  const maxTokens = settings.maxTokens;
  const candidates: Candidate[] = new Array<Candidate>(n);
  for (let i = 0; i < n; i++) {
    const k = ordered[i]!;
    const { model: m, prompt } = kept[k]!;
    const maxOutput = m.config.maxOutput;
    const c: Candidate = {
      provider: m.config.provider,
      model: m.config.id,
      providerModel: m.config.model ?? m.config.id,
      maxTokens: maxOutput !== undefined && maxOutput < maxTokens ? maxOutput : maxTokens,
      prompt,
    };
    if (m.config.params) c.params = m.config.params;
    if (scores) c.score = scores[k]!;
    const hint = hinted?.hintOf[k];
    if (hint !== undefined) c.hint = hint;
    candidates[i] = c;
  }
  return candidates;
}

/** Sorts `ordered` (indexes into kept) by priority score, highest first; returns the scores. */
function byPriorities(kept: Kept[], facts: RequestFacts, ordered: number[], trace: TraceEntry[]): Float64Array {
  const scores = scoreAll(kept, facts);
  ordered.sort((a, b) => scores[b]! - scores[a]!);
  let message = `cost ${formatNumber(facts.cost ?? 0)}, speed ${formatNumber(facts.speed ?? 0)}, intelligence ${formatNumber(facts.intelligence ?? 0)}:`;
  for (let i = 0; i < ordered.length; i++) message += `${i ? ',' : ''} ${kept[ordered[i]!]!.model.config.id} ${formatScore(scores[ordered[i]!]!)}`;
  trace.push({ step: 'priorities', message });
  return scores;
}

/** Pulls the models each hint matches to the front, hint by hint; undefined when hints are ignored or nothing is kept. */
function byHints(
  compiled: CompiledPolicy,
  kept: Kept[],
  facts: RequestFacts,
  settings: EffectiveSettings,
  ordered: number[],
  trace: TraceEntry[],
): { ordered: number[]; hintOf: Array<string | undefined> } | undefined {
  if (settings.hints === 'ignore') {
    trace.push({ step: 'hints', message: `hints ${facts.hints.map((h) => `"${h}"`).join(', ')} ignored (hints: ignore)` });
    return undefined;
  }
  if (kept.length === 0) return undefined;
  const hintOf = new Array<string | undefined>(kept.length);
  const front: number[] = [];
  let rest = ordered;
  for (let h = 0; h < facts.hints.length; h++) {
    const matches = compiled.hintMatches(facts.hintsLower[h]!);
    const hint = facts.hints[h]!;
    const left: number[] = [];
    let matched = '';
    for (const k of rest) {
      const model = kept[k]!.model;
      if (matches[model.index] === 1) {
        hintOf[k] = hint;
        front.push(k);
        matched += matched === '' ? model.config.id : `, ${model.config.id}`;
      } else left.push(k);
    }
    rest = left;
    trace.push({ step: 'hints', message: matched !== '' ? `hint "${hint}" matched ${matched}` : `hint "${hint}" matched no remaining candidate` });
  }
  return { ordered: front.length ? front.concat(rest) : ordered, hintOf };
}

function noCandidates(ruleName: string | null, dropped: Dropped[], trace: TraceEntry[]): Refusal {
  const where = ruleName ? `rule "${ruleName}"` : 'the defaults';
  const detail = dropped.length ? dropped.map((d) => `${d.model}${d.provider ? ` (${d.provider})` : ''}: ${d.reason}`).join('; ') : 'the candidate list is empty';
  const message = `mcp-route: no model can serve this request under ${where}: ${detail}`;
  trace.push({ step: 'refuse', message });
  return { code: 'NO_CANDIDATES', message };
}

function drop(dropped: Dropped[], trace: TraceEntry[], provider: string, model: string, code: Dropped['code'], reason: string): void {
  dropped.push({ provider, model, code, reason });
  trace.push({ step: 'filter', model, message: `dropped ${model}: ${reason}` });
}

/** What the request needs of every model: tools support, room for maxTokens. */
interface Needs {
  tools: boolean;
  /** The settings' maxTokens: what the context-window check counts. */
  maxTokens: number;
}

type DropReason = [Dropped['code'], string];

/** Why this model can never serve the request (its provider, its content support), or undefined. */
function unsupported(policy: Policy, model: CompiledModel, facts: RequestFacts, needs: Needs, context: DecideContext): DropReason | undefined {
  const unusable = providerUnusable(policy, model.config.provider, context);
  if (unusable) return ['provider-unusable', unusable];
  if (facts.kinds & KIND_BITS.image && !model.image) return ['no-image', 'the request has images and the model does not support image'];
  if (facts.kinds & KIND_BITS.audio && !model.audio) return ['no-audio', 'the request has audio and the model does not support audio'];
  if (needs.tools && !model.tools) return ['no-tools', 'the request has tools, tools: allow, and the model does not support tools'];
  return undefined;
}

/** Why this model cannot serve the request now (its context window, a budget, cooldown), or undefined. */
function unavailable(model: CompiledModel, prompt: CandidatePrompt, needs: Needs, context: DecideContext): DropReason | undefined {
  const cfg = model.config;
  if (prompt.headroom !== undefined && prompt.headroom < 0) {
    const { maxTokens } = needs;
    return [
      'context-window',
      `estimated prompt ${prompt.tokens} + maxTokens ${maxTokens} = ${prompt.tokens + maxTokens} tokens exceeds the context window of ${cfg.contextWindow} (prompt counted by ${describeMethod(prompt)})`,
    ];
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

/** Why a provider cannot be called (undefined, or not defined, not usable, not available here). */
function providerUnusable(policy: Policy, name: string, context: DecideContext): string | undefined {
  const provider = policy.providers[name];
  if (!provider) return `provider "${name}" is not defined`;
  if (!provider.usable) return `provider "${name}" is not usable${provider.unusableReason ? `: ${provider.unusableReason}` : ''}`;
  if (context.usableProviders && !context.usableProviders.has(name)) {
    // The router leaves a `client` provider out only when there is no host sampling to hand to.
    if (provider.type === 'client') {
      return `provider "${name}" (type client) cannot answer: the host did not declare the sampling capability; use a host that supports sampling, or list a model on an API provider (openai, anthropic) after it as a fallback`;
    }
    return `provider "${name}" is not available here`;
  }
  return undefined;
}

/**
 * The prompt estimate for one model: its tokenizer's count (made once per request and
 * tokenizer, see PromptEstimator), raised by what was learned from its settlements.
 */
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
  const base = prompt.method === 'bound' ? 'bound by script (no public tokenizer)' : `${prompt.method} tokenizer${prompt.exact ? '' : `, exact for the first ${EXACT_CHARS} characters, bound beyond`}`;
  return prompt.correction > 1 ? `${base}, x${Math.round(prompt.correction * 100) / 100} learned` : base;
}

/** score = cost*cheapness + speed*speed + intelligence*intelligence; cheapness by output price among the kept. */
function scoreAll(kept: Kept[], facts: RequestFacts): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (const { model } of kept) {
    const out = model.config.cost?.output;
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
    const m = kept[i]!.model.config;
    const out = m.cost?.output;
    const cheapness = out === undefined ? MISSING_METADATA_SCORE : max === min ? 1 : (max - out) / (max - min);
    scores[i] = cp * cheapness + sp * (m.speed ?? MISSING_METADATA_SCORE) + ip * (m.intelligence ?? MISSING_METADATA_SCORE);
  }
  return scores;
}

/** String(n), by formatScore's way when n has at most 3 decimals (a priority usually has one). */
function formatNumber(n: number): string {
  return Math.round(n * 1000) / 1000 === n ? formatScore(n) : String(n);
}

/**
 * A score rounded to 3 decimals, as String(Math.round(n * 1000) / 1000) writes it, from integer
 * parts: formatting a fraction is the slowest step of decide() otherwise (about a quarter of it
 * for 26 candidates), and scores are small non-negative numbers.
 */
export function formatScore(n: number): string {
  const k = Math.round(n * 1000);
  if (!(k >= 0 && k < 1e12)) return String(k / 1000);
  const whole = Math.floor(k / 1000);
  const frac = k - whole * 1000;
  if (frac === 0) return `${whole}`;
  if (frac % 100 === 0) return `${whole}.${frac / 100}`;
  if (frac % 10 === 0) return `${whole}.${frac < 100 ? '0' : ''}${frac / 10}`;
  return `${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

/** The error the proxy puts on the wire for a refused decision. */
export function refusalError(decision: DenyDecision): McpRouteError {
  const { refusal } = decision;
  const data: Record<string, unknown> = { reason: refusal.code };
  if (decision.rule !== null) data.rule = decision.rule;
  if (refusal.code === 'NO_CANDIDATES') data.dropped = decision.dropped.map((d) => ({ model: d.model, reason: d.reason }));
  return new McpRouteError(refusal.code, refusal.message, data);
}
