// Custom provider types from code: the factory joins the registry the router builds providers
// from, and the type name becomes valid in policies loaded afterwards in this process.

import type { ProviderFactory } from '../providers/types.js';
import { registerProvider as addFactory } from '../providers/registry.js';
import { allowCustomProviderType } from '../policy/custom-provider-types.js';

/**
 * Registers a provider type by name, so a policy can say `type: <name>` for models no
 * built-in type (openai, anthropic, client, mock) reaches. The factory receives the
 * provider's normalised config (its free-form settings under `options`) and returns an
 * object with `createMessage(request, { signal, model, modelId })` that resolves to
 * `{ result, usage }` and throws `ProviderError` (with an HTTP-like `status`) on failure.
 * Register before loading the policy that uses the type. Registering a built-in name
 * replaces that built-in.
 */
export function registerProvider(type: string, factory: ProviderFactory): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(type)) {
    throw new TypeError(`registerProvider: "${type}" is not a valid provider type name (letters, digits, _ . -)`);
  }
  if (typeof factory !== 'function') throw new TypeError(`registerProvider: the factory for "${type}" must be a function`);
  addFactory(type, factory);
  allowCustomProviderType(type);
}
