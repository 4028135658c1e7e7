// The one model-name index: how a name in a policy (`models:` lists, budget selectors) or a
// settings list built in code finds its model. The loader, lint and routing all resolve here,
// so a name means the same model everywhere.
//
// Names compare case-insensitively. Precedence: an exact id, then an id in any case, then an
// alias in any case; within a tier the first model in file order wins. Ids beat aliases so that
// adding an alias can never take a name away from a model that is called that.

export interface NamedModel {
  id: string;
  aliases?: readonly string[];
}

/** A name that two models claim; `loser` does not get it. */
export interface NameClash<T extends NamedModel = NamedModel> {
  /** The name as the loser spelled it. */
  name: string;
  loser: T;
  loserKind: 'id' | 'alias';
  /** Index of the alias in the loser's `aliases` (for alias clashes). */
  aliasIndex?: number;
  winner: T;
  winnerKind: 'id' | 'alias';
}

export interface ModelNameIndex<T extends NamedModel> {
  /** The model a name refers to, or undefined. */
  resolve(name: string): T | undefined;
  /** Every lower-cased name the index knows (ids and aliases), for "did you mean" hints. */
  names(): string[];
  /** Names claimed by more than one model, and who lost each: lint reports them. */
  clashes: Array<NameClash<T>>;
}

export function createModelNameIndex<T extends NamedModel>(models: Iterable<T>): ModelNameIndex<T> {
  const exact = new Map<string, T>();
  const byId = new Map<string, T>();
  const byAlias = new Map<string, T>();
  const clashes: Array<NameClash<T>> = [];
  const list = [...models];
  for (const model of list) {
    if (!exact.has(model.id)) exact.set(model.id, model);
    const key = model.id.toLowerCase();
    const prior = byId.get(key);
    if (prior === undefined) byId.set(key, model);
    else if (prior !== model) clashes.push({ name: model.id, loser: model, loserKind: 'id', winner: prior, winnerKind: 'id' });
  }
  for (const model of list) {
    (model.aliases ?? []).forEach((alias, aliasIndex) => {
      const key = alias.toLowerCase();
      const owner = byId.get(key) ?? byAlias.get(key);
      if (owner === undefined) byAlias.set(key, model);
      else if (owner !== model) {
        clashes.push({ name: alias, loser: model, loserKind: 'alias', aliasIndex, winner: owner, winnerKind: byId.get(key) === owner ? 'id' : 'alias' });
      }
    });
  }
  return {
    resolve: (name) => exact.get(name) ?? byId.get(name.toLowerCase()) ?? byAlias.get(name.toLowerCase()),
    names: () => [...byId.keys(), ...byAlias.keys()],
    clashes,
  };
}
