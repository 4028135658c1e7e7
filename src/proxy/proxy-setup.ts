// What every routed proxy sets up around runProxy, whether `mcp-route run` (src/cli) or the
// library's `startProxy` starts it: the audit file, the server's environment without
// credentials, and the options that hand the server's sampling to a router. One home, so the
// CLI and the library start a proxy the same way.

import type { Approver } from '../approval/approval.js';
import { openAuditLog, type AuditLog } from '../audit/audit-log.js';
import { policyMayAllowTools } from '../policy/may-allow-tools.js';
import type { Policy } from '../policy/types.js';
import type { HostSampler } from '../providers/types.js';
import type { Router } from '../router/types.js';
import { buildChildEnv } from './child-env.js';
import type { Logger } from './log.js';
import type { ChildProxyOptions } from './proxy.js';

/** What the proxy knows about the host when it builds the router: only what the host declared. */
export interface HostExtras {
  hostSampler?: HostSampler;
  approver?: Approver;
}

/**
 * The audit file at `path` (none without a path), with the policy's content setting and the
 * redactor; a write that fails later is logged. Throws when the file cannot be opened.
 */
export function openProxyAudit(path: string | undefined, policy: Policy, redact: (text: string) => string, log: Logger): AuditLog | undefined {
  if (!path) return undefined;
  return openAuditLog(path, { content: policy.audit.content, redact, onError: (e) => log.error(`audit ${path}: ${e.message}`) });
}

/** The server's environment: `base` plus `extra`, minus every credential the policy reads; and which names were kept out. */
export function serverEnv(policy: Policy, base: NodeJS.ProcessEnv, extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; stripped: string[] } {
  return buildChildEnv(base, extra, policy.credentialEnv, policy.secrets);
}

export interface RoutedProxyInput {
  command: string;
  args: string[];
  cwd?: string | undefined;
  /** Already stripped (serverEnv). */
  env: NodeJS.ProcessEnv;
  log: Logger;
  redact: (text: string) => string;
  serverName?: string | undefined;
  graceMs: number;
}

export type RoutedProxyOptions = Pick<ChildProxyOptions, 'command' | 'args' | 'cwd' | 'env' | 'log' | 'redact' | 'serverName' | 'toolsMayBeAllowed' | 'graceMs' | 'createRouter'>;

/** The runProxy options for a server under `policy`, its sampling answered by `routerFor`. */
export function routedProxyOptions(policy: Policy, input: RoutedProxyInput, routerFor: (extras: HostExtras) => Router | Promise<Router>): RoutedProxyOptions {
  return {
    command: input.command,
    args: input.args,
    ...(input.cwd !== undefined ? { cwd: input.cwd } : {}),
    env: input.env,
    log: input.log,
    redact: input.redact,
    ...(input.serverName !== undefined ? { serverName: input.serverName } : {}),
    toolsMayBeAllowed: policyMayAllowTools(policy),
    graceMs: input.graceMs,
    createRouter: ({ hostSampler, approver }) => routerFor({ ...(hostSampler ? { hostSampler } : {}), ...(approver ? { approver } : {}) }),
  };
}
