// A real OAuth-protected MCP server on 127.0.0.1 for tests: the v1 SDK's own authorization
// server (mcpAuthRouter: metadata, dynamic registration, authorize, token with PKCE checked by
// the SDK) over a small in-memory OAuthServerProvider that consents at once, and an SDK
// Streamable HTTP MCP server (stateless, a fresh McpServer per request) behind
// requireBearerAuth. Access tokens live `accessTtlSeconds`; refresh tokens rotate. Counters
// let tests see what the client did (registrations, code exchanges, refreshes).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidGrantError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthorizationParams, OAuthServerProvider } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { OAuthRegisteredClientsStore } from '@modelcontextprotocol/sdk/server/auth/clients.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthClientInformationFull, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

interface Grant {
  clientId: string;
  challenge: string;
  redirectUri: string;
}

export class TestAuthProvider implements OAuthServerProvider {
  readonly clients = new Map<string, OAuthClientInformationFull>();
  readonly codes = new Map<string, Grant>();
  readonly access = new Map<string, AuthInfo>();
  readonly refresh = new Map<string, string>(); // refresh token -> client id
  readonly counts = { registrations: 0, authorizations: 0, codeExchanges: 0, refreshes: 0 };
  /** Refused refresh tokens are quoted in the error, as careless servers do (what the client logs must be scrubbed). */
  echoRefusedRefreshTokens = false;

  constructor(private readonly accessTtlSeconds: number) {}

  get clientsStore(): OAuthRegisteredClientsStore {
    return {
      getClient: (id) => this.clients.get(id),
      registerClient: (client) => {
        this.counts.registrations++;
        const full = { ...client, client_id: randomUUID(), client_id_issued_at: Math.floor(Date.now() / 1000) } as OAuthClientInformationFull;
        this.clients.set(full.client_id, full);
        return full;
      },
    };
  }

  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response): Promise<void> {
    this.counts.authorizations++;
    const code = randomUUID();
    this.codes.set(code, { clientId: client.client_id, challenge: params.codeChallenge, redirectUri: params.redirectUri });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    res.redirect(302, target.href);
  }

  async challengeForAuthorizationCode(_client: OAuthClientInformationFull, code: string): Promise<string> {
    const grant = this.codes.get(code);
    if (!grant) throw new InvalidGrantError('unknown authorization code');
    return grant.challenge;
  }

  async exchangeAuthorizationCode(client: OAuthClientInformationFull, code: string, _verifier?: string, redirectUri?: string): Promise<OAuthTokens> {
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== client.client_id) throw new InvalidGrantError('unknown authorization code');
    if (redirectUri !== undefined && redirectUri !== grant.redirectUri) throw new InvalidGrantError('redirect_uri differs from the authorization request');
    this.codes.delete(code); // one use
    this.counts.codeExchanges++;
    return this.issue(client.client_id);
  }

  async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string): Promise<OAuthTokens> {
    if (this.refresh.get(refreshToken) !== client.client_id) throw new InvalidGrantError(this.echoRefusedRefreshTokens ? `unknown refresh token ${refreshToken}` : 'unknown refresh token');
    this.refresh.delete(refreshToken); // rotation
    this.counts.refreshes++;
    return this.issue(client.client_id);
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const info = this.access.get(token);
    if (!info) throw new InvalidTokenError('unknown access token');
    return info;
  }

  private issue(clientId: string): OAuthTokens {
    const access = `at-${randomUUID()}`;
    const refresh = `rt-${randomUUID()}`;
    this.access.set(access, { token: access, clientId, scopes: ['mcp'], expiresAt: Math.floor(Date.now() / 1000) + this.accessTtlSeconds });
    this.refresh.set(refresh, clientId);
    return { access_token: access, token_type: 'Bearer', expires_in: this.accessTtlSeconds, refresh_token: refresh, scope: 'mcp' };
  }
}

export interface OAuthMcpServer {
  /** The MCP endpoint (protected). */
  url: string;
  issuer: string;
  provider: TestAuthProvider;
  close(): Promise<void>;
}

export async function startOAuthMcpServer(options: { accessTtlSeconds?: number } = {}): Promise<OAuthMcpServer> {
  const provider = new TestAuthProvider(options.accessTtlSeconds ?? 3600);
  const http: Server = createServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const mcpUrl = new URL('/mcp', base);
  const app = express();
  app.use(mcpAuthRouter({ provider, issuerUrl: new URL(base), resourceServerUrl: mcpUrl, scopesSupported: ['mcp'] }));
  const bearer = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });
  app.post('/mcp', express.json(), bearer, async (req, res) => {
    const server = new McpServer({ name: 'oauth-fixture', version: '1.0.0' });
    server.registerTool('whoami', { description: 'the OAuth client id of the caller' }, async (extra) => ({
      content: [{ type: 'text', text: `client ${extra.authInfo?.clientId ?? 'unknown'}` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // Stateless: no SSE stream and no session to end.
  app.all('/mcp', bearer, (_req, res) => void res.status(405).set('allow', 'POST').end());
  http.on('request', app);
  return {
    url: mcpUrl.href,
    issuer: `${base}/`,
    provider,
    close: () => new Promise<void>((r) => (http.closeAllConnections(), http.close(() => r()))),
  };
}
