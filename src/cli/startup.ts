// What `mcp-route run` says at the default log level (warn): the policy problems an operator
// must hear about at start, and one line per failed or refused sampling request, rate-limited
// so a server that loops on a dead provider cannot flood the host's server log.

import type { SamplingOutcome } from '../router/types.js';
import { BUILTIN_DEFAULT_SOURCE } from '../policy/discover.js';
import type { Policy } from '../policy/types.js';
import type { Logger } from '../proxy/log.js';

/** `1`, `true`, `yes`, `on` (any case) turn a boolean environment variable on. */
export function isTruthyEnv(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/** Warnings to print once at start: the built-in default in effect, providers that cannot answer. */
export function startupWarnings(policy: Policy, searched: readonly string[]): string[] {
  const out: string[] = [];
  if (policy.source === BUILTIN_DEFAULT_SOURCE) {
    const names = Object.values(policy.providers)
      .map((p) => `${p.name} (${p.type})`)
      .join(', ');
    out.push(
      `no policy file found (looked for ${searched.join(', ')}); using the built-in default: providers ${names}, no budgets. ` +
        'Pass --policy FILE or set MCP_ROUTE_POLICY (hosts start servers in their own folder); --require-policy refuses to start without one',
    );
  }
  const providers = Object.values(policy.providers);
  const unusable = providers.filter((p) => !p.usable);
  if (providers.length > 0 && unusable.length === providers.length) {
    out.push(`no usable provider: ${unusable.map((p) => `${p.name}: ${p.unusableReason ?? 'not usable'}`).join('; ')}; every sampling request will be refused`);
  } else if (unusable.length > 0) {
    out.push(`provider${unusable.length > 1 ? 's' : ''} not usable, their models are skipped: ${unusable.map((p) => `${p.name}: ${p.unusableReason ?? 'not usable'}`).join('; ')}`);
  }
  return out;
}

/** "a/gpt-5 500: HTTP 500 ..." for each failed attempt, without the provider/model prefix the error repeats. */
export function describeFailure(outcome: SamplingOutcome): string {
  const failed = outcome.attempts.filter((a) => !a.ok);
  if (failed.length > 0) {
    return failed
      .map((a) => {
        const where = `${a.provider}/${a.model}`;
        const error = (a.error ?? 'failed').replace(new RegExp(`^(${escapeRegExp(where)}: )+`), '');
        return `${where}${a.status !== undefined && !error.includes(String(a.status)) ? ` ${a.status}` : ''}: ${error}`;
      })
      .join('; ');
  }
  return (outcome.error?.message ?? outcome.outcome).replace(/^mcp-route: /, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface OutcomeWarnerOptions {
  /** Lines per window before the rest are only counted. Default 5. */
  limit?: number;
  /** ms. Default 60 s. */
  windowMs?: number;
  now?: () => number;
}

/**
 * A warn line for each failed, refused or budget-stopped request (not for aborts: the server
 * cancelled those itself); beyond `limit` per window the rest are counted and summarised
 * once the window ends.
 */
export function createOutcomeWarner(log: Logger, options: OutcomeWarnerOptions = {}): (outcome: SamplingOutcome) => void {
  const limit = options.limit ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  let windowStart = -Infinity;
  let shown = 0;
  let suppressed = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (suppressed > 0)
      log.warn(`${suppressed} more failed or refused sampling request(s) not shown in the last ${Math.round(windowMs / 1000)} s (--log-level info shows each; so does the audit file)`);
    suppressed = 0;
  };
  return (outcome) => {
    if (outcome.outcome === 'ok' || outcome.outcome === 'aborted' || outcome.outcome === 'dry-run' || !log.enabled('warn')) return;
    const t = now();
    if (t - windowStart >= windowMs) {
      if (timer) clearTimeout(timer);
      flush();
      windowStart = t;
      shown = 0;
    }
    if (shown >= limit) {
      suppressed++;
      // The summary must come even if no further request arrives; unref so it never holds the process.
      timer ??= setTimeout(flush, Math.max(0, windowStart + windowMs - t)).unref();
      return;
    }
    shown++;
    const verb = outcome.outcome === 'denied' ? 'refused' : outcome.outcome === 'budget' ? 'refused by a budget' : outcome.outcome === 'invalid' ? 'rejected as invalid' : 'failed';
    const where = outcome.server !== undefined ? ` from ${outcome.server}` : '';
    // The model gateway's calls (`via`) reach the router the same way but are not sampling.
    const what = outcome.via ? `${outcome.via} call` : 'sampling';
    log.warn(`${what} ${JSON.stringify(outcome.requestId ?? null)}${where} ${verb}: ${describeFailure(outcome)}`);
  };
}
