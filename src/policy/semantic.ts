// The checks the schema cannot express: names that must refer to something defined, names that
// must be unique, rules that can never match, budgets that limit nothing, regular expressions
// that do not compile, and settings that are silently ignored. One function per section of the
// policy. Unlike the normaliser, these run on the interpolated value even when the schema
// found errors (so lint shows every problem at once), which is why they guard the shapes they read.

import { closest, type Diagnostic, type Severity } from './diagnostics.js';
import { builtinById, builtinFor, extendedBuiltins, firstProviderOfType } from './catalogue-merge.js';
import { parseDuration } from './duration.js';
import { compileRegExp } from '../util/compile-regexp.js';
import { nestedQuantifier } from './regex-risk.js';
import type { PathSegment } from './interpolate.js';
import type { Position, SourceMap } from './source-map.js';
import { entries, isObj, list, str, type Obj } from './util.js';
import { MOVED_OPTION_KEYS } from './keys.js';
import { OWN_BODY_KEYS, RESERVED_BODY_KEYS } from '../providers/body-overrides.js';
import { createModelNameIndex, type ModelNameIndex, type NamedModel } from './model-names.js';
import type { CatalogueModel } from '../catalogue/catalogue.js';
import { DEFAULT_SETTINGS } from './defaults.js';
import { globMatches, isGlob } from '../routing/glob.js';

const LIMIT_KEYS = ['rpm', 'concurrency', 'tpm', 'tokens', 'usd'] as const;
/** How long before a model's end of life lint starts saying so. */
export const END_OF_LIFE_NOTICE_DAYS = 60;
const DAY_MS = 86_400_000;

interface LintModel extends NamedModel {
  aliases: readonly string[];
  /** The first this many aliases were written in the policy (the rest come from the catalogue). */
  explicitAliases: number;
  /** An entry of the policy's own `models` (not added by `extends: builtin`). */
  own: boolean;
}

/** What every section's checks share: the raw value, where its nodes are, and the findings. */
interface Checker {
  raw: Obj;
  map: SourceMap;
  now: number;
  report(severity: Severity, code: string, message: string, at: Position, hint?: string): void;
  providers: Obj;
  providerNames: string[];
  usedProviders: Set<string>;
  models: Obj;
  defaults: Obj | undefined;
  /** `requireServerName: true`: restrictions keyed on the server's name hold. */
  trustedName: boolean;
  endOfLifeWarned: Set<string>;
}

/** The model names lint accepts (the same index the loader and routing use). */
interface ModelNames {
  index: ModelNameIndex<LintModel>;
  ids: string[];
}

export function checkSemantics(raw: unknown, map: SourceMap, file: string, now: number = Date.now()): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!isObj(raw)) return out;
  const c: Checker = {
    raw,
    map,
    now,
    report: (severity, code, message, at, hint) => out.push({ severity, code, message, path: file, ...at, ...(hint ? { hint } : {}) }),
    providers: isObj(raw['providers']) ? raw['providers'] : {},
    providerNames: isObj(raw['providers']) ? Object.keys(raw['providers']) : [],
    usedProviders: new Set(),
    models: isObj(raw['models']) ? raw['models'] : {},
    defaults: isObj(raw['defaults']) ? raw['defaults'] : undefined,
    trustedName: raw['requireServerName'] === true,
    endOfLifeWarned: new Set(),
  };
  checkProviders(c);
  const names = checkModels(c);
  checkUnusedProviders(c);
  checkDefaults(c, names);
  checkRules(c, names);
  checkBudgets(c, names);
  checkState(c);
  return out;
}

// Providers: mock-only and openai-only keys elsewhere are ignored, so say so.
function checkProviders(c: Checker): void {
  for (const [name, p] of entries(c.providers)) {
    if (!isObj(p)) continue;
    const type = str(p['type']);
    if (type === undefined) continue;
    const ignored = (k: string, onlyFor: string) =>
      c.report('warning', 'ignored-key', `\`${k}\` only applies to ${onlyFor} providers; provider \`${name}\` is ${type}`, c.map.key(['providers', name, k]));
    if (type !== 'mock') for (const k of ['responses', 'failWith']) if (k in p) ignored(k, 'mock');
    if (type !== 'openai') for (const k of MOVED_OPTION_KEYS) if (k in p) ignored(k, 'openai');
    if (isObj(p['options'])) checkBodyOptions(c, name, type, p['options']);
  }
}

