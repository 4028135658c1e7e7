// OAuth for remote servers against a real authorization server (the v1 SDK's mcpAuthRouter)
// and a real bearer-protected SDK Streamable HTTP MCP server on 127.0.0.1: discovery, dynamic
// registration, PKCE and the loopback callback (driven by HTTP GETs, as a browser would, with
// the redirect followed to the callback), a 0600 token store, reuse by the provider `run --url`
// passes to the SDK v2 transport, refresh after expiry, a wrong `state` refused, and the
// `mcp-route auth` command (sign-in, --status, --logout) with no token in its output, and
// `mcp-route run --url` using the stored sign-in (refreshing it) or naming the command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { OAuthStore } from '../../src/transports/oauth/store.js';
import { createOAuthProvider, SignInRequiredError } from '../../src/transports/oauth/provider.js';
import { signIn } from '../../src/transports/oauth/sign-in.js';
import { startCallbackServer } from '../../src/transports/oauth/callback-server.js';
import { startOAuthMcpServer } from '../helpers/oauth-server.js';
import { CLI, ROOT, e2e, tempDir, writePolicy } from '../e2e/harness.js';
import { runCli } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A v1 host without sampling in front of `mcp-route run --url`, its stderr collected. */
function runUrlHost(policy: string, stateHome: string, url: string) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'run', '--policy', policy, '--grace', '1s', '--url', url],
    env: { ...(process.env as Record<string, string>), XDG_STATE_HOME: stateHome },
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { client: new V1Client({ name: 'host', version: '1.0.0' }, { capabilities: {} }), transport, stderr: () => stderr };
}

