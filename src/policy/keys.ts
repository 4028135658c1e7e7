// The keys the normaliser reads, per object of the policy format. The normaliser iterates
// these lists, the compile-time checks below tie them to the types in types.ts, and
// test/policy/schema-types.test.ts ties them to schemas/policy.schema.json: a key added to
// one of the three without the others fails the build or a test.

import type {
  AuditConfig,
  InputRequiredConfig,
  Budget,
  GatewayConfig,
  Limits,
  ModelConfig,
  ModelParams,
  MockResponse,
  NumberComparison,
  Policy,
  ProviderConfig,
  RetrySettings,
  Rule,
  Settings,
  StateConfig,
  When,
} from './types.js';

export const TOP_KEYS = ['$schema', 'version', 'providers', 'models', 'defaults', 'rules', 'budgets', 'state', 'audit', 'gateway', 'requireServerName', 'inputRequired'] as const;
export const PROVIDER_KEYS = ['type', 'apiKey', 'baseURL', 'headers', 'organization', 'maxTokensParam', 'storeMetadata', 'timeout', 'responses', 'failWith', 'options'] as const;
export const MODEL_KEYS = ['provider', 'model', 'aliases', 'cost', 'speed', 'intelligence', 'contextWindow', 'maxOutput', 'supports', 'params', 'endOfLife'] as const;
export const COST_KEYS = ['input', 'output'] as const;
export const PARAMS_KEYS = ['drop', 'set'] as const;
export const SETTINGS_KEYS = ['models', 'maxTokens', 'tools', 'timeout', 'deadline', 'retry', 'cooldown', 'hints', 'fallbackOn', 'approval', 'approvalFallback', 'approvalTimeout', 'limits'] as const;
export const LIMITS_KEYS = ['requestsPerSession', 'toolRounds'] as const;
export const RETRY_KEYS = ['attempts', 'initialDelay', 'maxDelay'] as const;
export const RULE_OWN_KEYS = ['name', 'when', 'action', 'message'] as const;
export const WHEN_KEYS = ['server', 'hints', 'content', 'tools', 'maxTokens', 'priorities', 'systemPrompt', 'metadata'] as const;
export const PRIORITIES_KEYS = ['cost', 'speed', 'intelligence'] as const;
export const COMPARISON_KEYS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
export const BUDGET_KEYS = ['name', 'scope', 'rpm', 'concurrency', 'tpm', 'tokens', 'usd', 'per', 'onExceed', 'maxWait'] as const;
export const SELECTOR_KEYS = ['server', 'provider', 'model'] as const;
export const STATE_KEYS = ['store', 'path', 'url', 'prefix'] as const;
export const AUDIT_KEYS = ['path', 'content'] as const;
export const GATEWAY_KEYS = ['openai', 'anthropic'] as const;
/** Provider keys that older policies put under `options` (where they are now body fields). */
export const MOVED_OPTION_KEYS = ['maxTokensParam', 'storeMetadata'] as const;
export const INPUT_REQUIRED_KEYS = ['maxRounds', 'handleTtl', 'maxHandles'] as const;
export const MOCK_RESPONSE_KEYS = ['match', 'text', 'toolUse', 'status', 'stopReason', 'delay'] as const;

/** Object name (as the schema-types test calls it) -> the keys the normaliser knows. */
export const KNOWN_KEYS = {
  policy: TOP_KEYS,
  provider: PROVIDER_KEYS,
  model: MODEL_KEYS,
  cost: COST_KEYS,
  params: PARAMS_KEYS,
  settings: SETTINGS_KEYS,
  retry: RETRY_KEYS,
  limits: LIMITS_KEYS,
  rule: [...RULE_OWN_KEYS, ...SETTINGS_KEYS],
  when: WHEN_KEYS,
  priorities: PRIORITIES_KEYS,
  comparison: COMPARISON_KEYS,
  budget: BUDGET_KEYS,
  selector: SELECTOR_KEYS,
  state: STATE_KEYS,
  audit: AUDIT_KEYS,
  gateway: GATEWAY_KEYS,
  inputRequired: INPUT_REQUIRED_KEYS,
  mockResponse: MOCK_RESPONSE_KEYS,
} as const;

// Compile-time agreement between the key lists and the normalised types. Fields that the
// normaliser derives (not written in YAML) are listed explicitly on the right.
type Same<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : { onlyLeft: Exclude<A, B>; onlyRight: Exclude<B, A> };
type Keys<T extends readonly string[]> = T[number];
export const keysAgreeWithTypes: [
  Same<Keys<typeof TOP_KEYS>, Exclude<keyof Policy, 'source' | 'credentialEnv' | 'secrets'> | '$schema'>,
  Same<Keys<typeof PROVIDER_KEYS>, Exclude<keyof ProviderConfig, 'name' | 'envVars' | 'usable' | 'unusableReason'>>,
  Same<Keys<typeof MODEL_KEYS>, Exclude<keyof ModelConfig, 'id' | 'builtin'>>,
  Same<Keys<typeof COST_KEYS>, keyof NonNullable<ModelConfig['cost']>>,
  Same<Keys<typeof PARAMS_KEYS>, keyof ModelParams>,
  Same<Keys<typeof SETTINGS_KEYS>, keyof Settings>,
  Same<Keys<typeof RETRY_KEYS>, keyof RetrySettings>,
  Same<Keys<typeof LIMITS_KEYS>, keyof Limits>,
  Same<Keys<typeof RULE_OWN_KEYS>, Exclude<keyof Rule, 'settings'>>,
  Same<Keys<typeof WHEN_KEYS>, keyof When>,
  Same<Keys<typeof PRIORITIES_KEYS>, keyof NonNullable<When['priorities']>>,
  Same<Keys<typeof COMPARISON_KEYS>, keyof NumberComparison>,
  Same<Keys<typeof BUDGET_KEYS>, keyof Budget>,
  Same<Keys<typeof SELECTOR_KEYS>, Exclude<keyof Extract<Budget['scope'], { kind: 'select' }>, 'kind'>>,
  Same<Keys<typeof STATE_KEYS>, keyof StateConfig>,
  Same<Keys<typeof AUDIT_KEYS>, keyof AuditConfig>,
  Same<Keys<typeof GATEWAY_KEYS>, keyof GatewayConfig>,
  Same<Keys<typeof INPUT_REQUIRED_KEYS>, keyof InputRequiredConfig>,
  Same<Keys<typeof MOCK_RESPONSE_KEYS>, keyof MockResponse>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
