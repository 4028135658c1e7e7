// Turns a validated policy value into the typed Policy every other module consumes: defaults
// filled in, durations in ms, the built-in catalogue merged, credentials resolved and the
// environment variables they came from recorded, paths resolved against the policy's folder.

import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { builtinFor, extendedBuiltins, firstProviderOfType } from './catalogue-merge.js';
import {
  CONVENTIONAL_KEY_ENV,
  DEFAULT_AUDIT,
  DEFAULT_INPUT_REQUIRED,
  DEFAULT_BUDGET,
  DEFAULT_REDIS_URL,
  DEFAULT_SETTINGS,
  DEFAULT_STATE_PREFIX,
  PLACEHOLDER_API_KEY,
  defaultStatePath,
} from './defaults.js';
import type { Diagnostic } from './diagnostics.js';
import { parseDuration } from './duration.js';
import type { PathSegment } from './interpolate.js';
import { isLocalURL } from './local-url.js';
import { providerSecrets, secretForms, userinfoSecrets } from './secrets.js';
import { COMPARISON_KEYS, LIMITS_KEYS, MOCK_RESPONSE_KEYS, MOVED_OPTION_KEYS, PRIORITIES_KEYS, SETTINGS_KEYS, WHEN_KEYS } from './keys.js';
import type { SourceMap } from './source-map.js';
import type {
  Budget,
  BudgetScope,
  Capability,
  MockResponse,
  ModelConfig,
  ModelParams,
  NumberComparison,
  Policy,
  ProviderConfig,
  Rule,
  Settings,
  When,
} from './types.js';
import { entries, isObj, list, num, str, type Obj } from './util.js';
import { createModelNameIndex } from './model-names.js';
import { isGlob } from '../routing/glob.js';

export interface NormaliseInput {
  /** Interpolated, schema-valid policy value. */
  value: unknown;
  /** Variables read, by the path of the string that read them. */
  reads: ReadonlyArray<{ path: PathSegment[]; name: string }>;
  source: string;
  env: NodeJS.ProcessEnv;
  map: SourceMap;
  /** Directory relative paths resolve against. */
  baseDir: string;
}