// `options` of openai/anthropic providers go into the request body after mcp-route's own
// fields: say when one replaces a field mcp-route sets, refuse the ones that would break it.
function checkBodyOptions(c: Checker, name: string, type: string, options: Obj): void {
  const own = OWN_BODY_KEYS[type];
  if (!own) return;
  for (const k of Object.keys(options)) {
    const at = c.map.key(['providers', name, 'options', k]);
    if ((MOVED_OPTION_KEYS as readonly string[]).includes(k)) {
      if (type === 'openai')
        c.report('warning', 'misplaced-key', `\`${k}\` is a provider setting, not a request-body field`, at, `move it out of \`options\`, beside \`baseURL\` (it is honoured from here for now)`);
      else c.report('warning', 'ignored-key', `\`${k}\` only applies to openai providers; provider \`${name}\` is ${type}`, at);
    } else if (RESERVED_BODY_KEYS.includes(k)) {
      c.report(
        'error',
        'reserved-option',
        `\`options.${k}\` cannot be set: mcp-route sends \`${k}\` itself`,
        at,
        k === 'model' ? 'choose the model with `model:` on a models entry' : k === 'stream' ? 'mcp-route reads one JSON answer per request; remove it' : 'remove it',
      );
    } else if (own.includes(k)) {
      c.report(
        'warning',
        'option-overrides',
        `\`options.${k}\` replaces the \`${k}\` mcp-route builds from each sampling request`,
        at,
        `mcp-route itself sets these ${type} body fields: ${own.join(', ')}; to stop sending one to a model, use \`params: {drop: [${k}]}\` on the model`,
      );
    }
  }
}

// End of life: a retired model answers 404 on every request, so say so ahead of time.
function checkEndOfLife(c: Checker, id: string, date: string, at: Position): void {
  const day = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(day)) {
    c.report('error', 'invalid-value', `\`${date}\` is not a calendar date`, at, 'write YYYY-MM-DD, e.g. 2026-11-30');
    return;
  }
  const days = Math.ceil((day - c.now) / DAY_MS);
  if (days > END_OF_LIFE_NOTICE_DAYS || c.endOfLifeWarned.has(id)) return;
  c.endOfLifeWarned.add(id);
  const successor = currentSibling(id);
  c.report(
    'warning',
    'model-end-of-life',
    days <= 0
      ? `model \`${id}\` reached its end of life on ${date}: its vendor no longer serves it`
      : `model \`${id}\` reaches its end of life on ${date} (in ${days} day${days === 1 ? '' : 's'}); requests to it fail after that`,
    at,
    successor ? `move to \`${successor}\`` : 'move to a current model',
  );
}

// Models: every entry needs a provider that exists; collect the names rules may use.
function checkModels(c: Checker): ModelNames {
  const named: LintModel[] = [];
  for (const [id, m] of entries(c.models)) {
    if (id === 'extends') continue;
    const builtin = builtinFor(id, m);
    checkModelProvider(c, id, m, builtin);
    checkModelParams(c, id, m, builtin);
    const ownEndOfLife = isObj(m) ? str(m['endOfLife']) : undefined;
    const endOfLife = ownEndOfLife ?? builtin?.endOfLife;
    if (endOfLife) checkEndOfLife(c, id, endOfLife, ownEndOfLife ? c.map.value(['models', id, 'endOfLife']) : c.map.key(['models', id]));
    const explicit = list(isObj(m) ? m['aliases'] : undefined).filter((a): a is string => typeof a === 'string');
    named.push({ id, aliases: [...explicit, ...(builtin ? builtin.aliases : [])], explicitAliases: explicit.length, own: true });
  }
  for (const { model, provider } of extendedBuiltins(c.models, c.providers)) {
    c.usedProviders.add(provider);
    named.push({ id: model.id, aliases: model.aliases, explicitAliases: 0, own: false });
  }
  // The same index the loader and routing use, so lint accepts exactly the names they resolve.
  const index = createModelNameIndex(named);
  checkNameClashes(c, index);
  return { index, ids: named.map((m) => m.id) };
}

