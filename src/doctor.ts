// `mcp-route doctor` as a library: checks what a policy needs at run time that lint cannot
// see — keys resolve, each provider answers its cheapest authenticated call (the models list),
// the models the policy sends exist there, the budget store opens — and says what is wrong.

import { createBudgetStore } from './budgets/stores/index.js';
import { BUILTIN_DEFAULT_SOURCE } from './policy/discover.js';
import { PLACEHOLDER_API_KEY } from './policy/defaults.js';
import type { Policy, ProviderConfig } from './policy/types.js';
import { createProvider } from './providers/registry.js';
import { createRedactor } from './redact.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface DoctorCheck {
  /** What was checked: `policy`, `provider <name>`, `store`. */
  subject: string;
  status: CheckStatus;
  message: string;
}

export interface DoctorOptions {
  /** Per network check, ms. Default 10 s. */
  timeoutMs?: number;
}

export async function runDoctor(policy: Policy, options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const checks: DoctorCheck[] = [];
  checks.push(
    policy.source === BUILTIN_DEFAULT_SOURCE
      ? { subject: 'policy', status: 'warn', message: 'no policy file found: the built-in default applies (no budgets); pass --policy FILE, set MCP_ROUTE_POLICY, or run `mcp-route init`' }
      : { subject: 'policy', status: 'ok', message: `${policy.source} is valid` },
  );
  // Providers are independent: check them at once so one slow endpoint does not add up.
  checks.push(...(await Promise.all(Object.values(policy.providers).map((p) => checkProvider(policy, p, timeoutMs)))));
  checks.push(await checkStore(policy, timeoutMs));
  const redact = createRedactor(policy.secrets);
  return checks.map((c) => ({ ...c, message: redact(c.message) }));
}

function keySource(p: ProviderConfig): string | undefined {
  if (p.apiKey === PLACEHOLDER_API_KEY) return 'no key (local endpoint)';
  if (p.envVars.length > 0) return `key from ${p.envVars.join(', ')}`;
  return p.apiKey ? 'key written in the policy' : undefined;
}

async function checkProvider(policy: Policy, p: ProviderConfig, timeoutMs: number): Promise<DoctorCheck> {
  const subject = `provider ${p.name}`;
  const served = Object.values(policy.models).filter((m) => m.provider === p.name);
  if (!p.usable) return { subject, status: 'fail', message: `${p.type}: ${p.unusableReason ?? 'not usable'}` };
  if (p.type === 'client') return { subject, status: 'info', message: 'client: answers only when the host declares sampling (most hosts do not); nothing to reach from here' };
  if (p.type === 'mock') return { subject, status: 'ok', message: `mock: answers from the policy (${served.length} model${served.length === 1 ? '' : 's'})` };
  let provider: ReturnType<typeof createProvider>;
  try {
    provider = createProvider(p);
  } catch (err) {
    return { subject, status: 'fail', message: `${p.type}: cannot be created: ${(err as Error).message}` };
  }
  if (!provider.listModels) return { subject, status: 'info', message: `${p.type}: no cheap call to check it with; not checked` };
  const where = p.baseURL ?? `the ${p.type} API`;
  const started = performance.now();
  try {
    const listed = await provider.listModels({ signal: AbortSignal.timeout(timeoutMs) });
    const ms = Math.round(performance.now() - started);
    const key = keySource(p);
    // A listed snapshot (`claude-sonnet-4-5-20250929`) serves its undated alias too.
    const missing = served.filter((m) => !listed.some((id) => id === m.model || id.startsWith(`${m.model}-`)));
    const base = `${p.type}: reached ${where} in ${ms} ms${key ? `; ${key}` : ''}; ${listed.length} model${listed.length === 1 ? '' : 's'} listed`;
    if (missing.length > 0) {
      return {
        subject,
        status: 'warn',
        message: `${base}; not listed there: ${missing.map((m) => (m.model === m.id ? m.id : `${m.id} (sent as ${m.model})`)).join(', ')} — check the name (a request for it will fail unless the endpoint serves unlisted models)`,
      };
    }
    return { subject, status: 'ok', message: `${base}${served.length ? `, including every model the policy sends here (${served.length})` : ''}` };
  } catch (err) {
    const text = (err as Error).message.replace(new RegExp(`^${p.name}/models: `), '');
    const hint = /HTTP 401|HTTP 403/.test(text) ? ' — the key was refused: check it' : /connection failed|timed out/.test(text) ? ` — is ${where} the right address, and reachable from here?` : '';
    return { subject, status: 'fail', message: `${p.type}: ${where}: ${text}${hint}` };
  } finally {
    await provider.close?.().catch(() => {});
  }
}

async function checkStore(policy: Policy, timeoutMs: number): Promise<DoctorCheck> {
  const s = policy.state;
  const label = s.store === 'sqlite' ? `sqlite ${s.path ?? ''}`.trim() : s.store === 'redis' ? `redis ${(s.url ?? '').replace(/\/\/[^@/]*@/, '//***@')}` : 'memory';
  // Opening a sqlite store creates its file: do not leave one behind for a policy that never counts.
  if (policy.budgets.length === 0) return { subject: 'store', status: 'info', message: `${label}: no budgets, so the store is not used` };
  if (s.store === 'memory') return { subject: 'store', status: 'ok', message: 'memory: counters live in each process (not shared between processes)' };
  let store: ReturnType<typeof createBudgetStore> | undefined;
  try {
    store = createBudgetStore(s);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([store.read([{ key: 'doctor-probe', kind: 'inflight' }], Date.now()), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return { subject: 'store', status: 'ok', message: `${label}: readable` };
  } catch (err) {
    return { subject: 'store', status: 'fail', message: `${label}: ${(err as Error).message}` };
  } finally {
    await store?.close().catch(() => {});
  }
}