export function normalise(input: NormaliseInput): { policy: Policy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const raw = (isObj(input.value) ? input.value : {}) as Obj;
  const duration = (path: PathSegment[], v: unknown, fallback: number): number => {
    if (v === undefined) return fallback;
    try {
      return parseDuration(v as string | number);
    } catch (err) {
      diagnostics.push({ severity: 'error', code: 'invalid-value', message: (err as Error).message, path: input.source, ...input.map.value(path) });
      return fallback;
    }
  };

  // Providers.
  const providers: Record<string, ProviderConfig> = {};
  const secrets = new Set<string>();
  const credentialEnv = new Set<string>();
  for (const [name, rawProvider] of entries(raw['providers'])) {
    if (!isObj(rawProvider)) continue;
    let p = rawProvider;
    const type = str(p['type']) ?? 'mock';
    const envVars = [...new Set(input.reads.filter((r) => r.path[0] === 'providers' && r.path[1] === name).map((r) => r.name))];
    const options = isObj(p['options']) ? { ...p['options'] } : {};
    const cfg: ProviderConfig = { name, type, envVars, usable: true, options };
    const baseURL = str(p['baseURL']);
    if (baseURL) cfg.baseURL = baseURL;
    if (isObj(p['headers'])) cfg.headers = Object.fromEntries(Object.entries(p['headers']).map(([k, v]) => [k, String(v)]));
    if (typeof p['organization'] === 'string') cfg.organization = p['organization'];
    // Policies written before these became provider keys had them under `options`, which now
    // goes into the request body: lift them out (lint says where they belong).
    for (const k of MOVED_OPTION_KEYS) {
      if (type === 'openai' && k in options && !(k in p)) p = { ...p, [k]: options[k] };
      if (type === 'openai' || type === 'anthropic') delete options[k];
    }
    if (p['maxTokensParam'] === 'max_tokens' || p['maxTokensParam'] === 'max_completion_tokens') cfg.maxTokensParam = p['maxTokensParam'];
    if (typeof p['storeMetadata'] === 'boolean') cfg.storeMetadata = p['storeMetadata'];
    if (p['timeout'] !== undefined) cfg.timeout = duration(['providers', name, 'timeout'], p['timeout'], DEFAULT_SETTINGS.timeout);
    if (Array.isArray(p['responses'])) cfg.responses = p['responses'].filter(isObj).map(mockResponse);
    if (num(p['failWith']) !== undefined) cfg.failWith = num(p['failWith']);
    const conventional = CONVENTIONAL_KEY_ENV[type];
    if (typeof p['apiKey'] === 'string') {
      cfg.apiKey = p['apiKey'];
      if (cfg.apiKey === '') {
        const vars = input.reads.filter((r) => r.path[0] === 'providers' && r.path[1] === name && r.path[2] === 'apiKey').map((r) => r.name);
        cfg.usable = false;
        cfg.unusableReason = vars.length ? `${vars.join(', ')} ${vars.length > 1 ? 'are' : 'is'} not set (providers.${name}.apiKey)` : `providers.${name}.apiKey is empty`;
        if (conventional && baseURL && isLocalURL(baseURL)) {
          cfg.apiKey = PLACEHOLDER_API_KEY;
          cfg.usable = true;
          delete cfg.unusableReason;
        }
      }
    } else if (conventional) {
      // The SDKs read these variables by default; resolve here so usability is known up front.
      credentialEnv.add(conventional);
      if (!cfg.envVars.includes(conventional)) cfg.envVars.push(conventional);
      const fromEnv = input.env[conventional];
      // A vendor key is never sent to a local endpoint that did not ask for one.
      if (baseURL && isLocalURL(baseURL)) cfg.apiKey = PLACEHOLDER_API_KEY;
      else if (fromEnv) cfg.apiKey = fromEnv;
      else {
        cfg.usable = false;
        cfg.unusableReason = `${conventional} is not set (provider \`${name}\` has no apiKey)`;
      }
    }
    for (const s of providerSecrets({ ...cfg, apiKey: cfg.apiKey === PLACEHOLDER_API_KEY ? undefined : cfg.apiKey })) secrets.add(s);
    // The vendor variable is a key even when this provider does not send it (a local baseURL).
    if (conventional && !('apiKey' in p) && input.env[conventional]) for (const s of secretForms(input.env[conventional]!)) secrets.add(s);
    for (const r of input.reads) {
      if (r.path[0] !== 'providers' || r.path[1] !== name) continue;
      for (const s of variableSecrets(r.path[2], r.name, input.env, baseURL)) secrets.add(s);
    }
    for (const v of cfg.envVars) credentialEnv.add(v);
    providers[name] = cfg;
  }

  // Models: the policy's own, in file order, then what `extends: builtin` adds.
  const models: Record<string, ModelConfig> = {};
  for (const [id, m] of entries(raw['models'])) {
    if (id === 'extends') continue;
    const e = isObj(m) ? m : {};
    const b = builtinFor(id, e);
    const provider = str(e['provider']) ?? (b ? firstProviderOfType(raw['providers'], b.vendor) : undefined) ?? '';
    const mc: ModelConfig = {
      id,
      provider,
      model: str(e['model']) ?? id,
      // Aliases add to the built-in ones rather than replace them: `haiku` should keep working.
      aliases: [...new Set([...(Array.isArray(e['aliases']) ? e['aliases'].map(String) : []), ...(b ? b.aliases : [])])],
      supports: (Array.isArray(e['supports']) ? e['supports'] : b ? b.supports : ['text']) as Capability[],
    };
    const cost = isObj(e['cost']) ? { input: Number(e['cost']['input']), output: Number(e['cost']['output']) } : b ? { ...b.cost } : undefined;
    if (cost) mc.cost = cost;
    for (const k of ['speed', 'intelligence', 'contextWindow', 'maxOutput'] as const) {
      const v = num(e[k]) ?? b?.[k];
      if (v !== undefined) mc[k] = v;
    }
    const params = modelParams(e['params'], b?.params);
    if (params) mc.params = params;
    const endOfLife = str(e['endOfLife']) ?? b?.endOfLife;
    if (endOfLife) mc.endOfLife = endOfLife;
    if (b) mc.builtin = true;
    models[id] = mc;
  }
  for (const { model: b, provider } of extendedBuiltins(raw['models'], raw['providers'])) {
    models[b.id] = {
      id: b.id,
      provider,
      model: b.id,
      aliases: [...b.aliases],
      cost: { ...b.cost },
      speed: b.speed,
      intelligence: b.intelligence,
      contextWindow: b.contextWindow,
      maxOutput: b.maxOutput,
      supports: [...b.supports],
      ...(b.params ? { params: { drop: [...b.params.drop], set: {} } } : {}),
      ...(b.endOfLife ? { endOfLife: b.endOfLife } : {}),
      builtin: true,
    };
  }
  // Settings and budget selectors name models by id or alias; routing and budgets work on ids.
  const names = createModelNameIndex(Object.values(models));
  const idOf = (name: string): string => names.resolve(name)?.id ?? name;
  const modelIds = (v: unknown): string[] => [...new Set(list(v).map((x) => idOf(String(x))))];

  const partialSettings = (path: PathSegment[], s: Obj, base: Settings): Partial<Settings> => {
    const out: Partial<Settings> = {};
    for (const k of SETTINGS_KEYS) {
      if (!(k in s)) continue;
      const v = s[k];
      switch (k) {
        case 'models':
          out.models = modelIds(v);
          break;
        case 'maxTokens':
          if (num(v) !== undefined) out.maxTokens = num(v);
          break;
        case 'tools':
          out.tools = v as Settings['tools'];
          break;
        case 'hints':
          out.hints = v as Settings['hints'];
          break;
        case 'approval':
          out.approval = v as Settings['approval'];
          break;
        case 'approvalFallback':
          out.approvalFallback = v as Settings['approvalFallback'];
          break;
        case 'limits': {
          const l = isObj(v) ? v : {};
          const limits: NonNullable<Settings['limits']> = {};
          for (const lk of LIMITS_KEYS) if (num(l[lk]) !== undefined) limits[lk] = num(l[lk]);
          out.limits = limits;
          break;
        }
        case 'fallbackOn':
          out.fallbackOn = [...new Set(list(v))] as Settings['fallbackOn'];
          break;
        case 'timeout':
        case 'deadline':
        case 'cooldown':
          out[k] = duration([...path, k], v, base[k]);
          break;
        case 'approvalTimeout':
          out.approvalTimeout = duration([...path, k], v, base.approvalTimeout ?? DEFAULT_SETTINGS.approvalTimeout!);
          break;
        case 'retry': {
          const r = isObj(v) ? v : {};
          out.retry = {
            attempts: num(r['attempts']) ?? base.retry.attempts,
            initialDelay: duration([...path, 'retry', 'initialDelay'], r['initialDelay'], base.retry.initialDelay),
            maxDelay: duration([...path, 'retry', 'maxDelay'], r['maxDelay'], base.retry.maxDelay),
          };
          break;
        }
      }
    }
    return out;
  };

  const rawDefaults = isObj(raw['defaults']) ? raw['defaults'] : {};
  const defaults: Settings = { ...DEFAULT_SETTINGS, retry: { ...DEFAULT_SETTINGS.retry }, ...partialSettings(['defaults'], rawDefaults, DEFAULT_SETTINGS) };
  if (defaults.models === undefined) delete defaults.models;
  if (defaults.maxTokens === undefined) delete defaults.maxTokens;

  const rules: Rule[] = list(raw['rules']).filter(isObj).map((r, i) => {
    const rule: Rule = {
      name: str(r['name']) ?? `rule-${i + 1}`,
      action: r['action'] === 'deny' ? 'deny' : 'route',
      settings: partialSettings(['rules', i], r, defaults),
    };
    if (isObj(r['when'])) rule.when = when(r['when']);
    if (typeof r['message'] === 'string') rule.message = r['message'];
    return rule;
  });

  const budgets: Budget[] = list(raw['budgets']).filter(isObj).map((b, i) => {
    const budget: Budget = {
      name: str(b['name']) ?? `budget-${i + 1}`,
      scope: scope(b['scope'], idOf),
      per: (str(b['per']) as Budget['per'] | undefined) ?? DEFAULT_BUDGET.per,
      onExceed: (str(b['onExceed']) as Budget['onExceed'] | undefined) ?? DEFAULT_BUDGET.onExceed,
      maxWait: duration(['budgets', i, 'maxWait'], b['maxWait'], DEFAULT_BUDGET.maxWait),
    };
    for (const k of ['rpm', 'concurrency', 'tpm', 'tokens', 'usd'] as const) {
      const v = num(b[k]);
      if (v !== undefined) budget[k] = v;
    }
    return budget;
  });

  const rawState = isObj(raw['state']) ? raw['state'] : {};
  const store = (str(rawState['store']) as Policy['state']['store'] | undefined) ?? 'sqlite';
  const state: Policy['state'] = { store, prefix: str(rawState['prefix']) ?? DEFAULT_STATE_PREFIX };
  if (store === 'sqlite') state.path = typeof rawState['path'] === 'string' ? resolvePath(rawState['path'], input.baseDir, input.env) : defaultStatePath(input.env);
  if (store === 'redis') state.url = str(rawState['url']) ?? DEFAULT_REDIS_URL;
  // A store URL carries the store's password: whoever holds it can rewrite every budget.
  // Every variable it reads is kept from the server, and its userinfo is redacted.
  if (typeof rawState['url'] === 'string') {
    for (const s of userinfoSecrets(rawState['url'])) secrets.add(s);
    for (const r of input.reads) {
      if (r.path[0] !== 'state' || r.path[1] !== 'url') continue;
      credentialEnv.add(r.name);
      for (const s of variableSecrets('url', r.name, input.env, rawState['url'])) secrets.add(s);
    }
  }

  const rawAudit = isObj(raw['audit']) ? raw['audit'] : {};
  const audit: Policy['audit'] = { content: rawAudit['content'] === true ? true : DEFAULT_AUDIT.content };
  if (typeof rawAudit['path'] === 'string') audit.path = resolvePath(rawAudit['path'], input.baseDir, input.env);

  const rawGateway = isObj(raw['gateway']) ? raw['gateway'] : {};
  const gateway: Policy['gateway'] = {};
  for (const api of ['openai', 'anthropic'] as const) if (typeof rawGateway[api] === 'boolean') gateway[api] = rawGateway[api];
  const rawInput = isObj(raw['inputRequired']) ? raw['inputRequired'] : {};
  const inputRequired: Policy['inputRequired'] = {
    maxRounds: num(rawInput['maxRounds']) ?? DEFAULT_INPUT_REQUIRED.maxRounds,
    handleTtl: duration(['inputRequired', 'handleTtl'], rawInput['handleTtl'], DEFAULT_INPUT_REQUIRED.handleTtl),
    maxHandles: num(rawInput['maxHandles']) ?? DEFAULT_INPUT_REQUIRED.maxHandles,
  };

  const policy: Policy = {
    version: 1,
    source: input.source,
    providers,
    models,
    defaults,
    rules,
    budgets,
    state,
    audit,
    gateway,
    ...(raw['requireServerName'] === true ? { requireServerName: true } : {}),
    inputRequired,
    credentialEnv: [...credentialEnv],
    secrets: [...secrets],
  };
  return { policy, diagnostics };
}

