// Which policy applies when none is named: $MCP_ROUTE_POLICY, else ./mcp-route.yaml (.yml), then
// the user's config folder, else a built-in default that uses whichever vendor key is set and
// otherwise hands sampling back to the host — so `mcp-route run -- server` works with no file.

import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { McpRouteError } from '../errors.js';
import { builtinModels } from '../catalogue/catalogue.js';
import { PLACEHOLDER_API_KEY } from './defaults.js';
import { userinfoSecrets } from './secrets.js';
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
  return [resolve(cwd, 'mcp-route.yaml'), resolve(cwd, 'mcp-route.yml'), join(config, 'mcp-route', 'policy.yaml'), join(config, 'mcp-route', 'policy.yml')];
}

/**
 * The first policy file found (throws PolicyError if it is invalid), else the built-in default.
 * `searched` lists where it looked, for the start-up warning when nothing was found. A
 * $MCP_ROUTE_POLICY that names no file is an error: the operator asked for that file.
 */
export function discoverPolicy(options: DiscoverOptions = {}): DiscoveredPolicy {
  const env = options.env ?? process.env;
  const searched = policySearchPaths(options);
  const cwd = resolve(options.cwd ?? process.cwd());
  for (const path of searched) {
    if (!existsSync(path)) continue;
    const policy = loadPolicyFile(path, env);
    // A file in the working directory may be a cloned repository's (see restrictToVendorHosts);
    // $MCP_ROUTE_POLICY comes from the user's own host config, wherever it points.
    const trusted = Boolean(env[POLICY_ENV]) || dirname(path) !== cwd;
    return { path, policy, searched, warnings: trusted ? [] : restrictUntrustedPolicy(policy, path, env), trusted };
  }
  if (env[POLICY_ENV]) {
    throw new McpRouteError('POLICY_NOT_FOUND', `${POLICY_ENV} names ${searched[0]}, which does not exist; fix the path or unset ${POLICY_ENV}`);
  }
  return { policy: builtinDefaultPolicy(env), searched, warnings: [], trusted: true };
}

export interface DiscoveredPolicy {
  path?: string;
  policy: Policy;
  /** Where discovery looked, for the start-up warning when nothing was found. */
  searched: string[];
  /** What the trust rule changed (providers not used), one sentence each, for the log. */
  warnings: string[];
  /** False for a file found in the working directory: reloads must apply restrictToVendorHosts too. */
  trusted: boolean;
}

/**
 * What a policy found in the working directory (perhaps a cloned repository's) may not do:
 * send a credential from the environment beyond its vendor's host, or append audit lines to a
 * file outside its own folder (a shell profile, authorized_keys). Changes `policy` in place;
 * returns the warnings.
 */
export function restrictUntrustedPolicy(policy: Policy, path: string, env: NodeJS.ProcessEnv): string[] {
  return [...restrictToVendorHosts(policy, path, env), ...restrictAuditPath(policy, path)];
}

/** Drops an audit path that leaves the policy's folder, following symbolic links of its folders. */
function restrictAuditPath(policy: Policy, path: string): string[] {
  const target = policy.audit.path;
  if (target === undefined) return [];
  const home = realFolder(dirname(resolve(path)));
  const inside = relative(home, realFolder(dirname(resolve(target))));
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) return [];
  delete policy.audit.path;
  return [
    `audit file ${target} not used: ${path} was found in the working directory, not named with --policy, and may write audit lines only inside its own folder. Pass --policy ${path} if you trust it`,
  ];
}

/** The real path of `folder`, or of its nearest existing ancestor joined with the rest. */
function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    const parent = dirname(folder);
    return parent === folder ? folder : join(realFolder(parent), basename(folder));
  }
}

/** Each vendor's own API host: where its key may go from a policy the user did not name. */
export const VENDOR_HOSTS: Readonly<Record<string, string>> = { openai: 'api.openai.com', anthropic: 'api.anthropic.com' };

/**
 * Marks unusable every provider that would send a value taken from the environment (its key,
 * a header, URL userinfo) to a host other than its vendor's API, and says so. Changes `policy`
 * in place; returns the warnings.
 */
export function restrictToVendorHosts(policy: Policy, path: string, env: NodeJS.ProcessEnv): string[] {
  const warnings: string[] = [];
  for (const cfg of Object.values(policy.providers)) {
    if (!cfg.usable || cfg.type === 'mock' || cfg.type === 'client') continue;
    const vendorHost = VENDOR_HOSTS[cfg.type];
    let host: string | undefined;
    try {
      host = cfg.baseURL ? new URL(cfg.baseURL).hostname.toLowerCase() : vendorHost;
    } catch {
      host = undefined;
    }
    if (host !== undefined && host === vendorHost) continue;
    const sent = [cfg.apiKey === PLACEHOLDER_API_KEY ? '' : (cfg.apiKey ?? ''), ...Object.values(cfg.headers ?? {}), ...userinfoSecrets(cfg.baseURL ?? '')];
    const fromEnv = cfg.envVars.filter((name) => {
      const value = env[name];
      return !!value && sent.some((field) => field.includes(value));
    });
    if (fromEnv.length === 0) continue;
    const reason = `${path} was found in the working directory, not named with --policy; it may not send ${fromEnv.join(', ')} to ${host ?? cfg.baseURL}${vendorHost ? ` (only to ${vendorHost})` : ''}. Pass --policy ${path} if you trust it`;
    cfg.usable = false;
    cfg.unusableReason = reason;
    delete cfg.apiKey;
    delete cfg.headers;
    warnings.push(`provider \`${cfg.name}\` not used: ${reason}`);
  }
  return warnings;
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
