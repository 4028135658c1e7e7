// The normalised, typed policy that every other module consumes.
// The YAML loader (load.ts) validates against schemas/policy.schema.json and then
// normalises into these shapes: defaults filled in, durations in milliseconds,
// ${ENV} interpolated, built-in catalogue merged. test/policy/schema-types.test.ts
// keeps these types and the schema from drifting apart.

export type ProviderType = 'openai' | 'anthropic' | 'client' | 'mock' | (string & {});
export type ToolsMode = 'allow' | 'strip' | 'deny';
export type HintsMode = 'prefer' | 'ignore';
export type Capability = 'text' | 'image' | 'audio' | 'tools';
export type ContentKind = 'text' | 'image' | 'audio' | 'tool_use' | 'tool_result';
export type BudgetPeriod = 'minute' | 'hour' | 'day' | 'week' | 'month';
export type OnExceed = 'fallback' | 'reject' | 'wait';
export type StoreKind = 'memory' | 'sqlite' | 'redis';
/** An HTTP status, a class of them, or `default` (mcp-route's own classification). */
export type FallbackStatus = number | '4xx' | '5xx' | 'default';

/** A fixed answer of the mock provider. */
export interface MockResponse {
  /** Answer only when the last user text contains this (case-insensitive). Absent: answers in turn. */
  match?: string;
  /** The text to answer with. */
  text?: string;
  /** Answer with tool calls instead of (or besides) text. */
  toolUse?: Array<{ name: string; input: Record<string, unknown> }>;
  /** Fail this answer with an HTTP-like status (429, 500, 529, 401...) to demo retries and fallback. */
  status?: number;
  /** Stop reason to report; default endTurn (toolUse when toolUse is given). */
  stopReason?: string;
  /** Artificial latency in ms. */
  delay?: number;
}

export interface ProviderConfig {
  /** The key under `providers`. */
  name: string;
  type: ProviderType;
  /** Resolved key (after ${VAR} interpolation). Never log it. */
  apiKey?: string;
  baseURL?: string;
  headers?: Record<string, string>;
  organization?: string;
  /** openai: `max_completion_tokens` (default) or `max_tokens` for older compatible servers. */
  maxTokensParam?: 'max_completion_tokens' | 'max_tokens';
  /** openai: send request metadata, which OpenAI accepts only with `store: true`. */
  storeMetadata?: boolean;
  /** Per-attempt timeout in ms for this provider (overrides settings.timeout when smaller). */
  timeout?: number;
  /** mock only: fixed answers. */
  responses?: MockResponse[];
  /** mock only: fail every call with this status (for fallback demos). */
  failWith?: number;
  /** Environment variables this provider's strings read (for stripping from the child env). */
  envVars: string[];
  /** False when a credential the provider needs is missing (e.g. apiKey resolved empty). */
  usable: boolean;
  /** Why it is not usable, e.g. "ANTHROPIC_API_KEY is not set". */
  unusableReason?: string;
  /**
   * openai / anthropic: merged into every request body after mcp-route's own fields
   * (`reasoning_effort`, `top_p`, ...). Other provider types read their settings here.
   */
  options: Record<string, unknown>;
}

export interface ModelConfig {
  /** The catalogue id (the key under `models`), what hints match and budgets name. */
  id: string;
  /** Provider name (key under `providers`). */
  provider: string;
  /** Model name sent to the provider API; defaults to `id`. */
  model: string;
  aliases: string[];
  /** USD per million tokens. */
  cost?: { input: number; output: number };
  /** 0..1 */
  speed?: number;
  /** 0..1 */
  intelligence?: number;
  contextWindow?: number;
  maxOutput?: number;
  supports: Capability[];
  /** Request-body overrides for this model: keys dropped, then keys set (after provider options). */
  params?: ModelParams;
  /** The vendor's retirement day, YYYY-MM-DD. */
  endOfLife?: string;
  /** True when the entry came from the built-in catalogue (possibly overridden). */
  builtin?: boolean;
}

export interface ModelParams {
  /** Body keys left out of this model's requests (e.g. temperature for reasoning models). */
  drop: string[];
  /** Body keys set for this model, last word over everything else. */
  set: Record<string, unknown>;
}

export interface RetrySettings {
  /** Attempts per candidate, counting the first. */
  attempts: number;
  /** ms */
  initialDelay: number;
  /** ms */
  maxDelay: number;
}