function checkModelProvider(c: Checker, id: string, m: unknown, builtin: CatalogueModel | undefined): void {
  const provider = isObj(m) ? m['provider'] : undefined;
  if (typeof provider === 'string') {
    if (provider in c.providers) return void c.usedProviders.add(provider);
    const guess = closest(provider, c.providerNames);
    c.report(
      'error',
      'undefined-provider',
      `model \`${id}\` names provider \`${provider}\`, which is not defined under \`providers\``,
      c.map.value(['models', id, 'provider']),
      guess ? `did you mean \`${guess}\`?` : c.providerNames.length ? `defined providers: ${c.providerNames.join(', ')}` : 'add a `providers:` section',
    );
  } else if (isObj(m) || m === null || m === undefined) {
    const bound = builtin ? firstProviderOfType(c.providers, builtin.vendor) : undefined;
    if (bound) c.usedProviders.add(bound);
    else if (builtin)
      c.report(
        'error',
        'missing-provider',
        `model \`${id}\` has no \`provider\`, and no provider of type ${builtin.vendor} is configured to serve it`,
        c.map.key(['models', id]),
        `add \`provider: <name>\` or a provider with \`type: ${builtin.vendor}\``,
      );
    else c.report('error', 'missing-provider', `model \`${id}\` has no \`provider\``, c.map.key(['models', id]), 'add `provider: <name>` (only built-in catalogue ids may leave it out)');
  }
}

function checkModelParams(c: Checker, id: string, m: unknown, builtin: CatalogueModel | undefined): void {
  const params = isObj(m) && isObj(m['params']) ? m['params'] : undefined;
  if (!params) return;
  const provider = isObj(m) ? m['provider'] : undefined;
  const servedBy = typeof provider === 'string' ? provider : builtin ? firstProviderOfType(c.providers, builtin.vendor) : undefined;
  const servedByType = servedBy !== undefined && isObj(c.providers[servedBy]) ? str(c.providers[servedBy]['type']) : undefined;
  if (servedByType === 'mock' || servedByType === 'client') {
    c.report(
      'warning',
      'ignored-key',
      `\`params\` shapes openai and anthropic request bodies; model \`${id}\` is served by ${servedByType} provider \`${servedBy}\``,
      c.map.key(['models', id, 'params']),
    );
  }
  if (!isObj(params['set'])) return;
  for (const k of Object.keys(params['set'])) {
    if (RESERVED_BODY_KEYS.includes(k))
      c.report(
        'error',
        'reserved-option',
        `\`params.set.${k}\` cannot be set: mcp-route sends \`${k}\` itself`,
        c.map.key(['models', id, 'params', 'set', k]),
        k === 'model' ? 'use `model:` on this entry for the name sent to the API' : 'remove it',
      );
  }
}

function checkNameClashes(c: Checker, index: ModelNameIndex<LintModel>): void {
  for (const clash of index.clashes) {
    const { name, loser, winner } = clash;
    if (!loser.own) continue;
    if (clash.loserKind === 'id') {
      c.report(
        'warning',
        'duplicate-model-id',
        `model ids \`${winner.id}\` and \`${loser.id}\` differ only in case; names ignore case, so \`${loser.id}\` is reachable only spelled exactly`,
        c.map.key(['models', loser.id]),
        'rename one of them',
      );
    } else if (clash.aliasIndex !== undefined && clash.aliasIndex < loser.explicitAliases) {
      const why = clash.winnerKind === 'id' ? `the id of model \`${winner.id}\` (names ignore case); ids win over aliases` : `an alias of \`${winner.id}\`; the first entry wins`;
      c.report('warning', 'duplicate-alias', `alias \`${name}\` of model \`${loser.id}\` is already ${why}`, c.map.value(['models', loser.id, 'aliases', clash.aliasIndex]));
    }
  }
}

function checkUnusedProviders(c: Checker): void {
  for (const name of c.providerNames) {
    if (!c.usedProviders.has(name))
      c.report(
        'warning',
        'provider-unused',
        `provider \`${name}\` serves no model`,
        c.map.key(['providers', name]),
        `add a model with \`provider: ${name}\` under \`models\` (or \`models: {extends: builtin}\` for openai/anthropic)`,
      );
  }
}

