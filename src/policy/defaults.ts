// What a policy means when it leaves a key out. One table, so the README, `explain` and the
// normaliser cannot disagree.

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AuditConfig, InputRequiredConfig, Settings } from './types.js';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  models: undefined,
  maxTokens: undefined,
  // The proxy should be unnoticeable: tools reach models that support them unless a policy says otherwise.
  tools: 'allow',
  timeout: 60_000,
  deadline: 120_000,
  retry: Object.freeze({ attempts: 3, initialDelay: 500, maxDelay: 8_000 }),
  cooldown: 5_000,
  hints: 'prefer',
  // Asking is opt-in; when asking is impossible, refusing is the safe answer.
  approval: 'none',
  approvalFallback: 'deny',
  approvalTimeout: 120_000,
}) as Settings;

export const DEFAULT_BUDGET = Object.freeze({ per: 'day', onExceed: 'reject', maxWait: 30_000 } as const);

export const DEFAULT_STATE_PREFIX = 'mcp-route';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_AUDIT: Readonly<AuditConfig> = Object.freeze({ content: false });
// Ten rounds, as both MCP SDKs bound their own input_required loops; handles live as long as
// a person may take to answer an elicitation, and are capped so a host cannot grow them.
export const DEFAULT_INPUT_REQUIRED: Readonly<InputRequiredConfig> = Object.freeze({ maxRounds: 10, handleTtl: 600_000, maxHandles: 1000 });

/** mcp-route's state folder: `$XDG_STATE_HOME/mcp-route`, or `~/.local/state/mcp-route`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_STATE_HOME'] || join(env['HOME'] || homedir(), '.local', 'state');
  return join(base, 'mcp-route');
}

/** `$XDG_STATE_HOME/mcp-route/state.db`, or `~/.local/state/mcp-route/state.db`. */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultStateDir(env), 'state.db');
}

/** The conventional key variable the vendor SDKs read when no key is given. */
export const CONVENTIONAL_KEY_ENV: Readonly<Record<string, string>> = Object.freeze({
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
});

/** Sent as the key to local OpenAI-compatible endpoints (Ollama, llama.cpp, vLLM) that need none. */
export const PLACEHOLDER_API_KEY = 'no-key-needed';