/** The settings a request starts from (`defaults`) or a rule overrides. Durations in ms. */
export interface Settings {
  /** Candidate model ids in fallback order; undefined = every catalogue model in file order. */
  models?: string[];
  /** Ceiling: larger requests are clamped. undefined = no clamp. */
  maxTokens?: number;
  tools: ToolsMode;
  /** Per attempt, ms. */
  timeout: number;
  /** Whole request, ms. */
  deadline: number;
  retry: RetrySettings;
  /** ms a candidate that just failed with 429/5xx is skipped. */
  cooldown: number;
  hints: HintsMode;
  /**
   * Which failures move on to the next candidate. undefined = mcp-route's classification
   * (retryable statuses, 401/403/404/413, 400s naming context length, model or an unsupported parameter).
   */
  fallbackOn?: FallbackStatus[];
  /** Optional so hand-built policies keep working; DEFAULT_SETTINGS fills them. ask: the host is asked (elicitation) before any provider is called; none: nobody is asked. */
  approval?: ApprovalMode;
  /** What `ask` does when nobody can be asked (a host without elicitation, the model gateway). */
  approvalFallback?: ApprovalFallback;
  /** ms the host has to answer; no answer is a decline. */
  approvalTimeout?: number;
  /** Caps per server connection; undefined = none. */
  limits?: Limits;
}

export type ApprovalMode = 'none' | 'ask';
export type ApprovalFallback = 'deny' | 'allow';

export interface Limits {
  /** Sampling requests one server connection may make. */
  requestsPerSession?: number;
  /** Consecutive sampling requests carrying tool_result content (one tool loop). */
  toolRounds?: number;
}

export interface NumberComparison {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
}

export interface When {
  /** Glob on the server name, or a list of globs of which any may match. */
  server?: string | string[];
  /** Glob on any hint name. */
  hints?: string;
  /** Any of these content kinds present. */
  content?: ContentKind[];
  /** The request carries tools (true) or not (false). */
  tools?: boolean;
  maxTokens?: NumberComparison;
  priorities?: { cost?: NumberComparison; speed?: NumberComparison; intelligence?: NumberComparison };
  /** Regular expression source, tested against the systemPrompt. */
  systemPrompt?: string;
  /** key -> value equality on the request's metadata. */
  metadata?: Record<string, unknown>;
}

export interface Rule {
  name: string;
  /** undefined or {} matches everything. */
  when?: When;
  action: 'route' | 'deny';
  /** Refusal message when action is deny. */
  message?: string;
  /** Only the settings the rule sets; merged over defaults. */
  settings: Partial<Settings>;
}

export type BudgetScope =
  | { kind: 'global' }
  | { kind: 'server' }
  | { kind: 'provider' }
  | { kind: 'model' }
  /** Globs; every given key must match. */
  | { kind: 'select'; server?: string; provider?: string; model?: string };

export interface Budget {
  name: string;
  scope: BudgetScope;
  /** Requests per minute. */
  rpm?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Tokens per minute. */
  tpm?: number;
  /** Tokens per `per` window. */
  tokens?: number;
  /** USD per `per` window. */
  usd?: number;
  per: BudgetPeriod;
  onExceed: OnExceed;
  /** onExceed: wait — longest wait in ms before rejecting. */
  maxWait: number;
}

export interface StateConfig {
  store: StoreKind;
  /** sqlite file path (resolved). */
  path?: string;
  /** redis URL. */
  url?: string;
  /** Key prefix (redis) / namespace. */
  prefix: string;
}

export interface AuditConfig {
  path?: string;
  content: boolean;
}

/**
 * The model gateway for servers that call models directly. Absent means "on for a vendor
 * whose key mcp-route strips from the server's environment" (decided at run time).
 */
export interface GatewayConfig {
  openai?: boolean;
  anthropic?: boolean;
}

/** Protocol 2026-07-28 multi round-trip requests (`input_required` results). */
export interface InputRequiredConfig {
  /** Most `input_required` rounds one host request may take before mcp-route gives up. */
  maxRounds: number;
  /** ms a handle given to the host for a mixed round stays valid. */
  handleTtl: number;
  /** Most handles held at once; the oldest is dropped beyond it. */
  maxHandles: number;
}

export interface Policy {
  version: 1;
  /** File the policy came from, or a label such as "<built-in default>". */
  source: string;
  /** In file order. */
  providers: Record<string, ProviderConfig>;
  /** In file order (built-in catalogue entries after the policy's own). */
  models: Record<string, ModelConfig>;
  defaults: Settings;
  rules: Rule[];
  budgets: Budget[];
  state: StateConfig;
  audit: AuditConfig;
  /** Absent in policies built in code: the run-time default applies (see GatewayConfig). */
  gateway?: GatewayConfig;
  /** `run` and `startProxy` refuse to start without a trusted server name (--server-name). */
  requireServerName?: boolean;
  /** Absent in hand-built policies: the defaults (DEFAULT_INPUT_REQUIRED) apply. */
  inputRequired?: InputRequiredConfig;
  /** Every environment variable a provider's strings read: stripped from the spawned server's env. */
  credentialEnv: string[];
  /** Every resolved secret value (keys, header values): redacted from logs, errors, audit. */
  secrets: string[];
}
