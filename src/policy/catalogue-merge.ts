// How a policy's `models` meet the built-in catalogue: an entry whose id is a built-in id
// inherits what it does not set, and `extends: builtin` appends every built-in model whose
// vendor matches a configured provider type, bound to the first provider of that type.

import { builtinModels, type CatalogueModel } from '../catalogue/catalogue.js';
import { entries, isObj, str } from './util.js';

let byId: Map<string, CatalogueModel> | undefined;

export function builtinById(): Map<string, CatalogueModel> {
  byId ??= new Map(builtinModels().map((m) => [m.id, m]));
  return byId;
}

/** Provider name -> type, in file order, from the raw `providers` map. */
export function providerTypes(rawProviders: unknown): Array<[string, string | undefined]> {
  return entries(rawProviders).map(([name, p]) => [name, isObj(p) ? str(p['type']) : undefined]);
}

/** The first provider of a type, in file order. */
export function firstProviderOfType(rawProviders: unknown, type: string): string | undefined {
  return providerTypes(rawProviders).find(([, t]) => t === type)?.[0];
}

/** The built-in entry a policy model entry inherits from: by its id, else by its `model` name. */
export function builtinFor(id: string, entry: unknown): CatalogueModel | undefined {
  const ids = builtinById();
  return ids.get(id) ?? (isObj(entry) && typeof entry['model'] === 'string' ? ids.get(entry['model']) : undefined);
}

/** The built-in models `extends: builtin` adds (ids not already in the policy), with their provider. */
export function extendedBuiltins(rawModels: unknown, rawProviders: unknown): Array<{ model: CatalogueModel; provider: string }> {
  if (!isObj(rawModels) || rawModels['extends'] !== 'builtin') return [];
  const own = new Set(Object.keys(rawModels));
  const out: Array<{ model: CatalogueModel; provider: string }> = [];
  for (const m of builtinModels()) {
    if (own.has(m.id)) continue;
    const provider = firstProviderOfType(rawProviders, m.vendor);
    if (provider !== undefined) out.push({ model: m, provider });
  }
  return out;
}
