// The OAuthClientProvider that the MCP SDK's auth() and its Streamable HTTP client transport
// drive: discovery, dynamic client registration, PKCE, token exchange and refresh are the
// SDK's; this class only keeps their results in the OAuthStore (0600, one file per server).
//
// Two modes. Signing in (`mcp-route auth URL`) has a loopback callback URL and hands the
// authorization URL to the person. Running (`mcp-route run --url URL`) never starts a sign-in:
// the host hides mcp-route's stderr and would time out waiting, so anything that would need the
// person (no registered client, no refresh token, a refused refresh) fails at once with
// SignInRequiredError, whose message says to run `mcp-route auth URL`.

import { randomBytes } from 'node:crypto';
import type { OAuthClientInformationContext, OAuthClientMetadata, OAuthClientProvider, OAuthDiscoveryState, StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { normaliseServerUrl, OAuthStore, oauthRedactor, registeredRedirectUris, type OAuthRecord } from './store.js';

/** Used for the client metadata in run mode before any client is registered (never visited). */
const PLACEHOLDER_REDIRECT = 'http://127.0.0.1/callback';
/** Longest one auth() flow holds its turn when it ends in a way the provider does not see. */
const TURN_MS = 15_000;

export class SignInRequiredError extends Error {
  readonly serverUrl: string;
  constructor(serverUrl: string, why: string) {
    super(`${serverUrl} requires an OAuth sign-in (${why}): run \`mcp-route auth ${serverUrl}\` first`);
    this.name = 'SignInRequiredError';
    this.serverUrl = serverUrl;
  }
}

export interface SignInMode {
  /** The loopback callback URL the authorization server redirects to. */
  redirectUrl: string;
  /** The OAuth `state` the callback must bring back. */
  state: string;
  /** Called with the authorization URL the person must open. */
  onAuthorizationUrl(url: URL): void | Promise<void>;
}

export interface OAuthProviderOptions {
  /** Default: the store under mcp-route's state folder. */
  store?: OAuthStore;
  /** Present only while signing in; without it the provider never starts a sign-in. */
  signIn?: SignInMode;
}

export class StoredOAuthProvider implements OAuthClientProvider {
  readonly serverUrl: string;
  readonly store: OAuthStore;
  private readonly signIn: SignInMode | undefined;
  /** The PKCE verifier lives only in memory: the callback returns to this same process. */
  private verifier: string | undefined;
  /** The auth() flow (refresh or re-authorization) in progress in this process, if any. */
  private turn: { over: Promise<void>; end(): void } | undefined;

  constructor(serverUrl: string, options: OAuthProviderOptions = {}) {
    this.serverUrl = normaliseServerUrl(serverUrl);
    this.store = options.store ?? new OAuthStore();
    this.signIn = options.signIn;
  }

  // Read from disk on every call (a small file): a sign-in made by `mcp-route auth` while a
  // `run --url` is up is picked up by its next request, with no restart of the host.
  private record(): OAuthRecord {
    return this.store.load(this.serverUrl);
  }

  private update(change: (record: OAuthRecord) => void): void {
    this.store.update(this.serverUrl, change);
  }

  get redirectUrl(): string {
    return this.signIn?.redirectUrl ?? registeredRedirectUris(this.record().client)[0] ?? PLACEHOLDER_REDIRECT;
  }

  get clientMetadata(): OAuthClientMetadata {
    // A native public client (RFC 8252): loopback redirect, PKCE, no secret of its own.
    return {
      client_name: 'mcp-route',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    return this.signIn?.state ?? randomBytes(32).toString('base64url');
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    const client = this.record().client;
    if (!this.signIn) {
      if (!client) throw new SignInRequiredError(this.serverUrl, 'no client is registered with its authorization server');
      return client;
    }
    // Registered for another loopback port (that one was busy): register again for this one,
    // since authorization servers compare redirect URIs exactly.
    if (client && !registeredRedirectUris(client).includes(this.signIn.redirectUrl)) return undefined;
    return client;
  }

  saveClientInformation(client: StoredOAuthClientInformation): void {
    this.update((r) => {
      r.client = client;
    });
  }

  // Without ctx: the transport's read for the Authorization header of each request. With ctx:
  // auth() about to refresh (or re-authorize), after a 401. Concurrent 401s of one process each
  // run auth(); they take turns here, so a rotated refresh token is never presented twice (the
  // loser would get invalid_grant and the SDK would then delete the winner's fresh tokens).
  async tokens(ctx?: OAuthClientInformationContext): Promise<StoredOAuthTokens | undefined> {
    if (ctx) await this.takeTurn();
    return this.record().tokens;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    let replaced = true;
    this.update((r) => {
      replaced = r.tokens?.access_token !== tokens.access_token; // not just the SDK's issuer stamp
      r.tokens = tokens;
      r.tokensSavedAt = Date.now();
    });
    if (replaced) this.endTurn();
  }

  /** One auth() flow at a time; a flow that ends without saving or failing visibly frees its turn after TURN_MS. */
  private async takeTurn(): Promise<void> {
    while (this.turn) await this.turn.over;
    let end!: () => void;
    const over = new Promise<void>((resolve) => (end = resolve));
    const timer = setTimeout(() => this.endTurn(), TURN_MS);
    timer.unref();
    this.turn = {
      over,
      end: () => {
        clearTimeout(timer);
        end();
      },
    };
  }

  private endTurn(): void {
    const turn = this.turn;
    this.turn = undefined;
    turn?.end();
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    this.endTurn();
    if (!this.signIn) throw new SignInRequiredError(this.serverUrl, 'no usable token, and none could be refreshed');
    await this.signIn.onAuthorizationUrl(url);
  }

  /** `text` without the stored token or client secret (read now: a line about a refused refresh comes before the SDK drops them). */
  redactStored(text: string): string {
    try {
      return oauthRedactor(this.record())(text);
    } catch {
      return text; // an unreadable store holds nothing this process could leak
    }
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no PKCE code verifier: the sign-in did not start in this process');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.update((r) => {
      r.discovery = state;
    });
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.record().discovery;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    this.endTurn();
    if (scope === 'verifier' || scope === 'all') this.verifier = undefined;
    if (scope === 'all') {
      this.store.remove(this.serverUrl);
      return;
    }
    if (scope === 'verifier') return;
    this.update((r) => {
      if (scope === 'client') delete r.client;
      if (scope === 'tokens') {
        delete r.tokens;
        delete r.tokensSavedAt;
      }
      if (scope === 'discovery') delete r.discovery;
    });
  }
}

/**
 * The provider `run --url` passes to the SDK transport as `authProvider`: it sends the stored
 * access token, lets the SDK refresh it on a 401, and answers a 401 it cannot fix with
 * SignInRequiredError (run `mcp-route auth URL`). Never opens a browser or waits for a person.
 */
export function createOAuthProvider(serverUrl: string | URL, options: { store?: OAuthStore } = {}): StoredOAuthProvider {
  return new StoredOAuthProvider(String(serverUrl), options.store ? { store: options.store } : {});
}
