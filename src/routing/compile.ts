// Everything about a policy that does not depend on the request, worked out once and kept
// in a WeakMap keyed by the Policy object: rule matchers (globs and regexes compiled),
// merged settings per rule, candidate lists resolved through ids and aliases.

import type { ContentKind, ModelConfig, NumberComparison, Policy, Rule, Settings, When } from '../policy/types.js';
import { compileGlob } from './glob.js';
import { createModelNameIndex } from '../policy/model-names.js';
import { compileRegExp } from '../util/compile-regexp.js';
import { KIND_BITS, type RequestFacts } from './request-facts.js';
import { tokenizerFor, type TokenizerChoice } from './estimate.js';

export interface CompiledModel {
  config: ModelConfig;
  /** Place in the policy's model list (CompiledPolicy.models). */
  index: number;
  /** Lower-cased id and aliases, what hints are matched against. */
  names: string[];
  /** The names joined by newlines: one substring search covers them all. */
  haystack: string;
  image: boolean;
  audio: boolean;
  tools: boolean;
  /** How this model's prompts are counted (its provider type and API model name decide). */
  tokenizer: TokenizerChoice;
}

/** One entry of a settings `models` list: resolved, or left as the unknown name it was. */
export interface ListEntry {
  name: string;
  model?: CompiledModel;
  /** A later mention of a model already in the list: skipped (first mention decides its place). */
  repeat?: boolean;
}

export interface CompiledSettings {
  settings: Settings;
  list: ListEntry[];
  /** True when `models` was not given: the whole catalogue in file order. */
  wholeCatalogue: boolean;
  /** The trace's line for this list (it depends on the policy only). */
  listText: string;
}

/**
 * Returns undefined when the request matches, else the name of the first condition that failed.
 * `serverLower` is the server name as matching sees it (capped, lower-cased once per request).
 */
export type RuleTest = (facts: RequestFacts, serverLower: string | undefined) => string | undefined;

export interface CompiledRule {
  rule: Rule;
  index: number;
  test: RuleTest;
  effective: CompiledSettings;
}

export interface CompiledPolicy {
  rules: CompiledRule[];
  defaults: CompiledSettings;
  models: CompiledModel[];
  /** The policy's model-name index (policy/model-names.ts). */
  resolve: (name: string) => CompiledModel | undefined;
  /**
   * Which models a lower-cased hint matches (a substring of the id or an alias), by model
   * index. Remembered per hint: servers send the same few hints again and again.
   */
  hintMatches: (needle: string) => Uint8Array;
}

/** Hints remembered per policy; beyond this the memory starts again (hints are the server's to choose). */
const HINT_MEMORY = 256;

const cache = new WeakMap<Policy, CompiledPolicy>();

