// Turns a validated policy value into the typed Policy every other module consumes: defaults
// filled in, durations in ms, the built-in catalogue merged, credentials resolved and the
// environment variables they came from recorded, paths resolved against the policy's folder.
// It runs only on a value the schema accepted (see load.ts), so it reads the document's
// shapes (document.ts) as they are; one function per section of the policy.

import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isGlob } from '../routing/glob.js';
import { builtinFor, extendedBuiltins, firstProviderOfType } from './catalogue-merge.js';
import {
  CONVENTIONAL_KEY_ENV,
  DEFAULT_AUDIT,
  DEFAULT_BUDGET,
  DEFAULT_INPUT_REQUIRED,
  DEFAULT_REDIS_URL,
  DEFAULT_SETTINGS,
  DEFAULT_STATE_PREFIX,
  defaultStatePath,
  PLACEHOLDER_API_KEY,
} from './defaults.js';
import type { Diagnostic } from './diagnostics.js';
import type { BudgetDocument, DurationText, ModelDocument, PolicyDocumentShape, ProviderDocument, RuleDocument, SettingsDocument, WhenDocument } from './document.js';
import { parseDuration } from './duration.js';
import type { PathSegment } from './interpolate.js';
import { LIMITS_KEYS, MOCK_RESPONSE_KEYS, MOVED_OPTION_KEYS, PRIORITIES_KEYS } from './keys.js';
import { isLocalURL } from './local-url.js';
import { createModelNameIndex } from './model-names.js';
import { providerSecrets, secretForms, userinfoSecrets } from './secrets.js';
import type { SourceMap } from './source-map.js';
import type { Budget, BudgetScope, MockResponse, ModelConfig, ModelParams, NumberComparison, Policy, ProviderConfig, Rule, Settings, When } from './types.js';

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

/** What every section's normaliser shares: the input, the diagnostics and the secrets found so far. */
interface Context {
  input: NormaliseInput;
  diagnostics: Diagnostic[];
  secrets: Set<string>;
  credentialEnv: Set<string>;
  /** A duration in ms; a malformed one is an error diagnostic at `path` and `fallback` meanwhile. */
  duration(path: PathSegment[], v: DurationText | undefined, fallback: number): number;
}

export function normalise(input: NormaliseInput): { policy: Policy; diagnostics: Diagnostic[] } {
  const doc = input.value as PolicyDocumentShape;
  const cx = createContext(input);
  const providers = normaliseProviders(cx, doc.providers ?? {});
  const models = normaliseModels(doc);
  // Settings and budget selectors name models by id or alias; routing and budgets work on ids.
  const names = createModelNameIndex(Object.values(models));
  const idOf = (name: string): string => names.resolve(name)?.id ?? name;
  const settings = (path: PathSegment[], s: SettingsDocument, base: Settings) => partialSettings(cx, path, s, base, idOf);
  const defaults: Settings = { ...DEFAULT_SETTINGS, retry: { ...DEFAULT_SETTINGS.retry }, ...settings(['defaults'], doc.defaults ?? {}, DEFAULT_SETTINGS) };
  if (defaults.models === undefined) delete defaults.models;
  if (defaults.maxTokens === undefined) delete defaults.maxTokens;
  const policy: Policy = {
    version: 1,
    source: input.source,
    providers,
    models,
    defaults,
    rules: (doc.rules ?? []).map((r, i) => normaliseRule(r, settings(['rules', i], r, defaults))),
    budgets: (doc.budgets ?? []).map((b, i) => normaliseBudget(cx, b, i, idOf)),
    state: normaliseState(cx, doc.state ?? {}),
    audit: normaliseAudit(input, doc.audit ?? {}),
    gateway: { ...(doc.gateway ?? {}) },
    ...(doc.requireServerName === true ? { requireServerName: true } : {}),
    inputRequired: normaliseInputRequired(cx, doc.inputRequired ?? {}),
    credentialEnv: [...cx.credentialEnv],
    secrets: [...cx.secrets],
  };
  return { policy, diagnostics: cx.diagnostics };
}

function createContext(input: NormaliseInput): Context {
  const diagnostics: Diagnostic[] = [];
  return {
    input,
    diagnostics,
    secrets: new Set(),
    credentialEnv: new Set(),
    duration(path, v, fallback) {
      if (v === undefined) return fallback;
      try {
        return parseDuration(v);
      } catch (err) {
        diagnostics.push({ severity: 'error', code: 'invalid-value', message: (err as Error).message, path: input.source, ...input.map.value(path) });
        return fallback;
      }
    },
  };
}

