// Where every command gets its policy: `--policy FILE`, else discovery ($MCP_ROUTE_POLICY,
// ./mcp-route.yaml, the config folder, the built-in default), with one wording and one exit
// code when that fails.

import { McpRouteError, PolicyError } from '../errors.js';
import { discoverPolicy, type DiscoveredPolicy } from '../policy/discover.js';
import { loadPolicyFile } from '../policy/load.js';

/** A file named with --policy is trusted and searched nowhere else. */
export function commandPolicy(flag: string | undefined): DiscoveredPolicy {
  if (flag === undefined) return discoverPolicy({ cwd: process.cwd(), env: process.env });
  return { path: flag, policy: loadPolicyFile(flag, process.env), searched: [], warnings: [], trusted: true };
}

/**
 * Writes `<prefix>: <message>` to stderr and returns the exit code: 1 for a policy that is
 * invalid or missing, 2 for anything else. A PolicyError's message already holds every
 * diagnostic (file:line:col and a code frame).
 */
export function reportCommandError(prefix: string, err: unknown): number {
  process.stderr.write(`${prefix}: ${err instanceof Error ? err.message : String(err)}\n`);
  return err instanceof PolicyError || (err instanceof McpRouteError && err.code === 'POLICY_NOT_FOUND') ? 1 : 2;
}