/** The compiled form of a policy, built on first use. Policies are treated as immutable. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  let compiled = cache.get(policy);
  if (!compiled) {
    compiled = build(policy);
    cache.set(policy, compiled);
  }
  return compiled;
}

function build(policy: Policy): CompiledPolicy {
  const models: CompiledModel[] = [];
  for (const config of Object.values(policy.models)) {
    const supports = new Set(config.supports ?? []);
    const model: CompiledModel = {
      config,
      index: models.length,
      names: [config.id, ...(config.aliases ?? [])].map((n) => n.toLowerCase()),
      haystack: '',
      image: supports.has('image'),
      audio: supports.has('audio'),
      tools: supports.has('tools'),
      tokenizer: tokenizerFor(policy.providers[config.provider]?.type, config.model ?? config.id),
    };
    model.haystack = model.names.join('\n');
    models.push(model);
  }
  const index = createModelNameIndex(models.map((m) => ({ id: m.config.id, aliases: m.config.aliases, model: m })));
  const resolve = (name: string) => index.resolve(name)?.model;

  const compileSettings = (settings: Settings, where: string): CompiledSettings => {
    if (settings.models === undefined) {
      return { settings, wholeCatalogue: true, list: models.map((m) => ({ name: m.config.id, model: m })), listText: `every model in the policy (${models.length}), in file order` };
    }
    const seen = new Set<CompiledModel>();
    const list = settings.models.map((name): ListEntry => {
      const model = resolve(name);
      if (model && seen.has(model)) return { name, model, repeat: true };
      if (model) seen.add(model);
      return { name, model };
    });
    return { settings, wholeCatalogue: false, list, listText: `models of ${where}: ${settings.models.join(', ')}` };
  };

  const defaults = compileSettings(policy.defaults, 'defaults');
  const rules = policy.rules.map((rule, index): CompiledRule => {
    const overlay = rule.settings ?? {};
    const merged: Settings = {
      ...policy.defaults,
      ...stripUndefined(overlay),
      retry: { ...policy.defaults.retry, ...(overlay.retry ?? {}) },
    };
    // A rule's limits override the defaults' limit by limit, like retry.
    if (overlay.limits) merged.limits = { ...policy.defaults.limits, ...overlay.limits };
    // Rules that leave `models` alone share the defaults' resolved list.
    const where = `rule "${rule.name}"`;
    const effective =
      overlay.models === undefined
        ? { ...defaults, settings: merged, listText: defaults.wholeCatalogue ? defaults.listText : `models of ${where}: ${policy.defaults.models!.join(', ')}` }
        : compileSettings(merged, where);
    return { rule, index, test: compileWhen(rule.when), effective };
  });
  return { rules, defaults, models, resolve, hintMatches: hintMemory(models) };
}

function hintMemory(models: CompiledModel[]): (needle: string) => Uint8Array {
  const memory = new Map<string, Uint8Array>();
  return (needle) => {
    let matches = memory.get(needle);
    if (!matches) {
      matches = new Uint8Array(models.length);
      for (const m of models) if (m.haystack.includes(needle)) matches[m.index] = 1;
      if (memory.size >= HINT_MEMORY) memory.clear();
      memory.set(needle, matches);
    }
    return matches;
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

type Check = (facts: RequestFacts, serverLower: string | undefined) => boolean;

function compareNumber(c: NumberComparison): (v: number | undefined) => boolean {
  return (v) =>
    v !== undefined &&
    (c.gt === undefined || v > c.gt) &&
    (c.gte === undefined || v >= c.gte) &&
    (c.lt === undefined || v < c.lt) &&
    (c.lte === undefined || v <= c.lte) &&
    (c.eq === undefined || v === c.eq);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Turns a `when` into a test reporting the first failing condition (for the trace). */
export function compileWhen(when: When | undefined): RuleTest {
  const checks: Array<[string, Check]> = [];
  if (!when) return () => undefined;
  if (when.server !== undefined) {
    const globs = (Array.isArray(when.server) ? when.server : [when.server]).map(compileGlob);
    checks.push(['server', (_f, server) => server !== undefined && globs.some((glob) => glob.testLower(server))]);
  }
  if (when.hints !== undefined) {
    const glob = compileGlob(when.hints);
    checks.push([
      'hints',
      (f) => {
        for (let i = 0; i < f.hintsLower.length; i++) if (glob.testLower(f.hintsLower[i]!)) return true;
        return false;
      },
    ]);
  }
  if (when.content !== undefined) {
    let mask = 0;
    for (const kind of when.content) mask |= KIND_BITS[kind as ContentKind] ?? 0;
    checks.push(['content', (f) => (f.kinds & mask) !== 0]);
  }
  if (when.tools !== undefined) {
    const want = when.tools;
    checks.push(['tools', (f) => f.hasTools === want]);
  }
  if (when.maxTokens !== undefined) {
    const cmp = compareNumber(when.maxTokens);
    checks.push(['maxTokens', (f) => cmp(f.maxTokens)]);
  }
  const p = when.priorities;
  if (p?.cost !== undefined) {
    const cmp = compareNumber(p.cost);
    checks.push(['priorities.cost', (f) => cmp(f.cost)]);
  }
  if (p?.speed !== undefined) {
    const cmp = compareNumber(p.speed);
    checks.push(['priorities.speed', (f) => cmp(f.speed)]);
  }
  if (p?.intelligence !== undefined) {
    const cmp = compareNumber(p.intelligence);
    checks.push(['priorities.intelligence', (f) => cmp(f.intelligence)]);
  }
  if (when.systemPrompt !== undefined) {
    const re = compileRegExp(when.systemPrompt);
    checks.push(['systemPrompt', (f) => re.test(f.systemPrompt)]);
  }
  if (when.metadata !== undefined) {
    const entries = Object.entries(when.metadata);
    checks.push(['metadata', (f) => f.metadata !== undefined && entries.every(([k, v]) => deepEqual(f.metadata![k], v))]);
  }
  if (checks.length === 0) return () => undefined;
  const names = checks.map((c) => c[0]);
  const tests = checks.map((c) => c[1]);
  const n = tests.length;
  return (facts, server) => {
    for (let i = 0; i < n; i++) if (!tests[i]!(facts, server)) return names[i];
    return undefined;
  };
}
