// The built-in model catalogue: well-known Anthropic and OpenAI models with list prices,
// context windows and capabilities, so a minimal policy (`models: {extends: builtin}`) need
// not list prices. The data lives in models.json; the policy loader merges it under the policy's own entries.

import type { Capability } from '../policy/types.js';
import data from './models.json' with { type: 'json' };

export type CatalogueVendor = 'anthropic' | 'openai';

export interface CatalogueModel {
  /** The id hints match and that is sent to the vendor's API. */
  id: string;
  /** The provider type that serves it; the loader binds it to a policy provider of that type. */
  vendor: CatalogueVendor;
  aliases: string[];
  /** USD per million tokens, list price on CATALOGUE_PRICES_TAKEN_ON. */
  cost: { input: number; output: number };
  /** Relative 0..1 judgement, for priority scoring only. */
  speed: number;
  /** Relative 0..1 judgement, for priority scoring only. */
  intelligence: number;
  contextWindow: number;
  maxOutput: number;
  supports: Capability[];
  /** Request-body keys the vendor rejects for this model; they are left out of its requests. */
  params?: { drop: string[] };
  /** The vendor's announced retirement day (YYYY-MM-DD); lint warns before and after it. */
  endOfLife?: string;
}

interface CatalogueFile {
  pricesTakenOn: string;
  models: CatalogueModel[];
}

const catalogue = data as unknown as CatalogueFile;

/** The day the catalogue's prices were taken (YYYY-MM-DD). */
export const CATALOGUE_PRICES_TAKEN_ON: string = catalogue.pricesTakenOn;

/** A fresh copy of every built-in model, in catalogue order (callers may mutate it). */
export function builtinModels(): CatalogueModel[] {
  return catalogue.models.map((m) => ({
    ...m,
    aliases: [...m.aliases],
    cost: { ...m.cost },
    supports: [...m.supports],
    ...(m.params ? { params: { drop: [...m.params.drop] } } : {}),
  }));
}
