// The checks the schema cannot express: names that must refer to something defined, names that
// must be unique, rules that can never match, budgets that limit nothing, regular expressions
// that do not compile, and settings that are silently ignored. Runs on the interpolated value,
// defensively, so it can report alongside schema errors.

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
import { createModelNameIndex, type NamedModel } from './model-names.js';
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

export function checkSemantics(raw: unknown, map: SourceMap, file: string, now: number = Date.now()): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (severity: Severity, code: string, message: string, at: Position, hint?: string) =>
    out.push({ severity, code, message, path: file, ...at, ...(hint ? { hint } : {}) });
  if (!isObj(raw)) return out;

  const providers = isObj(raw['providers']) ? raw['providers'] : {};
  const providerNames = Object.keys(providers);
  const usedProviders = new Set<string>();

  // `options` of openai/anthropic providers go into the request body after mcp-route's own
  // fields: say when one replaces a field mcp-route sets, refuse the ones that would break it.
  const checkBodyOptions = (name: string, type: string, options: Obj) => {
    const own = OWN_BODY_KEYS[type];
    if (!own) return;
    for (const k of Object.keys(options)) {
      const at = map.key(['providers', name, 'options', k]);
      if ((MOVED_OPTION_KEYS as readonly string[]).includes(k)) {
        if (type === 'openai') report('warning', 'misplaced-key', `\`${k}\` is a provider setting, not a request-body field`, at, `move it out of \`options\`, beside \`baseURL\` (it is honoured from here for now)`);
        else report('warning', 'ignored-key', `\`${k}\` only applies to openai providers; provider \`${name}\` is ${type}`, at);
      } else if (RESERVED_BODY_KEYS.includes(k)) {
        report('error', 'reserved-option', `\`options.${k}\` cannot be set: mcp-route sends \`${k}\` itself`, at,
          k === 'model' ? 'choose the model with `model:` on a models entry' : k === 'stream' ? 'mcp-route reads one JSON answer per request; remove it' : 'remove it');
      } else if (own.includes(k)) {
        report('warning', 'option-overrides', `\`options.${k}\` replaces the \`${k}\` mcp-route builds from each sampling request`, at,
          `mcp-route itself sets these ${type} body fields: ${own.join(', ')}; to stop sending one to a model, use \`params: {drop: [${k}]}\` on the model`);
      }
    }
  };

  // Providers: mock-only keys elsewhere are ignored, so say so.
  for (const [name, p] of entries(providers)) {
    if (!isObj(p)) continue;
    const type = str(p['type']);
    if (type !== undefined && type !== 'mock') {
      for (const k of ['responses', 'failWith']) {
        if (k in p) report('warning', 'ignored-key', `\`${k}\` only applies to mock providers; provider \`${name}\` is ${type}`, map.key(['providers', name, k]));
      }
    }
    if (type !== undefined && type !== 'openai') {
      for (const k of MOVED_OPTION_KEYS) {
        if (k in p) report('warning', 'ignored-key', `\`${k}\` only applies to openai providers; provider \`${name}\` is ${type}`, map.key(['providers', name, k]));
      }
    }
    if (isObj(p['options']) && type !== undefined) checkBodyOptions(name, type, p['options']);
  }

  // End of life: a retired model answers 404 on every request, so say so ahead of time.
  const endOfLifeWarned = new Set<string>();
  const checkEndOfLife = (id: string, date: string, at: Position) => {
    const day = Date.parse(`${date}T00:00:00Z`);
    if (Number.isNaN(day)) {
      report('error', 'invalid-value', `\`${date}\` is not a calendar date`, at, 'write YYYY-MM-DD, e.g. 2026-11-30');
      return;
    }
    const days = Math.ceil((day - now) / DAY_MS);
    if (days > END_OF_LIFE_NOTICE_DAYS || endOfLifeWarned.has(id)) return;
    endOfLifeWarned.add(id);
    const successor = currentSibling(id);
    report('warning', 'model-end-of-life',
      days <= 0
        ? `model \`${id}\` reached its end of life on ${date}: its vendor no longer serves it`
        : `model \`${id}\` reaches its end of life on ${date} (in ${days} day${days === 1 ? '' : 's'}); requests to it fail after that`,
      at, successor ? `move to \`${successor}\`` : 'move to a current model');
  };

  // Models: every entry needs a provider that exists; collect the names rules may use.
  const models = isObj(raw['models']) ? raw['models'] : {};
  const named: LintModel[] = [];
  for (const [id, m] of entries(models)) {
    if (id === 'extends') continue;
    const builtin = builtinFor(id, m);
    const provider = isObj(m) ? m['provider'] : undefined;
    if (typeof provider === 'string') {
      if (provider in providers) usedProviders.add(provider);
      else {
        const guess = closest(provider, providerNames);
        report('error', 'undefined-provider', `model \`${id}\` names provider \`${provider}\`, which is not defined under \`providers\``, map.value(['models', id, 'provider']),
          guess ? `did you mean \`${guess}\`?` : providerNames.length ? `defined providers: ${providerNames.join(', ')}` : 'add a `providers:` section');
      }
    } else if (isObj(m) || m === null || m === undefined) {
      const bound = builtin ? firstProviderOfType(providers, builtin.vendor) : undefined;
      if (bound) usedProviders.add(bound);
      else if (builtin) report('error', 'missing-provider', `model \`${id}\` has no \`provider\`, and no provider of type ${builtin.vendor} is configured to serve it`, map.key(['models', id]), `add \`provider: <name>\` or a provider with \`type: ${builtin.vendor}\``);
      else report('error', 'missing-provider', `model \`${id}\` has no \`provider\``, map.key(['models', id]), 'add `provider: <name>` (only built-in catalogue ids may leave it out)');
    }
    const servedBy = typeof provider === 'string' ? provider : builtin ? firstProviderOfType(providers, builtin.vendor) : undefined;
    const servedByType = servedBy !== undefined && isObj(providers[servedBy]) ? str(providers[servedBy]['type']) : undefined;
    const params = isObj(m) && isObj(m['params']) ? m['params'] : undefined;
    if (params && (servedByType === 'mock' || servedByType === 'client')) {
      report('warning', 'ignored-key', `\`params\` shapes openai and anthropic request bodies; model \`${id}\` is served by ${servedByType} provider \`${servedBy}\``, map.key(['models', id, 'params']));
    }
    if (params && isObj(params['set'])) {
      for (const k of Object.keys(params['set'])) {
        if (RESERVED_BODY_KEYS.includes(k)) report('error', 'reserved-option', `\`params.set.${k}\` cannot be set: mcp-route sends \`${k}\` itself`, map.key(['models', id, 'params', 'set', k]), k === 'model' ? 'use `model:` on this entry for the name sent to the API' : 'remove it');
      }
    }
    const ownEndOfLife = isObj(m) ? str(m['endOfLife']) : undefined;
    const endOfLife = ownEndOfLife ?? builtin?.endOfLife;
    if (endOfLife) checkEndOfLife(id, endOfLife, ownEndOfLife ? map.value(['models', id, 'endOfLife']) : map.key(['models', id]));
    const explicit = list(isObj(m) ? m['aliases'] : undefined).filter((a): a is string => typeof a === 'string');
    named.push({ id, aliases: [...explicit, ...(builtin ? builtin.aliases : [])], explicitAliases: explicit.length, own: true });
  }
  for (const { model, provider } of extendedBuiltins(models, providers)) {
    usedProviders.add(provider);
    named.push({ id: model.id, aliases: model.aliases, explicitAliases: 0, own: false });
  }
  // The same index the loader and routing use, so lint accepts exactly the names they resolve.
  const modelIndex = createModelNameIndex(named);
  for (const clash of modelIndex.clashes) {
    const { name, loser, winner } = clash;
    if (!loser.own) continue;
    if (clash.loserKind === 'id') {
      report('warning', 'duplicate-model-id', `model ids \`${winner.id}\` and \`${loser.id}\` differ only in case; names ignore case, so \`${loser.id}\` is reachable only spelled exactly`, map.key(['models', loser.id]), 'rename one of them');
    } else if (clash.aliasIndex !== undefined && clash.aliasIndex < loser.explicitAliases) {
      const why = clash.winnerKind === 'id' ? `the id of model \`${winner.id}\` (names ignore case); ids win over aliases` : `an alias of \`${winner.id}\`; the first entry wins`;
      report('warning', 'duplicate-alias', `alias \`${name}\` of model \`${loser.id}\` is already ${why}`, map.value(['models', loser.id, 'aliases', clash.aliasIndex]));
    }
  }
  const ids = named.map((m) => m.id);
  const knownModel = (name: string) => modelIndex.resolve(name) !== undefined;

  for (const name of providerNames) {
    if (!usedProviders.has(name)) report('warning', 'provider-unused', `provider \`${name}\` serves no model`, map.key(['providers', name]),
      'add a model with `provider: ' + name + '` under `models` (or `models: {extends: builtin}` for openai/anthropic)');
  }

  const checkModelList = (path: PathSegment[], value: unknown) => {
    list(value).forEach((item, i) => {
      if (typeof item !== 'string') return;
      const known = modelIndex.resolve(item)?.id;
      if (known !== undefined) {
        // Models that `extends: builtin` added have no entry of their own to warn on.
        const date = builtinById().get(known)?.endOfLife;
        if (date && !(known in models)) checkEndOfLife(known, date, map.value([...path, i]));
        return;
      }
      const guess = closest(item, [...ids, ...modelIndex.names().filter((k) => !ids.includes(k))]);
      report('error', 'undefined-model', `\`${item}\` is not a model id or alias defined under \`models\``, map.value([...path, i]),
        guess ? `did you mean \`${guess}\`?` : ids.length ? `defined models: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', ...' : ''}` : 'define it under `models` (or use `models: {extends: builtin}`)');
    });
  };

  const checkTimings = (path: PathSegment[], s: Obj, base: Obj | undefined) => {
    const ms = (v: unknown) => {
      try {
        return typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
      } catch {
        return undefined;
      }
    };
    const timeout = ms(s['timeout'] ?? base?.['timeout']) ?? 60_000;
    const deadline = ms(s['deadline'] ?? base?.['deadline']) ?? 120_000;
    if (('timeout' in s || 'deadline' in s) && timeout > deadline) {
      report('warning', 'timeout-exceeds-deadline', `timeout (${timeout} ms) is longer than the deadline (${deadline} ms), so a single attempt can use up the whole request`,
        map.key([...path, 'timeout' in s ? 'timeout' : 'deadline']), 'make `deadline` at least `timeout`, or lower `timeout`');
    }
    const retry = isObj(s['retry']) ? s['retry'] : undefined;
    if (retry) {
      const initial = ms(retry['initialDelay']) ?? 500;
      const max = ms(retry['maxDelay']) ?? 8000;
      if (initial > max) report('warning', 'retry-delays', `retry.initialDelay (${initial} ms) is longer than retry.maxDelay (${max} ms)`, map.key([...path, 'retry', 'initialDelay' in retry ? 'initialDelay' : 'maxDelay']));
    }
  };

  // Asking a human is the guard; a fallback of allow drops it exactly where tools can run unseen.
  const checkApproval = (path: PathSegment[], s: Obj, base: Obj | undefined, what: string) => {
    if (s['action'] === 'deny') return;
    const pick = (k: string, dflt: unknown) => (k in s ? s[k] : base && k in base ? base[k] : dflt);
    if (pick('approval', 'none') === 'ask' && pick('approvalFallback', 'deny') === 'allow' && pick('tools', 'allow') === 'allow') {
      const at = 'approvalFallback' in s ? 'approvalFallback' : 'approval' in s ? 'approval' : 'tools' in s ? 'tools' : undefined;
      report('warning', 'approval-fallback-allows-tools',
        `${what} asks for approval but falls back to allow while tools are allowed: a host without elicitation (or the model gateway) lets tool loops run with nobody asked`,
        at ? map.key([...path, at]) : map.key(path), 'set `approvalFallback: deny`, or `tools: strip` / `deny` for this rule');
    }
  };

  const defaults = isObj(raw['defaults']) ? raw['defaults'] : undefined;
  if (defaults) {
    checkModelList(['defaults', 'models'], defaults['models']);
    checkTimings(['defaults'], defaults, undefined);
    checkApproval(['defaults'], defaults, undefined, '`defaults`');
  }

  // Restrictions keyed on the server's name hold only when the operator names the server.
  const trustedName = raw['requireServerName'] === true;
  const NAME_HINT = 'start the server with `mcp-route run --server-name NAME`, and set `requireServerName: true` at the top of the policy so it cannot start without one';
  const reportedName = (what: string, at: Position) =>
    report('warning', 'untrusted-server-name', `${what} depends on the name the server reports about itself, which the server chooses (a server that calls itself something else escapes it)`, at, NAME_HINT);

  // Rules: unique names, reachable, valid regexes, deny with a message.
  const ruleNames = new Map<string, number>();
  let catchAll: { name: string; index: number; line: number } | undefined;
  list(raw['rules']).forEach((r, i) => {
    if (!isObj(r)) return;
    const path: PathSegment[] = ['rules', i];
    const name = str(r['name']) ?? `#${i + 1}`;
    if (typeof r['name'] === 'string') {
      const first = ruleNames.get(r['name']);
      if (first !== undefined) report('error', 'duplicate-rule-name', `duplicate rule name \`${r['name']}\``, map.value([...path, 'name']), `the first rule with this name is rules[${first}] (line ${map.value(['rules', first, 'name']).line}); names must be unique`);
      else ruleNames.set(r['name'], i);
    }
    if (catchAll) {
      report('error', 'unreachable-rule', `rule \`${name}\` can never match: rule \`${catchAll.name}\` before it has no conditions and matches every request`, map.key(path),
        `move \`${catchAll.name}\` to the end of \`rules\` (line ${catchAll.line}), or give it a \`when\``);
    }
    checkApproval(path, r, defaults, `rule \`${name}\``);
    const when = r['when'];
    if (when === undefined || when === null || (isObj(when) && Object.keys(when).length === 0)) {
      catchAll ??= { name, index: i, line: map.key(path).line };
    }
    if (isObj(when) && typeof when['systemPrompt'] === 'string') {
      try {
        const re = compileRegExp(when['systemPrompt']);
        const nested = nestedQuantifier(re.source);
        if (nested) {
          report('warning', 'regex-backtracking', `\`when.systemPrompt\` of rule \`${name}\` can backtrack catastrophically: ${nested}; a long system prompt from the server could stall every request`,
            map.value([...path, 'when', 'systemPrompt']), 'repeat the inner part only once, e.g. `(a+)+` -> `a+`, `(\\w+\\s?)+` -> `[\\w\\s]+`');
        }
      } catch (err) {
        report('error', 'invalid-regex', `\`when.systemPrompt\` of rule \`${name}\` is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
          map.value([...path, 'when', 'systemPrompt']), 'it is a JavaScript regular expression; escape ( ) [ ] { } * + ? . \\ with a backslash to match them literally');
      }
    }
    checkModelList([...path, 'models'], r['models']);
    const restricts = r['action'] === 'deny' || r['tools'] === 'strip' || r['tools'] === 'deny';
    if (!trustedName && restricts && isObj(when) && (typeof when['server'] === 'string' || Array.isArray(when['server']))) {
      reportedName(`rule \`${name}\` ${r['action'] === 'deny' ? 'denies' : 'restricts tools'} by \`when.server\`, so it`, map.value([...path, 'when', 'server']));
    }
    if (r['action'] === 'deny') {
      if (typeof r['message'] !== 'string') report('warning', 'deny-without-message', `rule \`${name}\` denies without a \`message\`; the server will only see a generic refusal`, map.key(path), 'add `message: <why>`');
      for (const k of ['models', 'maxTokens', 'tools', 'timeout', 'deadline', 'retry', 'cooldown', 'hints', 'fallbackOn']) {
        if (k in r) report('warning', 'ignored-key', `\`${k}\` has no effect on a rule with \`action: deny\``, map.key([...path, k]));
      }
    } else {
      if (typeof r['message'] === 'string') report('warning', 'ignored-key', '`message` only applies to rules with `action: deny`', map.key([...path, 'message']));
      checkTimings(path, r, defaults);
    }
  });

  // A usd budget can only count models with a price: an unpriced model would spend for free.
  function checkPriced(budgetName: string, scope: unknown, path: PathSegment[]): void {
    const select = isObj(scope) ? scope : {};
    for (const [id, m] of entries(models)) {
      if (id === 'extends' || (isObj(m) && 'cost' in m) || builtinFor(id, m)?.cost) continue;
      const provider = isObj(m) ? str(m['provider']) : undefined;
      const byProvider = str(select['provider']);
      const byModel = str(select['model']);
      if (byProvider !== undefined && (provider === undefined || !globMatches(byProvider, provider))) continue;
      if (byModel !== undefined && !globMatches(byModel, id)) continue;
      report('error', 'unpriced-model', `budget \`${budgetName}\` counts usd, but model \`${id}\` has no \`cost\`, so it could spend without being counted (mcp-route refuses it under this budget)`,
        map.key([...path, 'usd']), `add \`cost: {input: <USD per million input tokens>, output: <USD per million output tokens>}\` to models.${id}, or narrow the budget's \`scope\``);
    }
  }

  // Budgets: unique names, something to limit, scopes that name known things.
  const budgetNames = new Map<string, number>();
  list(raw['budgets']).forEach((b, i) => {
    if (!isObj(b)) return;
    const path: PathSegment[] = ['budgets', i];
    const name = str(b['name']) ?? `#${i + 1}`;
    if (typeof b['name'] === 'string') {
      const first = budgetNames.get(b['name']);
      if (first !== undefined) report('error', 'duplicate-budget-name', `duplicate budget name \`${b['name']}\``, map.value([...path, 'name']), `the first budget with this name is budgets[${first}] (line ${map.value(['budgets', first, 'name']).line}); names must be unique`);
      else budgetNames.set(b['name'], i);
    }
    if (!LIMIT_KEYS.some((k) => k in b)) {
      report('error', 'budget-empty', `budget \`${name}\` limits nothing`, map.key(path), `set at least one of ${LIMIT_KEYS.join(', ')}`);
    }
    if (('tokens' in b || 'usd' in b) === false && 'per' in b) report('warning', 'ignored-key', '`per` only applies to `tokens` and `usd`', map.key([...path, 'per']));
    if ('maxWait' in b && b['onExceed'] !== 'wait') report('warning', 'ignored-key', '`maxWait` only applies with `onExceed: wait`', map.key([...path, 'maxWait']));
    if ('usd' in b) checkPriced(name, b['scope'], path);
    const scope = b['scope'];
    if (!trustedName && (scope === 'server' || (isObj(scope) && typeof scope['server'] === 'string'))) {
      reportedName(`budget \`${name}\` is per server, so it`, map.value([...path, 'scope', ...(scope === 'server' ? [] : ['server'])]));
    }
    if (isObj(scope)) {
      const p = str(scope['provider']);
      if (p !== undefined && !isGlob(p) && !(p in providers)) {
        const guess = closest(p, providerNames);
        report('warning', 'undefined-provider', `budget \`${name}\` selects provider \`${p}\`, which is not defined, so it never applies`, map.value([...path, 'scope', 'provider']), guess ? `did you mean \`${guess}\`?` : undefined);
      }
      const m = str(scope['model']);
      if (m !== undefined && !isGlob(m) && !knownModel(m)) {
        const guess = closest(m, ids);
        report('warning', 'undefined-model', `budget \`${name}\` selects model \`${m}\`, which is not defined, so it never applies`, map.value([...path, 'scope', 'model']), guess ? `did you mean \`${guess}\`?` : undefined);
      }
    }
  });

  // State: keys that the chosen store does not read.
  const state = isObj(raw['state']) ? raw['state'] : undefined;
  if (state) {
    const store = str(state['store']) ?? 'sqlite';
    if ('url' in state && store !== 'redis') report('warning', 'ignored-key', `\`state.url\` only applies to \`store: redis\` (store is ${store})`, map.key(['state', 'url']));
    if ('path' in state && store !== 'sqlite') report('warning', 'ignored-key', `\`state.path\` only applies to \`store: sqlite\` (store is ${store})`, map.key(['state', 'path']));
  }
  return out;
}

/** The newest built-in model of the same family that has no end of life, e.g. claude-sonnet-4-6 for claude-sonnet-4-5. */
function currentSibling(id: string): string | undefined {
  const family = id.replace(/-[^-]+$/, '');
  if (family === id) return undefined;
  for (const m of builtinById().values()) if (m.id !== id && m.id.startsWith(`${family}-`) && !m.endOfLife) return m.id;
  return undefined;
}
