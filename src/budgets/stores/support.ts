// What the stores share: loading a driver that is an optional dependency, and the one shape of
// a store's error (STORE_ERROR, naming the store, where it is and what to do), so a budgeted
// request fails closed with a message that says how to fix it.

import { createRequire } from 'node:module';
import { McpRouteError } from '../../errors.js';
import type { StoreKind } from '../../policy/types.js';

const require = createRequire(import.meta.url);

/** Loads `name` (CommonJS) for the `store` driver; when it is not installed, says how to fix that. */
export function loadOptional<T>(name: string, store: StoreKind, otherwise: string): T {
  try {
    return require(name) as T;
  } catch (err) {
    throw new McpRouteError('STORE_ERROR', `state.store is ${store} but ${name} could not be loaded: run \`npm install ${name}\`, or set state.store to ${otherwise}`, {}, { cause: err });
  }
}

/** `budget store <kind> at <where>: <text>`, with the error that caused it. */
export function storeError(store: StoreKind, where: string, text: string, cause: unknown): McpRouteError {
  return new McpRouteError('STORE_ERROR', `budget store ${store} at ${where}: ${text}`, {}, { cause });
}
