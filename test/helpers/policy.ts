// Normalised policies built in code, for the tests (and benchmarks) that state exactly the
// providers, models, rules, budgets and settings they depend on, without going through YAML.
// One base (`policyOf`); the builders below differ only in the defaults their tests assume.
import type { Budget, ModelConfig, Policy, ProviderConfig, Rule, Settings, StateConfig } from '../../src/policy/types.js';

/** A Policy with nothing in it but what `parts` gives; memory state, no audit, no secrets. */
export function policyOf(parts: Partial<Policy> & { defaults: Settings }): Policy {
  return {
    version: 1,
    source: '<test>',
    providers: {},
    models: {},
    rules: [],
    budgets: [],
    state: { store: 'memory', prefix: 'test' },
    audit: { content: false },
    credentialEnv: [],
    secrets: [],
    ...parts,
  };
}

// --- providers, models and requests (router, execution and provider tests) ---

export function providerConfig(name: string, type: string, extra: Partial<ProviderConfig> = {}): ProviderConfig {
  return { name, type, envVars: [], usable: true, options: {}, ...extra };
}

export function modelConfig(id: string, provider: string, extra: Partial<ModelConfig> = {}): ModelConfig {
  return { id, provider, model: id, aliases: [], supports: ['text', 'image', 'audio', 'tools'], ...extra };
}

/** Tiny retry delays so failure paths stay fast. */
export const FAST: Settings = {
  tools: 'allow',
  timeout: 5_000,
  deadline: 10_000,
  retry: { attempts: 3, initialDelay: 1, maxDelay: 5 },
  cooldown: 30_000,
  hints: 'prefer',
};

export function testPolicy(init: { providers: ProviderConfig[]; models: ModelConfig[]; defaults?: Partial<Settings>; secrets?: string[] }): Policy {
  return policyOf({
    providers: Object.fromEntries(init.providers.map((p) => [p.name, p])),
    models: Object.fromEntries(init.models.map((m) => [m.id, m])),
    defaults: { ...FAST, ...init.defaults },
    secrets: init.secrets ?? [],
  });
}

export const hello = { messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }], maxTokens: 100 };

// --- routing (decide) tests: models by spec, providers added for every model that names one ---

export type ModelSpec = Partial<ModelConfig> & { id: string };

export function model(spec: ModelSpec): ModelConfig {
  return { provider: 'anthropic', model: spec.id, aliases: [], supports: ['text', 'image', 'tools'], ...spec };
}

export function provider(name: string, extra: Partial<ProviderConfig> = {}): ProviderConfig {
  return providerConfig(name, name, extra);
}

const ROUTING_DEFAULTS: Settings = {
  tools: 'allow',
  timeout: 30_000,
  deadline: 120_000,
  retry: { attempts: 2, initialDelay: 500, maxDelay: 5_000 },
  cooldown: 30_000,
  hints: 'prefer',
};

export function rule(name: string, when: Rule['when'], settings: Partial<Settings> = {}, extra: Partial<Rule> = {}): Rule {
  return { name, when, action: 'route', settings, ...extra };
}

export function buildPolicy(init: { models: ModelSpec[]; defaults?: Partial<Settings>; rules?: Rule[]; providers?: ProviderConfig[] }): Policy {
  const models: Record<string, ModelConfig> = {};
  for (const spec of init.models) models[spec.id] = model(spec);
  const providers: Record<string, ProviderConfig> = {};
  for (const p of init.providers ?? []) providers[p.name] = p;
  for (const m of Object.values(models)) if (!providers[m.provider]) providers[m.provider] = provider(m.provider);
  return policyOf({ providers, models, defaults: { ...ROUTING_DEFAULTS, ...init.defaults }, rules: init.rules ?? [] });
}

// --- budgets ---

export function budget(init: Partial<Budget> & { name: string }): Budget {
  return { scope: { kind: 'global' }, per: 'day', onExceed: 'reject', maxWait: 0, ...init };
}

export function policyWith(budgets: Budget[], state: Partial<StateConfig> = {}): Policy {
  return policyOf({
    defaults: { tools: 'allow', timeout: 30_000, deadline: 60_000, retry: { attempts: 1, initialDelay: 100, maxDelay: 1000 }, cooldown: 0, hints: 'prefer' },
    budgets,
    state: { store: 'memory', prefix: 'mcp-route', ...state },
  });
}

export function fakeClock(start = Date.UTC(2030, 0, 15, 12, 0, 0)): { now: () => number; advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}