/** What `run --url` does: an SDK v2 client over Streamable HTTP with the stored-token provider. */
async function callWhoami(url: string, store: OAuthStore, provider = createOAuthProvider(url, { store })): Promise<string> {
  const client = new Client({ name: 'oauth-test-host', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  try {
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    return (result.content as Array<{ type: string; text: string }>)[0]!.text;
  } finally {
    await client.close();
  }
}

/** A browser: GET the authorization URL and follow its redirect to the loopback callback. */
async function browse(authUrl: URL): Promise<Response> {
  return fetch(authUrl, { redirect: 'follow' });
}

test('sign-in: discovery, registration, PKCE, callback; tokens stored 0600, reused, refreshed after expiry', { timeout: 60_000 }, async () => {
  const server = await startOAuthMcpServer({ accessTtlSeconds: 2 });
  const store = new OAuthStore(join(tempDir(), 'state', 'oauth'));
  try {
    // Nothing stored: the run-mode provider refuses at once, registers nothing, names the command.
    await assert.rejects(callWhoami(server.url, store), (err: Error) => {
      assert.ok(err instanceof SignInRequiredError || /mcp-route auth/.test(err.message), err.message);
      assert.match(err.message, new RegExp(`run \`mcp-route auth ${server.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));
      return true;
    });
    assert.equal(server.provider.counts.registrations, 0);

    let browsed: Promise<{ forged: number; real: Response }> | undefined;
    const outcome = await signIn(server.url, {
      store,
      timeoutMs: 20_000,
      onAuthorizationUrl: (authUrl) => {
        assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
        assert.ok(authUrl.searchParams.get('code_challenge'));
        browsed = (async () => {
          // A response with another state reaches the callback first: refused, the wait goes on.
          const redirect = new URL(authUrl.searchParams.get('redirect_uri')!);
          redirect.searchParams.set('code', 'forged');
          redirect.searchParams.set('state', 'not-this-sign-in');
          const forged = (await fetch(redirect)).status;
          return { forged, real: await browse(authUrl) };
        })();
      },
    });
    assert.equal(outcome, 'signed-in');
    const { forged, real } = await browsed!;
    assert.equal(forged, 400);
    assert.equal(real.status, 200);
    assert.match(await real.text(), /Signed in/);
    assert.deepEqual({ ...server.provider.counts }, { registrations: 1, authorizations: 1, codeExchanges: 1, refreshes: 0 });

    const file = store.fileFor(server.url);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(store.dir).mode & 0o777, 0o700);
    const first = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(first.serverUrl, server.url);
    assert.ok(server.provider.access.has(first.tokens.access_token));

    // Reused: no new registration, authorization or exchange.
    assert.match(await callWhoami(server.url, store), new RegExp(`client ${first.client.client_id}`));
    assert.deepEqual({ ...server.provider.counts }, { registrations: 1, authorizations: 1, codeExchanges: 1, refreshes: 0 });

    // Expired: the server answers 401, the SDK refreshes through the provider, the call succeeds.
    await sleep(2_200);
    assert.match(await callWhoami(server.url, store), /client /);
    assert.equal(server.provider.counts.refreshes, 1);
    const second = JSON.parse(readFileSync(file, 'utf8'));
    assert.notEqual(second.tokens.access_token, first.tokens.access_token);
    assert.notEqual(second.tokens.refresh_token, first.tokens.refresh_token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(server.provider.counts.authorizations, 1);

    // Expired under concurrent requests sharing one provider (as the requests of one run --url
    // do): one refresh at a time, so a rotated refresh token is never presented twice.
    await sleep(2_200);
    const shared = createOAuthProvider(server.url, { store });
    const texts = await Promise.all([1, 2, 3, 4].map(() => callWhoami(server.url, store, shared)));
    for (const t of texts) assert.match(t, /^client /);
    assert.ok(server.provider.counts.refreshes >= 2);
    assert.equal(server.provider.counts.authorizations, 1);

    // A refused refresh token (revoked at the server) in run mode: a sign-in is asked for, at once.
    server.provider.refresh.clear();
    server.provider.access.clear();
    await assert.rejects(callWhoami(server.url, store), /requires an OAuth sign-in .*run `mcp-route auth /);
  } finally {
    await server.close();
  }
});

test('the callback refuses a wrong state, takes one answer, then closes; a refusal and the timeout end the wait', { timeout: 30_000 }, async () => {
  const cb = await startCallbackServer({ state: 'expected-state', timeoutMs: 10_000 });
  const at = (q: string) => fetch(`${cb.redirectUrl}?${q}`);
  assert.match(cb.redirectUrl, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  assert.equal((await at('code=c1&state=wrong')).status, 400);
  assert.equal((await at('code=c1')).status, 400);
  assert.equal((await fetch(cb.redirectUrl.replace('/callback', '/other'))).status, 404);
  assert.equal((await at('code=c2&state=expected-state&iss=https%3A%2F%2Fas.example')).status, 200);
  assert.deepEqual(await cb.result, { code: 'c2', iss: 'https://as.example' });
  await assert.rejects(at('code=c3&state=expected-state')); // closed: one-shot

  const refused = await startCallbackServer({ state: 's', timeoutMs: 10_000 });
  assert.equal((await fetch(`${refused.redirectUrl}?error=access_denied&error_description=no&state=s`)).status, 400);
  await assert.rejects(refused.result, /refused the sign-in: access_denied \(no\)/);

  const late = await startCallbackServer({ state: 's', timeoutMs: 200 });
  await assert.rejects(late.result, /no sign-in arrived at the callback within/);
});

test('mcp-route auth: signs in from the CLI (URL on stderr), --status without secrets, --logout', e2e, async () => {
  const server = await startOAuthMcpServer();
  const stateHome = join(tempDir(), 'state');
  const env = { ...process.env, XDG_STATE_HOME: stateHome };
  try {
    const child = spawn(process.execPath, [CLI, 'auth', server.url, '--timeout', '20s'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const authUrl = await new Promise<URL>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /^\s+(http:\/\/\S+\/authorize\S*)$/m.exec(stderr);
        if (m) resolve(new URL(m[1]!));
      });
      child.once('exit', (code) => reject(new Error(`auth exited ${code}: ${stderr}`)));
    });
    assert.equal((await browse(authUrl)).status, 200);
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /signed in for .*; stored in .*oauth\/[0-9a-f]{32}\.json/);

    const record = JSON.parse(readFileSync(new OAuthStore(join(stateHome, 'mcp-route', 'oauth')).fileFor(server.url), 'utf8'));
    const secrets = [record.tokens.access_token, record.tokens.refresh_token];
    const status = await runCli(['auth', server.url, '--status'], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /signed in: +yes/);
    assert.match(status.stdout, new RegExp(`client id: +${record.client.client_id}`));
    assert.match(status.stdout, /refreshable: +yes/);
    // Signing in again refreshes without a browser.
    const again = await runCli(['auth', server.url], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already signed in; tokens refreshed/);
    for (const out of [stdout, stderr, status.stdout, status.stderr, again.stdout, again.stderr]) for (const s of secrets) assert.ok(!out.includes(s), 'a token reached the output');

    // A refused refresh that quotes the token: the SDK's warning is scrubbed and printed as auth's own line.
    const refreshToken = JSON.parse(readFileSync(new OAuthStore(join(stateHome, 'mcp-route', 'oauth')).fileFor(server.url), 'utf8')).tokens.refresh_token as string;
    server.provider.refresh.clear();
    server.provider.echoRefusedRefreshTokens = true;
    const refused = await runCli(['auth', server.url, '--timeout', '1s'], { env });
    assert.equal(refused.code, 1, 'nobody opened the new sign-in URL');
    assert.match(refused.stderr, /^mcp-route auth: \[mcp-sdk\] OAuth "invalid_grant" .*unknown refresh token \[redacted\]/m, refused.stderr);
    assert.ok(!refused.stderr.includes(refreshToken), 'the refused token reached the output');

    const logout = await runCli(['auth', server.url, '--logout'], { env });
    assert.equal(logout.code, 0);
    assert.match(logout.stderr, /forgot the sign-in/);
    const after = await runCli(['auth', server.url, '--status'], { env });
    assert.equal(after.code, 1);
    assert.match(after.stdout, /signed in: +no/);
    assert.equal((await runCli(['auth', 'not a url'], { env })).code, 2);

    // A server that does not ask for a token, and a port nobody listens on, are named as such.
    const plain = createServer((_req, res) => void res.writeHead(404).end('nope'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainPort = (plain.address() as AddressInfo).port;
    const notOAuth = await runCli(['auth', `http://127.0.0.1:${plainPort}/mcp`, '--timeout', '5s'], { env });
    await new Promise<void>((r) => plain.close(() => r()));
    assert.equal(notOAuth.code, 1);
    assert.match(notOAuth.stderr, /answered a request without a token with HTTP 404, not 401: does it use OAuth\?/);
    const unreachable = await runCli(['auth', `http://127.0.0.1:${plainPort}/mcp`, '--timeout', '5s'], { env });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, new RegExp(`cannot reach 127\\.0\\.0\\.1:${plainPort} \\(ECONNREFUSED\\)`));
  } finally {
    await server.close();
  }
});

test('run --url: without a sign-in the host hears at once to run `mcp-route auth`; with one, calls go through and the token is refreshed', e2e, async () => {
  const server = await startOAuthMcpServer({ accessTtlSeconds: 2 });
  const stateHome = join(tempDir(), 'state');
  const policy = writePolicy(tempDir(), 'version: 1\nproviders: { canned: { type: mock, responses: [{ text: "x" }] } }\nmodels: { m: { provider: canned } }\nstate: { store: memory }\n');
  const host = () => runUrlHost(policy, stateHome, server.url);
  try {
    const before = host();
    const started = Date.now();
    await assert.rejects(before.client.connect(before.transport), /requires an OAuth sign-in .*run `mcp-route auth http:\/\/127\.0\.0\.1:\d+\/mcp` first/);
    assert.ok(Date.now() - started < 10_000, 'at once, not after a timeout');
    await before.client.close().catch(() => {});
    assert.equal(server.provider.counts.registrations, 0);

    await signIn(server.url, { store: new OAuthStore(join(stateHome, 'mcp-route', 'oauth')), timeoutMs: 20_000, onAuthorizationUrl: (u) => void browse(u) });
    const after = host();
    await after.client.connect(after.transport);
    try {
      const text = (r: unknown) => (r as { content: Array<{ text: string }> }).content[0]!.text;
      assert.match(text(await after.client.callTool({ name: 'whoami', arguments: {} })), /^client /);
      await sleep(2_200);
      assert.match(text(await after.client.callTool({ name: 'whoami', arguments: {} })), /^client /);
      assert.ok(server.provider.counts.refreshes >= 1);
      const tokens = JSON.parse(readFileSync(new OAuthStore(join(stateHome, 'mcp-route', 'oauth')).fileFor(server.url), 'utf8')).tokens;
      for (const secret of [tokens.access_token, tokens.refresh_token]) assert.ok(!after.stderr().includes(secret), 'a token reached stderr');
    } finally {
      await after.client.close();
    }
  } finally {
    await server.close();
  }
});

test("run --url: the SDK's warning about a refused refresh goes through mcp-route's log, with the refused token redacted", e2e, async () => {
  const server = await startOAuthMcpServer({ accessTtlSeconds: 2 });
  const stateHome = join(tempDir(), 'state');
  const store = new OAuthStore(join(stateHome, 'mcp-route', 'oauth'));
  const policy = writePolicy(tempDir(), 'version: 1\nproviders: { canned: { type: mock, responses: [{ text: "x" }] } }\nmodels: { m: { provider: canned } }\nstate: { store: memory }\n');
  const { client, transport, stderr: stderrOf } = runUrlHost(policy, stateHome, server.url);
  try {
    await signIn(server.url, { store, timeoutMs: 20_000, onAuthorizationUrl: (u) => void browse(u) });
    await client.connect(transport);
    await client.callTool({ name: 'whoami', arguments: {} });
    const refreshToken = JSON.parse(readFileSync(store.fileFor(server.url), 'utf8')).tokens.refresh_token as string;
    // The authorization server forgets the refresh token and quotes it when refusing it.
    server.provider.refresh.clear();
    server.provider.echoRefusedRefreshTokens = true;
    await sleep(2_200);
    await assert.rejects(client.callTool({ name: 'whoami', arguments: {} }), /requires an OAuth sign-in/);
    const stderr = stderrOf();
    assert.match(stderr, /^mcp-route warn: \[mcp-sdk\] OAuth "invalid_grant" .*unknown refresh token \[redacted\]/m, stderr);
    assert.ok(!stderr.includes(refreshToken), 'the refused refresh token reached stderr');
    assert.ok(!/^\[mcp-sdk\]/m.test(stderr), 'no SDK line bypasses the logger');
  } finally {
    await client.close().catch(() => {});
    await server.close();
  }
});