function normaliseProviders(cx: Context, raw: Record<string, ProviderDocument>): Record<string, ProviderConfig> {
  const providers: Record<string, ProviderConfig> = {};
  for (const [name, p] of Object.entries(raw)) {
    const cfg = providerConfig(cx, name, p);
    resolveCredential(cx, cfg, p);
    collectProviderSecrets(cx, cfg, p);
    providers[name] = cfg;
  }
  return providers;
}

function providerConfig(cx: Context, name: string, raw: ProviderDocument): ProviderConfig {
  const options = { ...(raw.options ?? {}) };
  const envVars = [...new Set(cx.input.reads.filter((r) => r.path[0] === 'providers' && r.path[1] === name).map((r) => r.name))];
  const cfg: ProviderConfig = { name, type: raw.type, envVars, usable: true, options };
  // Policies written before these became provider keys had them under `options`, which now
  // goes into the request body: lift them out (lint says where they belong).
  let p: ProviderDocument = raw;
  for (const k of MOVED_OPTION_KEYS) {
    if (p.type === 'openai' && k in options && !(k in p)) p = { ...p, [k]: options[k] };
    if (p.type === 'openai' || p.type === 'anthropic') delete options[k];
  }
  if (p.baseURL) cfg.baseURL = p.baseURL;
  if (p.headers) cfg.headers = { ...p.headers };
  if (p.organization !== undefined) cfg.organization = p.organization;
  if (p.maxTokensParam === 'max_tokens' || p.maxTokensParam === 'max_completion_tokens') cfg.maxTokensParam = p.maxTokensParam;
  if (typeof p.storeMetadata === 'boolean') cfg.storeMetadata = p.storeMetadata;
  if (p.timeout !== undefined) cfg.timeout = cx.duration(['providers', name, 'timeout'], p.timeout, DEFAULT_SETTINGS.timeout);
  if (p.responses) cfg.responses = p.responses.map(mockResponse);
  if (p.failWith !== undefined) cfg.failWith = p.failWith;
  return cfg;
}

/** The key a provider sends: its own `apiKey`, else the vendor's conventional variable; records why it is unusable. */
function resolveCredential(cx: Context, cfg: ProviderConfig, p: ProviderDocument): void {
  const conventional = CONVENTIONAL_KEY_ENV[p.type];
  const local = p.baseURL !== undefined && isLocalURL(p.baseURL);
  if (p.apiKey !== undefined) {
    cfg.apiKey = p.apiKey;
    if (cfg.apiKey !== '') return;
    // A local endpoint that needs no key gets the placeholder instead of an empty one.
    if (conventional && local) {
      cfg.apiKey = PLACEHOLDER_API_KEY;
      return;
    }
    const vars = cx.input.reads.filter((r) => r.path[0] === 'providers' && r.path[1] === cfg.name && r.path[2] === 'apiKey').map((r) => r.name);
    cfg.usable = false;
    cfg.unusableReason = vars.length ? `${vars.join(', ')} ${vars.length > 1 ? 'are' : 'is'} not set (providers.${cfg.name}.apiKey)` : `providers.${cfg.name}.apiKey is empty`;
    return;
  }
  if (!conventional) return;
  // The SDKs read these variables by default; resolve here so usability is known up front.
  cx.credentialEnv.add(conventional);
  if (!cfg.envVars.includes(conventional)) cfg.envVars.push(conventional);
  const fromEnv = cx.input.env[conventional];
  // A vendor key is never sent to a local endpoint that did not ask for one.
  if (local) cfg.apiKey = PLACEHOLDER_API_KEY;
  else if (fromEnv) cfg.apiKey = fromEnv;
  else {
    cfg.usable = false;
    cfg.unusableReason = `${conventional} is not set (provider \`${cfg.name}\` has no apiKey)`;
  }
}

function collectProviderSecrets(cx: Context, cfg: ProviderConfig, p: ProviderDocument): void {
  const { env, reads } = cx.input;
  for (const s of providerSecrets({ ...cfg, apiKey: cfg.apiKey === PLACEHOLDER_API_KEY ? undefined : cfg.apiKey })) cx.secrets.add(s);
  // The vendor variable is a key even when this provider does not send it (a local baseURL).
  const conventional = CONVENTIONAL_KEY_ENV[p.type];
  if (conventional && p.apiKey === undefined && env[conventional]) for (const s of secretForms(env[conventional]!)) cx.secrets.add(s);
  for (const r of reads) {
    if (r.path[0] !== 'providers' || r.path[1] !== cfg.name) continue;
    for (const s of variableSecrets(r.path[2], r.name, env, p.baseURL)) cx.secrets.add(s);
  }
  for (const v of cfg.envVars) cx.credentialEnv.add(v);
}