function checkModelList(c: Checker, names: ModelNames, path: PathSegment[], value: unknown): void {
  list(value).forEach((item, i) => {
    if (typeof item !== 'string') return;
    const known = names.index.resolve(item)?.id;
    if (known !== undefined) {
      // Models that `extends: builtin` added have no entry of their own to warn on.
      const date = builtinById().get(known)?.endOfLife;
      if (date && !(known in c.models)) checkEndOfLife(c, known, date, c.map.value([...path, i]));
      return;
    }
    const { ids } = names;
    const guess = closest(item, [...ids, ...names.index.names().filter((k) => !ids.includes(k))]);
    c.report(
      'error',
      'undefined-model',
      `\`${item}\` is not a model id or alias defined under \`models\``,
      c.map.value([...path, i]),
      guess
        ? `did you mean \`${guess}\`?`
        : ids.length
          ? `defined models: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', ...' : ''}`
          : 'define it under `models` (or use `models: {extends: builtin}`)',
    );
  });
}

/** A duration in ms, or undefined when it is not one (the schema reports that). */
function ms(v: unknown): number | undefined {
  try {
    return typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
  } catch {
    return undefined;
  }
}

function checkTimings(c: Checker, path: PathSegment[], s: Obj, base: Obj | undefined): void {
  const timeout = ms(s['timeout'] ?? base?.['timeout']) ?? DEFAULT_SETTINGS.timeout;
  const deadline = ms(s['deadline'] ?? base?.['deadline']) ?? DEFAULT_SETTINGS.deadline;
  if (('timeout' in s || 'deadline' in s) && timeout > deadline) {
    c.report(
      'warning',
      'timeout-exceeds-deadline',
      `timeout (${timeout} ms) is longer than the deadline (${deadline} ms), so a single attempt can use up the whole request`,
      c.map.key([...path, 'timeout' in s ? 'timeout' : 'deadline']),
      'make `deadline` at least `timeout`, or lower `timeout`',
    );
  }
  const retry = isObj(s['retry']) ? s['retry'] : undefined;
  if (!retry) return;
  const initial = ms(retry['initialDelay']) ?? DEFAULT_SETTINGS.retry.initialDelay;
  const max = ms(retry['maxDelay']) ?? DEFAULT_SETTINGS.retry.maxDelay;
  if (initial > max)
    c.report(
      'warning',
      'retry-delays',
      `retry.initialDelay (${initial} ms) is longer than retry.maxDelay (${max} ms)`,
      c.map.key([...path, 'retry', 'initialDelay' in retry ? 'initialDelay' : 'maxDelay']),
    );
}

// Asking a human is the guard; a fallback of allow drops it exactly where tools can run unseen.
function checkApproval(c: Checker, path: PathSegment[], s: Obj, base: Obj | undefined, what: string): void {
  if (s['action'] === 'deny') return;
  const pick = (k: 'approval' | 'approvalFallback' | 'tools') => (k in s ? s[k] : base && k in base ? base[k] : DEFAULT_SETTINGS[k]);
  if (pick('approval') !== 'ask' || pick('approvalFallback') !== 'allow' || pick('tools') !== 'allow') return;
  const at = 'approvalFallback' in s ? 'approvalFallback' : 'approval' in s ? 'approval' : 'tools' in s ? 'tools' : undefined;
  c.report(
    'warning',
    'approval-fallback-allows-tools',
    `${what} asks for approval but falls back to allow while tools are allowed: a host without elicitation (or the model gateway) lets tool loops run with nobody asked`,
    at ? c.map.key([...path, at]) : c.map.key(path),
    'set `approvalFallback: deny`, or `tools: strip` / `deny` for this rule',
  );
}

function checkDefaults(c: Checker, names: ModelNames): void {
  if (!c.defaults) return;
  checkModelList(c, names, ['defaults', 'models'], c.defaults['models']);
  checkTimings(c, ['defaults'], c.defaults, undefined);
  checkApproval(c, ['defaults'], c.defaults, undefined, '`defaults`');
}

// Restrictions keyed on the server's name hold only when the operator names the server.
const NAME_HINT = 'start the server with `mcp-route run --server-name NAME`, and set `requireServerName: true` at the top of the policy so it cannot start without one';
function reportedName(c: Checker, what: string, at: Position): void {
  c.report(
    'warning',
    'untrusted-server-name',
    `${what} depends on the name the server reports about itself, which the server chooses (a server that calls itself something else escapes it)`,
    at,
    NAME_HINT,
  );
}