/** A model's body overrides: its own `drop` replaces the built-in list (so `drop: []` undoes it). */
function modelParams(v: unknown, builtin: { drop: string[] } | undefined): ModelParams | undefined {
  const own = isObj(v) ? v : undefined;
  if (!own && !builtin) return undefined;
  const drop = own && Array.isArray(own['drop']) ? own['drop'].map(String) : [...(builtin?.drop ?? [])];
  const set = own && isObj(own['set']) ? { ...own['set'] } : {};
  return { drop, set };
}

function mockResponse(r: Obj): MockResponse {
  const out: Record<string, unknown> = {};
  for (const k of MOCK_RESPONSE_KEYS) if (r[k] !== undefined) out[k] = r[k];
  return out as MockResponse;
}

function comparison(c: unknown): NumberComparison {
  const out: NumberComparison = {};
  if (isObj(c)) for (const k of COMPARISON_KEYS) if (num(c[k]) !== undefined) out[k] = num(c[k]);
  return out;
}

function when(w: Obj): When {
  const out: When = {};
  for (const k of WHEN_KEYS) {
    const v = w[k];
    if (v === undefined) continue;
    switch (k) {
      case 'server':
        out.server = Array.isArray(v) ? v.map(String) : String(v);
        break;
      case 'hints':
      case 'systemPrompt':
        out[k] = String(v);
        break;
      case 'content':
        out.content = list(v).map(String) as When['content'];
        break;
      case 'tools':
        out.tools = v === true;
        break;
      case 'maxTokens':
        out.maxTokens = comparison(v);
        break;
      case 'priorities': {
        const p: NonNullable<When['priorities']> = {};
        if (isObj(v)) for (const pk of PRIORITIES_KEYS) if (v[pk] !== undefined) p[pk] = comparison(v[pk]);
        out.priorities = p;
        break;
      }
      case 'metadata':
        out.metadata = isObj(v) ? { ...v } : {};
        break;
    }
  }
  return out;
}

