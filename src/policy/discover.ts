// Which policy applies when none is named: $MCP_ROUTE_POLICY, else ./mcp-route.yaml (.yml), then
// the user's config folder, else a built-in default that uses whichever vendor key is set and
// otherwise hands sampling back to the host — so `mcp-route run -- server` works with no file.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { McpRouteError } from '../errors.js';
import { builtinModels } from '../catalogue/catalogue.js';
import { loadPolicyFile, normalisePolicy } from './load.js';
import type { Policy } from './types.js';

export const BUILTIN_DEFAULT_SOURCE = '<built-in default>';
/** Names the one policy file to use; discovery does not look anywhere else when it is set. */
export const POLICY_ENV = 'MCP_ROUTE_POLICY';

interface DiscoverOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Where discovery looks, in order (only $MCP_ROUTE_POLICY when that is set). */
export function policySearchPaths(options: DiscoverOptions = {}): string[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = env[POLICY_ENV];
  if (named) return [resolve(cwd, named)];
  const config = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return [
    resolve(cwd, 'mcp-route.yaml'),
    resolve(cwd, 'mcp-route.yml'),
    join(config, 'mcp-route', 'policy.yaml'),
    join(config, 'mcp-route', 'policy.yml'),
  ];
}

/**
 * The first policy file found (throws PolicyError if it is invalid), else the built-in default.
 * `searched` lists where it looked, for the start-up warning when nothing was found. A
 * $MCP_ROUTE_POLICY that names no file is an error: the operator asked for that file.
 */
export function discoverPolicy(options: DiscoverOptions = {}): { path?: string; policy: Policy; searched: string[] } {
  const env = options.env ?? process.env;
  const searched = policySearchPaths(options);
  for (const path of searched) {
    if (existsSync(path)) return { path, policy: loadPolicyFile(path, env), searched };
  }
  if (env[POLICY_ENV]) {
    throw new McpRouteError('POLICY_NOT_FOUND', `${POLICY_ENV} names ${searched[0]}, which does not exist; fix the path or unset ${POLICY_ENV}`);
  }
  return { policy: builtinDefaultPolicy(env), searched };
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