/** A name that must be unique in its list (`rules`, `budgets`): the second use is an error. */
function checkUniqueName(c: Checker, seen: Map<string, number>, what: 'rule' | 'budget', item: Obj, path: PathSegment[]): void {
  const name = item['name'];
  if (typeof name !== 'string') return;
  const first = seen.get(name);
  if (first === undefined) return void seen.set(name, path[1] as number);
  c.report(
    'error',
    `duplicate-${what}-name`,
    `duplicate ${what} name \`${name}\``,
    c.map.value([...path, 'name']),
    `the first ${what} with this name is ${what}s[${first}] (line ${c.map.value([`${what}s`, first, 'name']).line}); names must be unique`,
  );
}

// Rules: unique names, reachable, valid regexes, deny with a message.
function checkRules(c: Checker, names: ModelNames): void {
  const ruleNames = new Map<string, number>();
  let catchAll: { name: string; line: number } | undefined;
  list(c.raw['rules']).forEach((r, i) => {
    if (!isObj(r)) return;
    const path: PathSegment[] = ['rules', i];
    const name = str(r['name']) ?? `#${i + 1}`;
    checkUniqueName(c, ruleNames, 'rule', r, path);
    if (catchAll) {
      c.report(
        'error',
        'unreachable-rule',
        `rule \`${name}\` can never match: rule \`${catchAll.name}\` before it has no conditions and matches every request`,
        c.map.key(path),
        `move \`${catchAll.name}\` to the end of \`rules\` (line ${catchAll.line}), or give it a \`when\``,
      );
    }
    checkApproval(c, path, r, c.defaults, `rule \`${name}\``);
    const when = r['when'];
    if (when === undefined || when === null || (isObj(when) && Object.keys(when).length === 0)) catchAll ??= { name, line: c.map.key(path).line };
    if (isObj(when) && typeof when['systemPrompt'] === 'string') checkSystemPrompt(c, name, when['systemPrompt'], [...path, 'when', 'systemPrompt']);
    checkModelList(c, names, [...path, 'models'], r['models']);
    const restricts = r['action'] === 'deny' || r['tools'] === 'strip' || r['tools'] === 'deny';
    if (!c.trustedName && restricts && isObj(when) && (typeof when['server'] === 'string' || Array.isArray(when['server']))) {
      reportedName(c, `rule \`${name}\` ${r['action'] === 'deny' ? 'denies' : 'restricts tools'} by \`when.server\`, so it`, c.map.value([...path, 'when', 'server']));
    }
    if (r['action'] === 'deny') checkDenyRule(c, name, r, path);
    else {
      if (typeof r['message'] === 'string') c.report('warning', 'ignored-key', '`message` only applies to rules with `action: deny`', c.map.key([...path, 'message']));
      checkTimings(c, path, r, c.defaults);
    }
  });
}