function scope(s: unknown, idOf: (name: string) => string): BudgetScope {
  if (s === 'server' || s === 'provider' || s === 'model') return { kind: s };
  if (isObj(s)) {
    const out: BudgetScope = { kind: 'select' };
    for (const k of ['server', 'provider', 'model'] as const) if (typeof s[k] === 'string') out[k] = s[k] as string;
    // A plain model name (not a glob) may be an alias, as in `models:` lists.
    if (out.model !== undefined && !isGlob(out.model)) out.model = idOf(out.model);
    return out;
  }
  return { kind: 'global' };
}

/**
 * The secrets a `${VAR}` read into `field` contributes: keys and headers are secret-bearing
 * as a whole; in a URL only a value that sits in the userinfo is (`${HOST}` is not a secret).
 */
function variableSecrets(field: PathSegment | undefined, name: string, env: NodeJS.ProcessEnv, url: string | undefined): string[] {
  const value = env[name];
  if (!value) return [];
  if (field === 'apiKey' || field === 'headers') return secretForms(value);
  if ((field === 'baseURL' || field === 'url') && url) {
    const info = userinfoSecrets(url);
    return info.some((s) => s.includes(value)) ? secretForms(value) : [];
  }
  return [];
}

function resolvePath(p: string, baseDir: string, env: NodeJS.ProcessEnv): string {
  if (p === '~' || p.startsWith('~/')) return resolve(env['HOME'] || homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

export { isLocalURL } from './local-url.js';

/** Directory relative paths in a policy resolve against: the file's folder, else cwd. */
export function baseDirFor(source: string): string {
  return source.startsWith('<') ? process.cwd() : dirname(resolve(source));
}
