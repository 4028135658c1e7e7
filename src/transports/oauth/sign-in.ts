// `mcp-route auth URL`: sign in to a remote MCP server ahead of time, so that `run --url` (whose
// stderr the host hides) finds tokens ready. The MCP SDK's auth() does the protocol: it
// discovers the protected-resource and authorization-server metadata, registers a client,
// builds the PKCE authorization URL, exchanges the code and refreshes. This file adds the
// person's part: read the server's 401 challenge first (as a transport would), show the URL
// (and open a browser when asked), wait at the loopback callback, and finish the exchange.

import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { auth, extractWWWAuthenticateParams, type FetchLike } from '@modelcontextprotocol/client';
import { startCallbackServer } from './callback-server.js';
import { StoredOAuthProvider } from './provider.js';
import { normaliseServerUrl, OAuthStore, registeredRedirectUris, tokenExpiry, type OAuthRecord } from './store.js';

export interface SignInOptions {
  store?: OAuthStore;
  /** How long to wait for the browser to come back to the callback. */
  timeoutMs: number;
  /** Skip refreshing stored tokens and sign in anew. */
  force?: boolean;
  /** Called with the authorization URL (the CLI prints it to stderr). */
  onAuthorizationUrl(url: URL): void | Promise<void>;
  fetchFn?: FetchLike;
}

export type SignInOutcome = 'signed-in' | 'refreshed';

export async function signIn(serverUrl: string, o: SignInOptions): Promise<SignInOutcome> {
  const url = normaliseServerUrl(serverUrl);
  const store = o.store ?? new OAuthStore();
  const state = randomBytes(32).toString('base64url');
  const callback = await startCallbackServer({ state, timeoutMs: o.timeoutMs, port: registeredPort(store.load(url)) });
  try {
    const provider = new StoredOAuthProvider(url, { store, signIn: { redirectUrl: callback.redirectUrl, state, onAuthorizationUrl: o.onAuthorizationUrl } });
    const { status, ...hints } = await challenge(url, o.fetchFn ?? fetch);
    const common = { serverUrl: url, ...(o.fetchFn ? { fetchFn: o.fetchFn } : {}), ...hints };
    const first = await auth(provider, { ...common, forceReauthorization: o.force === true }).catch((err: unknown) => {
      if (status === 401) throw err;
      throw new Error(`${(err as Error).message} (the server answered a request without a token with HTTP ${status}, not 401: does it use OAuth?)`);
    });
    if (first === 'AUTHORIZED') return 'refreshed';
    const { code, iss } = await callback.result;
    const outcome = await auth(provider, { ...common, authorizationCode: code, ...(iss !== undefined ? { iss } : {}) });
    if (outcome !== 'AUTHORIZED') throw new Error('the authorization server did not issue tokens for the code');
    return 'signed-in';
  } finally {
    callback.close();
  }
}

/**
 * What the server's own 401 says, as run --url would see it: the protected-resource metadata URL
 * (a server may publish it only there, not at the well-known path) and the scope it wants. The
 * probe is a `ping` without a session, which an unprotected server refuses without creating one.
 */
async function challenge(url: string, fetchFn: FetchLike): Promise<{ status: number; resourceMetadataUrl?: URL; scope?: string }> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'mcp-route-auth-probe', method: 'ping' }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    const where = new URL(url);
    throw new Error(`cannot reach ${where.host} (${typeof cause === 'string' ? cause : (err as Error).message})`);
  }
  await res.body?.cancel().catch(() => {});
  if (res.status !== 401) return { status: res.status };
  const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(res);
  return { status: 401, ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
}

function registeredPort(record: OAuthRecord): number | undefined {
  const uri = registeredRedirectUris(record.client)[0];
  if (!uri) return undefined;
  try {
    const parsed = new URL(uri);
    return parsed.hostname === '127.0.0.1' && parsed.port ? Number(parsed.port) : undefined;
  } catch {
    return undefined;
  }
}

export interface SignInStatus {
  serverUrl: string;
  file: string;
  signedIn: boolean;
  clientId?: string;
  /** ms since the epoch, when the server gave a lifetime. */
  expiresAt?: number;
  refreshable: boolean;
  issuer?: string;
}

/** What is stored for a server, without a secret in it. */
export function signInStatus(serverUrl: string, store: OAuthStore = new OAuthStore()): SignInStatus {
  const record = store.load(serverUrl);
  const expiresAt = tokenExpiry(record);
  const issuer = record.tokens?.issuer ?? record.discovery?.authorizationServerMetadata?.issuer;
  return {
    serverUrl: record.serverUrl,
    file: store.fileFor(record.serverUrl),
    signedIn: typeof record.tokens?.access_token === 'string',
    ...(record.client?.client_id ? { clientId: record.client.client_id } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    refreshable: typeof record.tokens?.refresh_token === 'string',
    ...(issuer ? { issuer } : {}),
  };
}

/** Opens a URL in the desktop's browser; a failure only means the person opens it by hand. */
export function openBrowser(url: URL): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url.href]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url.href]] : ['xdg-open', [url.href]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No browser launcher: the URL is printed anyway.
  }
}
