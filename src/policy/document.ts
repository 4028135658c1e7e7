// The policy document as the schema admits it (schemas/policy.schema.json), after ${VAR}
// interpolation: what the normaliser reads. The normaliser runs only on a value the schema
// accepted, so it reads these shapes as they are instead of guarding every field again.
// Durations are still text or milliseconds here; the normaliser turns them into numbers.

import type { ApprovalFallback, ApprovalMode, BudgetPeriod, Capability, FallbackStatus, HintsMode, Limits, OnExceed, ProviderConfig, StoreKind, ToolsMode, When } from './types.js';

/** `500ms`, `30s`, `2m` or a number of milliseconds. */
export type DurationText = string | number;

/** The keys a provider entry shares with ProviderConfig, as written; `timeout` still a duration text. */
export interface ProviderDocument extends Pick<ProviderConfig, 'apiKey' | 'baseURL' | 'headers' | 'organization' | 'maxTokensParam' | 'storeMetadata' | 'responses' | 'failWith'> {
  type: string;
  timeout?: DurationText;
  options?: Record<string, unknown>;
}

export interface ModelDocument {
  provider?: string;
  model?: string;
  aliases?: string[];
  cost?: { input: number; output: number };
  speed?: number;
  intelligence?: number;
  contextWindow?: number;
  maxOutput?: number;
  supports?: Capability[];
  params?: { drop?: string[]; set?: Record<string, unknown> };
  endOfLife?: string;
}

export interface SettingsDocument {
  models?: string[];
  maxTokens?: number;
  tools?: ToolsMode;
  timeout?: DurationText;
  deadline?: DurationText;
  retry?: { attempts?: number; initialDelay?: DurationText; maxDelay?: DurationText };
  cooldown?: DurationText;
  hints?: HintsMode;
  fallbackOn?: FallbackStatus[];
  approval?: ApprovalMode;
  approvalFallback?: ApprovalFallback;
  approvalTimeout?: DurationText;
  limits?: Limits;
}

/** `when` needs no normalising: the document's shape is the Policy's. */
export type WhenDocument = When;

export interface RuleDocument extends SettingsDocument {
  name: string;
  when?: WhenDocument;
  action?: 'route' | 'deny';
  message?: string;
}

export interface BudgetDocument {
  name: string;
  scope?: 'global' | 'server' | 'provider' | 'model' | { server?: string; provider?: string; model?: string };
  rpm?: number;
  concurrency?: number;
  tpm?: number;
  tokens?: number;
  usd?: number;
  per?: BudgetPeriod;
  onExceed?: OnExceed;
  maxWait?: DurationText;
}

export interface PolicyDocumentShape {
  version: 1;
  providers?: Record<string, ProviderDocument>;
  /** `extends: builtin` sits among the model entries (the only string value). */
  models?: Record<string, ModelDocument | null | 'builtin'>;
  defaults?: SettingsDocument;
  rules?: RuleDocument[];
  budgets?: BudgetDocument[];
  state?: { store?: StoreKind; path?: string; url?: string; prefix?: string };
  audit?: { path?: string; content?: boolean };
  gateway?: { openai?: boolean; anthropic?: boolean };
  requireServerName?: boolean;
  inputRequired?: { maxRounds?: number; handleTtl?: DurationText; maxHandles?: number };
}
