// What `mcp-route run` remembers between starts so that it can spawn the server before it has
// loaded its policy (src/cli/early-start.ts): for one policy file, the names of the variables
// the server was not given and which model gateway endpoints it was given, with a digest of
// everything those two were computed from. Names only, never a value: the file sits in the
// user's state folder, where a same-user server could read it.
//
// The digest covers the format, mcp-route's version, the policy's path, its whole text, the
// working directory, and the environment the server would get (--env included): every name,
// and the value of every variable that was NOT kept from the server. The values of the
// variables kept out are left out of the digest on purpose: a digest of a short password
// could be guessed offline by whoever reads the file. What that leaves open (a kept-out value
// changed, and another variable now holds a secret derived from it) is checked at each start
// against the current values (early-start.ts), and the policy loaded afterwards is compared
// with what the cache said (run-routed.ts), so a stale entry never decides alone.
//
// The digest is MurmurHash3's 128 bits (src/util/murmur3.ts), not SHA-256: it is computed
// before the server's spawn, where node:crypto costs the server its head start. It only has to
// differ when an input differs. Inputs change by accident (an edit, a new variable), not by
// someone crafting two that collide: whoever chooses the policy text or mcp-route's
// environment decides what the server gets anyway, so 128 bits leave a stale match at about one
// in 2^128 per change. Nothing secret goes in (above), so a faster hash tells a reader of the
// file nothing the server is not given. Forging an entry (the folder is the user's) needs the
// digest of inputs that hold the very values the forged entry would stop keeping out: the
// secrets; true of either hash.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GatewayApis } from '../gateway/apis.js';
import { defaultStateDir } from '../policy/defaults.js';
import { murmur3Hex } from '../util/murmur3.js';

/** Bump when the entry's meaning, the digest's inputs or its hash change: older entries then never match (format 2: MurmurHash3, was SHA-256). */
const FORMAT = 2;

export interface StartupEntry {
  /** Variables of the server's environment it does not get (credentials, secret holders). */
  strip: string[];
  /** The model gateway endpoints the server gets, or none. */
  gateway: GatewayApis | null;
}

/** One policy file's entry, as stored: the entry and the digest of its inputs. */
interface StoredEntry extends StartupEntry {
  format: number;
  digest: string;
}

export interface StartupInputs {
  version: string;
  /** The policy file as given (resolved against cwd here). */
  policyPath: string;
  text: string;
  cwd: string;
  /** The environment the server would get before anything is kept out: ours plus --env. */
  env: NodeJS.ProcessEnv;
}

/** The digest of `inputs`, the values of the `strip` variables left out. */
export function startupDigest(inputs: StartupInputs, strip: readonly string[]): string {
  const kept = new Set(strip);
  const env = Object.keys(inputs.env)
    .sort()
    .map((name) => [name, kept.has(name) ? null : (inputs.env[name] ?? null)]);
  return murmur3Hex(JSON.stringify([FORMAT, inputs.version, resolve(inputs.cwd, inputs.policyPath), inputs.cwd, inputs.text, env]));
}

/** Where the entry of the policy file at `policyPath` lives (one file per policy path, rewritten in place). */
export function startupCacheFile(policyPath: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const id = murmur3Hex(resolve(cwd, policyPath)).slice(0, 32);
  return join(defaultStateDir(env), 'startup', `${id}.json`);
}

/** The entry for `inputs` when one was written for exactly these inputs; undefined otherwise (or unreadable). */
export function readStartupEntry(file: string, inputs: StartupInputs): StartupEntry | undefined {
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isStoredEntry(stored) || stored.format !== FORMAT) return undefined;
  if (startupDigest(inputs, stored.strip) !== stored.digest) return undefined;
  return { strip: stored.strip, gateway: stored.gateway };
}

/** Records `entry` for `inputs`; best effort (a read-only state folder only costs the next start its head start). */
export function writeStartupEntry(file: string, inputs: StartupInputs, entry: StartupEntry): void {
  const stored: StoredEntry = { format: FORMAT, digest: startupDigest(inputs, entry.strip), strip: [...entry.strip], gateway: entry.gateway };
  try {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    // A reader never sees half a file: write aside, then rename over.
    const aside = `${file}.${process.pid}.tmp`;
    writeFileSync(aside, `${JSON.stringify(stored)}\n`, { mode: 0o600 });
    renameSync(aside, file);
  } catch {
    // Nothing to do: the slow start is always correct.
  }
}

function isStoredEntry(v: unknown): v is StoredEntry {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const gateway = o['gateway'];
  const gatewayOk = gateway === null || (typeof gateway === 'object' && typeof (gateway as GatewayApis).openai === 'boolean' && typeof (gateway as GatewayApis).anthropic === 'boolean');
  return typeof o['digest'] === 'string' && Array.isArray(o['strip']) && o['strip'].every((n) => typeof n === 'string') && gatewayOk;
}