/** The policy's own models, in file order, then what `extends: builtin` adds. */
function normaliseModels(doc: PolicyDocumentShape): Record<string, ModelConfig> {
  const models: Record<string, ModelConfig> = {};
  for (const [id, m] of Object.entries(doc.models ?? {})) {
    if (id === 'extends' || typeof m === 'string') continue;
    models[id] = ownModel(id, m ?? {}, doc.providers);
  }
  for (const { model: b, provider } of extendedBuiltins(doc.models, doc.providers)) {
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
  return models;
}

/** One entry of the policy's `models`; an id of the built-in catalogue inherits what it leaves out. */
function ownModel(id: string, e: ModelDocument, providers: PolicyDocumentShape['providers']): ModelConfig {
  const b = builtinFor(id, e);
  const mc: ModelConfig = {
    id,
    provider: e.provider ?? (b ? firstProviderOfType(providers, b.vendor) : undefined) ?? '',
    model: e.model ?? id,
    // Aliases add to the built-in ones rather than replace them: `haiku` should keep working.
    aliases: [...new Set([...(e.aliases ?? []), ...(b ? b.aliases : [])])],
    supports: e.supports ?? (b ? b.supports : ['text']),
  };
  const cost = e.cost ? { input: e.cost.input, output: e.cost.output } : b ? { ...b.cost } : undefined;
  if (cost) mc.cost = cost;
  for (const k of ['speed', 'intelligence', 'contextWindow', 'maxOutput'] as const) {
    const v = e[k] ?? b?.[k];
    if (v !== undefined) mc[k] = v;
  }
  const params = modelParams(e.params, b?.params);
  if (params) mc.params = params;
  const endOfLife = e.endOfLife ?? b?.endOfLife;
  if (endOfLife) mc.endOfLife = endOfLife;
  if (b) mc.builtin = true;
  return mc;
}

/** A model's body overrides: its own `drop` replaces the built-in list (so `drop: []` undoes it). */
function modelParams(own: ModelDocument['params'], builtin: { drop: string[] } | undefined): ModelParams | undefined {
  if (!own && !builtin) return undefined;
  const drop = own?.drop ? [...own.drop] : [...(builtin?.drop ?? [])];
  return { drop, set: { ...(own?.set ?? {}) } };
}

/** The settings `s` sets (a rule's or `defaults`); durations in ms, model names as ids. */
function partialSettings(cx: Context, path: PathSegment[], s: SettingsDocument, base: Settings, idOf: (name: string) => string): Partial<Settings> {
  const out: Partial<Settings> = {};
  // In the order of SETTINGS_KEYS, so explain and the audit show settings the same way every time.
  const duration = (k: 'timeout' | 'deadline' | 'cooldown' | 'approvalTimeout', fallback: number) => cx.duration([...path, k], s[k], fallback);
  if (s.models !== undefined) out.models = [...new Set(s.models.map(idOf))];
  if (s.maxTokens !== undefined) out.maxTokens = s.maxTokens;
  if (s.tools !== undefined) out.tools = s.tools;
  if ('timeout' in s) out.timeout = duration('timeout', base.timeout);
  if ('deadline' in s) out.deadline = duration('deadline', base.deadline);
  if (s.retry !== undefined) {
    out.retry = {
      attempts: s.retry.attempts ?? base.retry.attempts,
      initialDelay: cx.duration([...path, 'retry', 'initialDelay'], s.retry.initialDelay, base.retry.initialDelay),
      maxDelay: cx.duration([...path, 'retry', 'maxDelay'], s.retry.maxDelay, base.retry.maxDelay),
    };
  }
  if ('cooldown' in s) out.cooldown = duration('cooldown', base.cooldown);
  if (s.hints !== undefined) out.hints = s.hints;
  if (s.fallbackOn !== undefined) out.fallbackOn = [...new Set(s.fallbackOn)];
  if (s.approval !== undefined) out.approval = s.approval;
  if (s.approvalFallback !== undefined) out.approvalFallback = s.approvalFallback;
  if ('approvalTimeout' in s) out.approvalTimeout = duration('approvalTimeout', base.approvalTimeout ?? DEFAULT_SETTINGS.approvalTimeout!);
  if (s.limits !== undefined) {
    const limits: NonNullable<Settings['limits']> = {};
    for (const k of LIMITS_KEYS) if (s.limits[k] !== undefined) limits[k] = s.limits[k];
    out.limits = limits;
  }
  return out;
}

function normaliseRule(r: RuleDocument, settings: Partial<Settings>): Rule {
  const rule: Rule = { name: r.name, action: r.action === 'deny' ? 'deny' : 'route', settings };
  if (r.when) rule.when = when(r.when);
  if (r.message !== undefined) rule.message = r.message;
  return rule;
}

function when(w: WhenDocument): When {
  const out: When = {};
  if (w.server !== undefined) out.server = Array.isArray(w.server) ? [...w.server] : w.server;
  if (w.hints !== undefined) out.hints = w.hints;
  if (w.content !== undefined) out.content = [...w.content];
  if (w.tools !== undefined) out.tools = w.tools;
  if (w.maxTokens !== undefined) out.maxTokens = comparison(w.maxTokens);
  if (w.priorities !== undefined) {
    const p: NonNullable<When['priorities']> = {};
    for (const k of PRIORITIES_KEYS) if (w.priorities[k] !== undefined) p[k] = comparison(w.priorities[k]);
    out.priorities = p;
  }
  if (w.systemPrompt !== undefined) out.systemPrompt = w.systemPrompt;
  if (w.metadata !== undefined) out.metadata = { ...w.metadata };
  return out;
}

function comparison(c: NumberComparison): NumberComparison {
  return { ...c };
}

function mockResponse(r: MockResponse): MockResponse {
  const out: Record<string, unknown> = {};
  for (const k of MOCK_RESPONSE_KEYS) if (r[k] !== undefined) out[k] = r[k];
  return out as MockResponse;
}

function normaliseBudget(cx: Context, b: BudgetDocument, i: number, idOf: (name: string) => string): Budget {
  const budget: Budget = {
    name: b.name,
    scope: scope(b.scope, idOf),
    per: b.per ?? DEFAULT_BUDGET.per,
    onExceed: b.onExceed ?? DEFAULT_BUDGET.onExceed,
    maxWait: cx.duration(['budgets', i, 'maxWait'], b.maxWait, DEFAULT_BUDGET.maxWait),
  };
  for (const k of ['rpm', 'concurrency', 'tpm', 'tokens', 'usd'] as const) if (b[k] !== undefined) budget[k] = b[k];
  return budget;
}

function scope(s: BudgetDocument['scope'], idOf: (name: string) => string): BudgetScope {
  if (s === undefined || s === 'global') return { kind: 'global' };
  if (typeof s === 'string') return { kind: s };
  const out: BudgetScope = { kind: 'select' };
  for (const k of ['server', 'provider', 'model'] as const) if (s[k] !== undefined) out[k] = s[k];
  // A plain model name (not a glob) may be an alias, as in `models:` lists.
  if (out.model !== undefined && !isGlob(out.model)) out.model = idOf(out.model);
  return out;
}

function normaliseState(cx: Context, raw: NonNullable<PolicyDocumentShape['state']>): Policy['state'] {
  const { env, reads, baseDir } = cx.input;
  const store = raw.store ?? 'sqlite';
  const state: Policy['state'] = { store, prefix: raw.prefix ?? DEFAULT_STATE_PREFIX };
  if (store === 'sqlite') state.path = raw.path !== undefined ? resolvePath(raw.path, baseDir, env) : defaultStatePath(env);
  if (store === 'redis') state.url = raw.url ?? DEFAULT_REDIS_URL;
  // A store URL carries the store's password: whoever holds it can rewrite every budget.
  // Every variable it reads is kept from the server, and its userinfo is redacted.
  if (raw.url !== undefined) {
    for (const s of userinfoSecrets(raw.url)) cx.secrets.add(s);
    for (const r of reads) {
      if (r.path[0] !== 'state' || r.path[1] !== 'url') continue;
      cx.credentialEnv.add(r.name);
      for (const s of variableSecrets('url', r.name, env, raw.url)) cx.secrets.add(s);
    }
  }
  return state;
}

function normaliseAudit(input: NormaliseInput, raw: NonNullable<PolicyDocumentShape['audit']>): Policy['audit'] {
  const audit: Policy['audit'] = { content: raw.content === true ? true : DEFAULT_AUDIT.content };
  if (raw.path !== undefined) audit.path = resolvePath(raw.path, input.baseDir, input.env);
  return audit;
}

function normaliseInputRequired(cx: Context, raw: NonNullable<PolicyDocumentShape['inputRequired']>): NonNullable<Policy['inputRequired']> {
  return {
    maxRounds: raw.maxRounds ?? DEFAULT_INPUT_REQUIRED.maxRounds,
    handleTtl: cx.duration(['inputRequired', 'handleTtl'], raw.handleTtl, DEFAULT_INPUT_REQUIRED.handleTtl),
    maxHandles: raw.maxHandles ?? DEFAULT_INPUT_REQUIRED.maxHandles,
  };
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

/** Directory relative paths in a policy resolve against: the file's folder, else cwd. */
export function baseDirFor(source: string): string {
  return source.startsWith('<') ? process.cwd() : dirname(resolve(source));
}
