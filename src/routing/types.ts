// What the routing engine decides. decide() is pure: everything it needs about the
// world (server name, usable providers, exhausted budgets, cooling candidates, clock)
// comes in the DecideContext, so `explain` and the live router see the same answer.

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import type { ApprovalFallback, ApprovalMode, Limits, FallbackStatus, HintsMode, ModelParams, RetrySettings, ToolsMode } from '../policy/types.js';
import type { TokenCounter } from './tokenizers.js';

export type SamplingRequest = CreateMessageRequestParams;

export interface DecideContext {
  /** Name rules and budgets match on. */
  serverName?: string;
  /** Provider names that can be called now; undefined = every provider whose config is usable. */
  usableProviders?: ReadonlySet<string>;
  /** Budget view: returns the name of an exhausted budget with onExceed: fallback for this candidate, else undefined. */
  exhausted?: (candidate: { provider: string; model: string }) => string | undefined;
  /** Candidates ("provider/model") in cooldown after a recent 429/5xx, with when it ends (ms epoch). */
  cooling?: ReadonlyMap<string, number>;
  /** ms since epoch; only used for trace text (cooldown remaining). */
  now?: number;
  /** The learned factor (>= 1) that raises a model's prompt estimate; absent = 1 for every model. */
  promptCorrection?: (model: string) => number;
}

export interface EffectiveSettings {
  /** After clamping to the policy ceiling. */
  maxTokens: number;
  /** What the request asked for. */
  requestedMaxTokens: number;
  tools: ToolsMode;
  timeout: number;
  deadline: number;
  retry: RetrySettings;
  cooldown: number;
  hints: HintsMode;
  /** undefined = mcp-route's own classification of which failures try the next candidate. */
  fallbackOn?: FallbackStatus[];
  approval: ApprovalMode;
  approvalFallback: ApprovalFallback;
  approvalTimeout: number;
  limits?: Limits;
}

export interface Candidate {
  /** Provider name (key under `providers`). */
  provider: string;
  /** Catalogue model id. */
  model: string;
  /** Name sent to the provider API. */
  providerModel: string;
  /** Priority score when priorities were given, else undefined. */
  score?: number;
  /** The hint that placed it, if any. */
  hint?: string;
  /**
   * maxTokens to send this candidate: settings.maxTokens lowered to the model's maxOutput when
   * that is smaller. Set once by decide(); execution sends it, budgets and approval price it.
   */
  maxTokens: number;
  /** The model's request-body overrides (catalogue or policy `params`). */
  params?: ModelParams;
  /** The prompt estimate for this model: what the budgets reserve and the context window is checked with. */
  prompt: CandidatePrompt;
}

export interface CandidatePrompt {
  /** Estimated prompt tokens, the learned correction applied. */
  tokens: number;
  /** Before the correction: what a settlement's reported prompt tokens are compared with. */
  estimated: number;
  /** `o200k_base` / `cl100k_base` (the model's tokenizer) or `bound` (the conservative bound by script). */
  method: TokenCounter;
  /** Every character went through the tokenizer (false for the bound, or past the exact-count limit). */
  exact: boolean;
  /** The learned correction factor (1 when nothing was learned). */
  correction: number;
  /** contextWindow - tokens - maxTokens, when the model declares a context window. */
  headroom?: number;
}

export type DropCode = 'provider-unusable' | 'unknown-model' | 'no-image' | 'no-audio' | 'no-tools' | 'context-window' | 'budget' | 'cooldown';

export interface Dropped {
  provider: string;
  model: string;
  code: DropCode;
  reason: string;
}

export interface TraceEntry {
  step: 'rule' | 'candidates' | 'filter' | 'hints' | 'priorities' | 'order' | 'settings' | 'refuse';
  message: string;
  model?: string;
}

/** Why a decision refuses: a deny rule, tools: deny, or no candidate left. */
export interface Refusal {
  code: 'DENIED_BY_RULE' | 'TOOLS_DENIED' | 'NO_CANDIDATES';
  message: string;
}

/** What every decision carries, routed or refused. */
interface DecisionBase {
  /** Matched rule name, or null when defaults applied. */
  rule: string | null;
  dropped: Dropped[];
  settings: EffectiveSettings;
  trace: TraceEntry[];
}

/** At least one candidate: the first is tried, the rest are fallback, in order. */
export interface RouteDecision extends DecisionBase {
  action: 'route';
  candidates: [Candidate, ...Candidate[]];
  refusal?: undefined;
}

/** Refused before any provider is called: no candidates, and the refusal says why. */
export interface DenyDecision extends DecisionBase {
  action: 'deny';
  candidates: [];
  refusal: Refusal;
}

export type Decision = RouteDecision | DenyDecision;
