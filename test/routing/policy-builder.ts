// Builds normalised Policy objects for routing tests without going through YAML, so the
// decide() tests state exactly the models, rules and providers each case depends on.
import type { ModelConfig, Policy, ProviderConfig, Rule, Settings } from '../../src/policy/types.js';

export type ModelSpec = Partial<ModelConfig> & { id: string };

export function model(spec: ModelSpec): ModelConfig {
  return {
    provider: 'anthropic',
    model: spec.id,
    aliases: [],
    supports: ['text', 'image', 'tools'],
    ...spec,
  };
}

export function provider(name: string, extra: Partial<ProviderConfig> = {}): ProviderConfig {
  return { name, type: name, envVars: [], usable: true, options: {}, ...extra };
}

export const DEFAULT_SETTINGS: Settings = {
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

export function buildPolicy(init: {
  models: ModelSpec[];
  defaults?: Partial<Settings>;
  rules?: Rule[];
  providers?: ProviderConfig[];
}): Policy {
  const models: Record<string, ModelConfig> = {};
  for (const spec of init.models) models[spec.id] = model(spec);
  const providers: Record<string, ProviderConfig> = {};
  const given = init.providers ?? [];
  for (const p of given) providers[p.name] = p;
  for (const m of Object.values(models)) if (!providers[m.provider]) providers[m.provider] = provider(m.provider);
  return {
    version: 1,
    source: '<test>',
    providers,
    models,
    defaults: { ...DEFAULT_SETTINGS, ...init.defaults },
    rules: init.rules ?? [],
    budgets: [],
    state: { store: 'memory', prefix: 'test' },
    audit: { content: false },
    credentialEnv: [],
    secrets: [],
  };
}
