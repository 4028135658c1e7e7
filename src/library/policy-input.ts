// What library callers may hand us where a policy is expected: a file path, a plain object
// shaped like the YAML document, or a Policy already loaded. One function turns any of them
// into the normalised Policy, through the same pipeline `lint` and `run` use.

import { loadPolicyFile, normalisePolicy } from '../policy/load.js';
import type { Policy } from '../policy/types.js';

/**
 * A policy written as a JavaScript object, with the same keys as the YAML file
 * (see `schemas/policy.schema.json`, exported as `mcp-route/schema`).
 */
export interface PolicyDocument {
  version: 1;
  [key: string]: unknown;
}

/** A policy file path, a policy document object, or a Policy returned by {@link loadPolicy}. */
export type PolicyInput = string | URL | PolicyDocument | Policy;

export interface LoadPolicyOptions {
  /** Environment for `${VAR}` interpolation. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Label used in diagnostics for object policies. Default: `<inline policy>`. */
  source?: string;
}

/** True for a Policy produced by the loader (already validated and normalised). */
export function isLoadedPolicy(value: unknown): value is Policy {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Policy>;
  // `source`, `credentialEnv` and `secrets` are not keys of the policy format, so a document
  // never has them; a loaded policy always has all three.
  return typeof v.source === 'string' && Array.isArray(v.credentialEnv) && Array.isArray(v.secrets) && typeof v.defaults === 'object';
}

/**
 * Loads and validates a policy. A string or URL is a YAML (or JSON) file; an object is a
 * policy document checked against the same schema and semantic rules; a loaded Policy is
 * returned as is. Throws `PolicyError` (code `POLICY_INVALID`) with positioned diagnostics.
 */
export function loadPolicy(input: PolicyInput, options: LoadPolicyOptions = {}): Policy {
  const env = options.env ?? process.env;
  if (typeof input === 'string') return loadPolicyFile(input, env);
  if (input instanceof URL) return loadPolicyFile(decodeURIComponent(input.pathname), env);
  if (isLoadedPolicy(input)) return input;
  return normalisePolicy(input, options.source ?? '<inline policy>', env);
}
