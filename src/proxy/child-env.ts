// The spawned server's environment: ours, plus --env K=V, minus every variable the policy
// reads a credential from and any variable that holds a secret value under another name.
// Provider keys must never reach the server: stripping wins over an explicit --env.
// Which values are secrets, and which variables a policy reads them from, is decided in
// src/policy/secrets.ts and the normaliser (keys, headers, URL userinfo, store URLs).

import { MIN_SECRET_LENGTH } from '../redact.js';

/** A secret at least this long strips a variable that merely contains it. */
const MIN_CONTAINED_SECRET_LENGTH = 8;

export interface ChildEnv {
  env: NodeJS.ProcessEnv;
  /** Names removed, for a log line (never the values). */
  stripped: string[];
}

export function buildChildEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>, credentialEnv: readonly string[], secrets: readonly string[]): ChildEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...extra };
  // The redactor's threshold: a shorter "secret" (a 2-letter password) would strip every
  // variable that happens to hold the same two letters. A longer one also gives away any
  // variable that contains it (a DATABASE_URL with the same password).
  const secretValues = new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH));
  const contained = [...secretValues].filter((s) => s.length >= MIN_CONTAINED_SECRET_LENGTH);
  const stripped: string[] = [];
  for (const name of Object.keys(env)) {
    const value = env[name];
    const holdsSecret = value !== undefined && (secretValues.has(value) || contained.some((s) => value.includes(s)));
    if (credentialEnv.includes(name) || holdsSecret) {
      delete env[name];
      stripped.push(name);
    }
  }
  return { env, stripped };
}

/** Parses repeated `--env K=V` flags; throws on a flag without "=". */
export function parseEnvFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new Error(`--env expects NAME=VALUE, got "${flag}"`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}
