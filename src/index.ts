// The library API of mcp-route: only what is exported here is public, and every name has a
// place in the README's "library" section and in the generated API docs (npm run docs).
// Implementation modules stay private so they can change without breaking embedders.

export { loadPolicy, type PolicyInput, type PolicyDocument, type LoadPolicyOptions } from './library/policy-input.js';
export { lintPolicy, type LintInput, type LintPolicyOptions } from './library/lint-policy.js';
export { formatDiagnostics, type Diagnostic, type Severity } from './policy/diagnostics.js';
export { createRouter } from './library/create-router.js';
export {
  createSamplingHandler,
  toMcpError,
  type SamplingHandler,
  type SamplingHandlerExtra,
  type SamplingHandlerOptions,
} from './library/sampling-handler.js';
export { samplingCapabilities, type SamplingCapabilities } from './library/capabilities.js';
export { startProxy, type StartProxyOptions, type ProxyHandle } from './library/start-proxy.js';
export { registerProvider } from './library/register-provider.js';
export { providerTypes } from './providers/registry.js';
export { META_KEY } from './providers/result-meta.js';
export { McpRouteError, ProviderError, PolicyError, isRetryableStatus, type ErrorCode, type Attempt } from './errors.js';
export { isRetryable } from './library/retryable.js';
export type { LogLevel } from './proxy/log.js';

export type {
  Policy,
  ProviderType,
  ToolsMode,
  HintsMode,
  Capability,
  ContentKind,
  BudgetPeriod,
  OnExceed,
  StoreKind,
  MockResponse,
  ProviderConfig,
  ModelConfig,
  RetrySettings,
  Settings,
  NumberComparison,
  When,
  Rule,
  BudgetScope,
  Budget,
  StateConfig,
  AuditConfig,
} from './policy/types.js';
export type { SamplingRequest, Decision, RouteDecision, DenyDecision, Refusal, Candidate, Dropped, DropCode, EffectiveSettings, TraceEntry } from './routing/types.js';
export type { Provider, ProviderFactory, ProviderEnvironment, ProviderCallOptions, ProviderResult, Usage, HostSampler } from './providers/types.js';
export type { BudgetGate, ReserveRequest, ReserveResult, Reservation, BudgetStatus } from './budgets/types.js';
export type { Router, RouterOptions, RouteOptions, SamplingOutcome } from './router/types.js';
