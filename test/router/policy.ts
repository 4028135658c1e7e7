// Normalised policies for provider, execution and router tests, built in code so each
// test states exactly the providers, models and settings it depends on.
import type { ModelConfig, Policy, ProviderConfig, Settings } from '../../src/policy/types.js';

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
  return {
    version: 1,
    source: '<test>',
    providers: Object.fromEntries(init.providers.map((p) => [p.name, p])),
    models: Object.fromEntries(init.models.map((m) => [m.id, m])),
    defaults: { ...FAST, ...init.defaults },
    rules: [],
    budgets: [],
    state: { store: 'memory', prefix: 'test' },
    audit: { content: false },
    credentialEnv: [],
    secrets: init.secrets ?? [],
  };
}

export const hello = { messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }], maxTokens: 100 };
