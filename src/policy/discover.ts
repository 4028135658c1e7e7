// Which policy applies when none is named: ./mcp-route.yaml, then the user's config folder,
// else a built-in default that uses whichever vendor key is set and otherwise hands sampling
// back to the host — so `mcp-route run -- server` works with no file at all.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtinModels } from '../catalogue/catalogue.js';
import { loadPolicyFile, normalisePolicy } from './load.js';
import type { Policy } from './types.js';

export const BUILTIN_DEFAULT_SOURCE = '<built-in default>';

/** Where discovery looks, in order. */
export function policySearchPaths(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const config = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return [resolve(cwd, 'mcp-route.yaml'), join(config, 'mcp-route', 'policy.yaml')];
}

/** The first policy file found (throws PolicyError if it is invalid), else the built-in default. */
export function discoverPolicy(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { path?: string; policy: Policy } {
  const env = options.env ?? process.env;
  for (const path of policySearchPaths(options)) {
    if (existsSync(path)) return { path, policy: loadPolicyFile(path, env) };
  }
  return { policy: builtinDefaultPolicy(env) };
}

// Balanced, current first choices, so a request without hints or priorities does not land on
// the dearest model just because it is first in the catalogue, nor on one near its end of life.
const FIRST_CHOICES = ['claude-sonnet-4-6', 'gpt-5.1'];

/** The policy used when no file is found. */
export function builtinDefaultPolicy(env: NodeJS.ProcessEnv = process.env): Policy {
  const providers: Record<string, unknown> = {};
  if (env['ANTHROPIC_API_KEY']) providers['anthropic'] = { type: 'anthropic' };
  if (env['OPENAI_API_KEY']) providers['openai'] = { type: 'openai' };
  const models: Record<string, unknown> = {};
  if (Object.keys(providers).length === 0) {
    providers['host'] = { type: 'client' };
    // The host picks its own model; hints still reach it untouched.
    models['host'] = { provider: 'host', supports: ['text', 'image', 'audio', 'tools'] };
  } else {
    const types = new Set(Object.values(providers).map((p) => (p as { type: string }).type));
    const available = builtinModels().filter((m) => types.has(m.vendor));
    for (const id of FIRST_CHOICES) if (available.some((m) => m.id === id)) models[id] = {};
    models['extends'] = 'builtin';
  }
  return normalisePolicy({ version: 1, providers, models }, BUILTIN_DEFAULT_SOURCE, env);
}