function checkSystemPrompt(c: Checker, rule: string, source: string, path: PathSegment[]): void {
  try {
    const nested = nestedQuantifier(compileRegExp(source).source);
    if (nested) {
      c.report(
        'warning',
        'regex-backtracking',
        `\`when.systemPrompt\` of rule \`${rule}\` can backtrack catastrophically: ${nested}; a long system prompt from the server could stall every request`,
        c.map.value(path),
        'repeat the inner part only once, e.g. `(a+)+` -> `a+`, `(\\w+\\s?)+` -> `[\\w\\s]+`',
      );
    }
  } catch (err) {
    c.report(
      'error',
      'invalid-regex',
      `\`when.systemPrompt\` of rule \`${rule}\` is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
      c.map.value(path),
      'it is a JavaScript regular expression; escape ( ) [ ] { } * + ? . \\ with a backslash to match them literally',
    );
  }
}

function checkDenyRule(c: Checker, name: string, r: Obj, path: PathSegment[]): void {
  if (typeof r['message'] !== 'string')
    c.report('warning', 'deny-without-message', `rule \`${name}\` denies without a \`message\`; the server will only see a generic refusal`, c.map.key(path), 'add `message: <why>`');
  for (const k of ['models', 'maxTokens', 'tools', 'timeout', 'deadline', 'retry', 'cooldown', 'hints', 'fallbackOn']) {
    if (k in r) c.report('warning', 'ignored-key', `\`${k}\` has no effect on a rule with \`action: deny\``, c.map.key([...path, k]));
  }
}

// A usd budget can only count models with a price: an unpriced model would spend for free.
function checkPriced(c: Checker, budgetName: string, scope: unknown, path: PathSegment[]): void {
  const select = isObj(scope) ? scope : {};
  const byProvider = str(select['provider']);
  const byModel = str(select['model']);
  for (const [id, m] of entries(c.models)) {
    if (id === 'extends' || (isObj(m) && 'cost' in m) || builtinFor(id, m)?.cost) continue;
    const provider = isObj(m) ? str(m['provider']) : undefined;
    if (byProvider !== undefined && (provider === undefined || !globMatches(byProvider, provider))) continue;
    if (byModel !== undefined && !globMatches(byModel, id)) continue;
    c.report(
      'error',
      'unpriced-model',
      `budget \`${budgetName}\` counts usd, but model \`${id}\` has no \`cost\`, so it could spend without being counted (mcp-route refuses it under this budget)`,
      c.map.key([...path, 'usd']),
      `add \`cost: {input: <USD per million input tokens>, output: <USD per million output tokens>}\` to models.${id}, or narrow the budget's \`scope\``,
    );
  }
}

// Budgets: unique names, something to limit, scopes that name known things.
function checkBudgets(c: Checker, names: ModelNames): void {
  const budgetNames = new Map<string, number>();
  list(c.raw['budgets']).forEach((b, i) => {
    if (!isObj(b)) return;
    const path: PathSegment[] = ['budgets', i];
    const name = str(b['name']) ?? `#${i + 1}`;
    checkUniqueName(c, budgetNames, 'budget', b, path);
    if (!LIMIT_KEYS.some((k) => k in b)) c.report('error', 'budget-empty', `budget \`${name}\` limits nothing`, c.map.key(path), `set at least one of ${LIMIT_KEYS.join(', ')}`);
    if (('tokens' in b || 'usd' in b) === false && 'per' in b) c.report('warning', 'ignored-key', '`per` only applies to `tokens` and `usd`', c.map.key([...path, 'per']));
    if ('maxWait' in b && b['onExceed'] !== 'wait') c.report('warning', 'ignored-key', '`maxWait` only applies with `onExceed: wait`', c.map.key([...path, 'maxWait']));
    if ('usd' in b) checkPriced(c, name, b['scope'], path);
    checkBudgetScope(c, names, name, b['scope'], path);
  });
}

function checkBudgetScope(c: Checker, names: ModelNames, name: string, scope: unknown, path: PathSegment[]): void {
  if (!c.trustedName && (scope === 'server' || (isObj(scope) && typeof scope['server'] === 'string'))) {
    reportedName(c, `budget \`${name}\` is per server, so it`, c.map.value([...path, 'scope', ...(scope === 'server' ? [] : ['server'])]));
  }
  if (!isObj(scope)) return;
  // A selector naming something not defined (and not a glob) can never match.
  const undefinedName = (kind: 'provider' | 'model', known: (value: string) => boolean, candidates: readonly string[]) => {
    const value = str(scope[kind]);
    if (value === undefined || isGlob(value) || known(value)) return;
    const guess = closest(value, candidates);
    const message = `budget \`${name}\` selects ${kind} \`${value}\`, which is not defined, so it never applies`;
    c.report('warning', `undefined-${kind}`, message, c.map.value([...path, 'scope', kind]), guess ? `did you mean \`${guess}\`?` : undefined);
  };
  undefinedName('provider', (p) => p in c.providers, c.providerNames);
  undefinedName('model', (m) => names.index.resolve(m) !== undefined, names.ids);
}

// State: keys that the chosen store does not read.
function checkState(c: Checker): void {
  const state = isObj(c.raw['state']) ? c.raw['state'] : undefined;
  if (!state) return;
  const store = str(state['store']) ?? 'sqlite';
  if ('url' in state && store !== 'redis') c.report('warning', 'ignored-key', `\`state.url\` only applies to \`store: redis\` (store is ${store})`, c.map.key(['state', 'url']));
  if ('path' in state && store !== 'sqlite') c.report('warning', 'ignored-key', `\`state.path\` only applies to \`store: sqlite\` (store is ${store})`, c.map.key(['state', 'path']));
}

/** The newest built-in model of the same family that has no end of life, e.g. claude-sonnet-4-6 for claude-sonnet-4-5. */
function currentSibling(id: string): string | undefined {
  const family = id.replace(/-[^-]+$/, '');
  if (family === id) return undefined;
  for (const m of builtinById().values()) if (m.id !== id && m.id.startsWith(`${family}-`) && !m.endOfLife) return m.id;
  return undefined;
}
