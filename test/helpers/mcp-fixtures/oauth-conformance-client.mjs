// The client side of the conformance suite's auth scenarios (`conformance client --scenario
// auth/...` runs this with the scenario's server URL as the last argument): mcp-route's own
// OAuth as a person would use it. First `mcp-route auth` does the sign-in (signIn from the built
// library, its browser step an HTTP GET that follows the redirect to the loopback callback, as
// the suite's authorization server consents at once); then the provider `run --url` uses
// carries the stored token on an SDK v2 client that lists and calls tools.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { signIn } from '../../../dist/transports/oauth/sign-in.js';
import { createOAuthProvider } from '../../../dist/transports/oauth/provider.js';
import { OAuthStore } from '../../../dist/transports/oauth/store.js';

const url = process.argv.at(-1);
const dir = mkdtempSync(join(tmpdir(), 'mcp-route-oauth-conformance-'));
const store = new OAuthStore(join(dir, 'oauth'));
try {
  await signIn(url, {
    store,
    timeoutMs: 20_000,
    onAuthorizationUrl: async (authUrl) => {
      const res = await fetch(authUrl, { redirect: 'follow' });
      if (!res.ok) throw new Error(`the authorization URL answered ${res.status}`);
    },
  });
  const client = new Client({ name: 'mcp-route-oauth-conformance', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: createOAuthProvider(url, { store }) }));
  const { tools } = await client.listTools();
  if (tools[0]) await client.callTool({ name: tools[0].name, arguments: {} });
  await client.close();
} catch (err) {
  process.stderr.write(`oauth-conformance-client: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
