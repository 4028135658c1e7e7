// Where the OAuth sign-in for one remote MCP server is kept between runs: one JSON file per
// server URL under mcp-route's state folder (`oauth/<hash of the URL>.json`), folder 0700 and
// file 0600, written whole to a private temporary file and renamed, so a reader never sees half
// a file and nobody else can read a token. Nothing here logs or throws a file's content: a
// malformed file is named, never quoted (JSON.parse's message would quote it).

import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OAuthDiscoveryState, StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { defaultStateDir } from '../../policy/defaults.js';
import { createRedactor, type Redactor } from '../../redact.js';

export interface OAuthRecord {
  /** The MCP server URL this sign-in is for (the key; kept in the file so it says whose it is). */
  serverUrl: string;
  /** The client registered with the authorization server (dynamic registration). */
  client?: StoredOAuthClientInformation;
  tokens?: StoredOAuthTokens;
  /** When the tokens were saved (ms since the epoch): with `expires_in`, when they expire. */
  tokensSavedAt?: number;
  /** Discovery results (protected-resource and authorization-server metadata). */
  discovery?: OAuthDiscoveryState;
}

/** Scrubs the stored secrets of a server's sign-in from a message (errors may echo a token). */
export function oauthRedactor(record: OAuthRecord): Redactor {
  const secrets = [record.tokens?.access_token, record.tokens?.refresh_token, record.client?.client_secret];
  return createRedactor(secrets.filter((s): s is string => typeof s === 'string'));
}

/** A server URL as a store key: no fragment, the URL parser's spelling (case of scheme and host). */
export function normaliseServerUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(String(url))}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`not an http(s) URL: ${parsed.protocol}`);
  parsed.hash = '';
  return parsed.href;
}

export class OAuthStore {
  readonly dir: string;

  /** `dir` defaults to `<state folder>/oauth` (see defaultStateDir). */
  constructor(dir?: string, env: NodeJS.ProcessEnv = process.env) {
    this.dir = dir ?? join(defaultStateDir(env), 'oauth');
  }

  fileFor(serverUrl: string): string {
    const key = createHash('sha256').update(normaliseServerUrl(serverUrl)).digest('hex').slice(0, 32);
    return join(this.dir, `${key}.json`);
  }

  /** The record for a server; an empty one when nothing is stored. */
  load(serverUrl: string): OAuthRecord {
    const url = normaliseServerUrl(serverUrl);
    const file = this.fileFor(url);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { serverUrl: url };
      throw new Error(`cannot read the OAuth store ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`the OAuth store ${file} is not valid JSON: remove it with \`mcp-route auth --logout ${url}\` and sign in again`);
    }
    if (!isRecordFor(parsed, url)) throw new Error(`the OAuth store ${file} does not hold a sign-in for ${url}: remove it and sign in again`);
    return parsed;
  }

  /** Replaces the record whole (atomically, 0600). */
  save(record: OAuthRecord): void {
    const file = this.fileFor(record.serverUrl);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      renameSync(temp, file);
    } catch (err) {
      rmSync(temp, { force: true });
      throw new Error(`cannot write the OAuth store ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  /** Reads, changes and writes back one record. */
  update(serverUrl: string, change: (record: OAuthRecord) => void): OAuthRecord {
    const record = this.load(serverUrl);
    change(record);
    this.save(record);
    return record;
  }

  /** Forgets a server's sign-in; true when there was one. */
  remove(serverUrl: string): boolean {
    const file = this.fileFor(serverUrl);
    try {
      rmSync(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}

function isRecordFor(value: unknown, url: string): value is OAuthRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { serverUrl?: unknown }).serverUrl === url;
}

/** When the stored access token expires (ms since the epoch), when the server said. */
export function tokenExpiry(record: OAuthRecord): number | undefined {
  const seconds = record.tokens?.expires_in;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || record.tokensSavedAt === undefined) return undefined;
  return record.tokensSavedAt + seconds * 1000;
}

/** The redirect URIs a stored client was registered with (full registrations carry them). */
export function registeredRedirectUris(client: StoredOAuthClientInformation | undefined): string[] {
  const uris = (client as { redirect_uris?: unknown } | undefined)?.redirect_uris;
  return Array.isArray(uris) ? uris.filter((u): u is string => typeof u === 'string') : [];
}
