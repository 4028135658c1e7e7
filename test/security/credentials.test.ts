// Credentials through the built CLI (issue 11, items 2, 3 and 5): ordinary header values that
// must stay ordinary, bare tokens and URL passwords that must not leak, store URLs and /proc
// that must not hand a same-user server the keys, and a policy from the working directory
// that must not redirect them. Each test checks what crossed a boundary: the wire, stderr,
// the audit file, the server's environment, and the requests the fake providers received.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { startFakeOpenAI, openaiCompletion, openaiError } from '../helpers/fake-openai.js';
import { assertAllGone, assertExactlyOnce, samplingLine, skipUnlessBuilt, startRoute, tempDir, type Route, type RouteOptions } from '../reliability/harness.js';

async function closeAll(route: Route, ...servers: Array<{ close(): Promise<void> }>): Promise<void> {
  const pids = [route.routerPid, route.serverPid];
  await route.close();
  for (const s of servers) await s.close();
  await assertAllGone(pids);
}

/** One openai provider at `baseURL` with the given extra provider lines, no retries. */
function policyWith(baseURL: string, providerLines: string[], extra: string[] = []): string {
  return [
    'version: 1',
    'providers:',
    '  oa:',
    '    type: openai',
    `    baseURL: "${baseURL}"`,
    ...providerLines.map((l) => `    ${l}`),
    'models:',
    '  gpt-x: { provider: oa }',
    'defaults:',
    '  models: [gpt-x]',
    '  timeout: 3s',
    '  retry: { attempts: 1 }',
    '  cooldown: 0ms',
    'state: { store: memory }',
    ...extra,
    '',
  ].join('\n');
}

function assertAbsent(where: string, text: string, secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), `${where} contains the secret ${s.slice(0, 5)}...`);
}

test('ordinary header values ("false", "true", "null", "1234") neither crash mcp-route nor corrupt audit lines', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const oa = await startFakeOpenAI();
  let calls = 0;
  oa.setDefault(() => (calls++ === 0 ? openaiError(500, 'cache false, null true, retry in 1234 ms') : openaiCompletion({ text: 'fine' })));
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  const headers = 'headers: { X-Cache-Enabled: "false", X-Trace: "true", X-Empty: "null", X-Port: "1234" }';
  const route = await startRoute({
    policy: policyWith(oa.baseURL, ['apiKey: "${OPENAI_API_KEY}"', headers]),
    env: { OPENAI_API_KEY: 'K8plainKeyValue5151' },
    args: ['--audit', audit, '--log-level', 'info'],
    dir,
  });
  try {
    const first = await route.call('faulty/emit', { lines: [samplingLine('h1')], awaitIds: ['h1'] });
    assertExactlyOnce(first.responses, ['h1']);
    const error = first.responses.sh1[0].error;
    assert.equal(error.code, -32603, JSON.stringify(error));
    assert.equal(error.data.attempts[0].ok, false, 'booleans in the error data are still booleans');
    assert.match(error.message, /cache false, null true, retry in 1234 ms/, 'values that are not secrets stay readable');
    // Still running: the next request is answered and a ping goes through.
    const second = await route.call('faulty/emit', { lines: [samplingLine('h2')], awaitIds: ['h2'] });
    assert.ok(second.responses.sh2[0].result, JSON.stringify(second.responses.sh2[0]));
    await route.call('ping');
    assert.equal(oa.requests[0]!.headers['x-cache-enabled'], 'false', 'the headers did reach the provider');
    assert.equal(oa.requests[0]!.headers['x-port'], '1234');
    await route.close();
    await assertAllGone([route.routerPid, route.serverPid]);
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { outcome: string; attempts: Array<{ ok: boolean }> });
    assert.deepEqual(
      lines.map((l) => l.outcome),
      ['failed', 'ok'],
    );
    assert.equal(lines[0]!.attempts[0]!.ok, false);
    assert.doesNotMatch(route.stderr(), /\[redacted\]/, 'nothing here is a secret');
  } finally {
    await closeAll(route, oa);
  }
});

test('Authorization: "Bearer ${TOKEN}": a provider quoting the bare token leaks it nowhere, and TOKEN stays out of the server env', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const TOKEN = 'T0kenBareValue8080';
  const oa = await startFakeOpenAI();
  // Some gateways quote what they were sent, minus the scheme.
  oa.setDefault((req) => openaiError(401, `token ${String(req.headers['x-upstream-auth']).replace(/^Bearer /, '')} is not valid`));
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  const policy = policyWith(oa.baseURL, ['apiKey: "none-needed-here"', 'headers: { X-Upstream-Auth: "Bearer ${TOKEN}" }'], ['audit: { content: true }']);
  const route = await startRoute({ policy, env: { TOKEN }, args: ['--audit', audit, '--log-level', 'debug'], dir });
  try {
    const { env: childEnv } = await route.call('faulty/env');
    assert.equal(childEnv.TOKEN, undefined);
    assertAbsent('the server environment', JSON.stringify(childEnv), [TOKEN]);
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('b1')], awaitIds: ['b1'] });
    assertExactlyOnce(responses, ['b1']);
    assert.equal(oa.requests[0]!.headers['x-upstream-auth'], `Bearer ${TOKEN}`, 'the provider did see the token');
    assert.match(JSON.stringify(responses), /token \[redacted\] is not valid/);
    assertAbsent('the wire error', JSON.stringify(responses), [TOKEN]);
    await route.close();
    await assertAllGone([route.routerPid, route.serverPid]);
    assertAbsent('stderr', route.stderr(), [TOKEN]);
    assertAbsent('the audit file', readFileSync(audit, 'utf8'), [TOKEN]);
  } finally {
    await closeAll(route, oa);
  }
});

test('a baseURL with user:${PW}@ does not leak the password in the connection error, and PW stays out of the server env', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const PW = 'Pw9userinfoSecret2323';
  const oa = await startFakeOpenAI();
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  const url = oa.baseURL.replace('http://', 'http://svc:${PW}@');
  const route = await startRoute({ policy: policyWith(url, ['apiKey: "none-needed-here"']), env: { PW }, args: ['--audit', audit, '--log-level', 'debug'], dir });
  try {
    const { env: childEnv } = await route.call('faulty/env');
    assert.equal(childEnv.PW, undefined);
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('u1')], awaitIds: ['u1'] });
    assertExactlyOnce(responses, ['u1']);
    const error = responses.su1[0].error;
    // The SDK refuses a URL with credentials, quoting the URL: the error is real and redacted.
    assert.match(error.message, /connection failed \(Request cannot be constructed from a URL that includes credentials: http:\/\/(svc:)?\[redacted\]@127/, error.message);
    assertAbsent('the wire error', JSON.stringify(responses), [PW]);
    await route.close();
    await assertAllGone([route.routerPid, route.serverPid]);
    assertAbsent('stderr', route.stderr(), [PW]);
    assertAbsent('the audit file', readFileSync(audit, 'utf8'), [PW]);
  } finally {
    await closeAll(route, oa);
  }
});

test('state.url with a Redis password: the variables it reads, and the password, stay out of the server env', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const REDIS_PW = 'R3disPassword6464';
  const REDIS_URL = `redis://:${REDIS_PW}@127.0.0.1:6379/0`;
  const oa = await startFakeOpenAI();
  after(() => oa.close());
  for (const url of ['redis://:${REDIS_PW}@127.0.0.1:6379', '${REDIS_URL}']) {
    const policy = policyWith(oa.baseURL, ['apiKey: "none-needed-here"']).replace('state: { store: memory }', `state: { store: redis, url: "${url}" }`);
    // The same password under another name is a secret too.
    const route = await startRoute({ policy, env: { REDIS_PW, REDIS_URL, SAME_PASSWORD: REDIS_PW } });
    try {
      const { env: childEnv } = await route.call('faulty/env');
      for (const name of ['REDIS_PW', 'REDIS_URL'].filter((n) => url.includes(n))) assert.equal(childEnv[name], undefined, `${name} with url ${url}`);
      assert.equal(childEnv.SAME_PASSWORD, undefined);
      if (!url.includes('REDIS_URL')) assert.equal(childEnv.REDIS_URL, undefined, 'a variable that contains the password is a secret too');
      assertAbsent(`the server environment (url ${url})`, JSON.stringify(childEnv), [REDIS_PW]);
    } finally {
      await closeAll(route);
    }
  }
});

test('a same-user server cannot read the keys from /proc/<mcp-route pid>/environ', { skip: skipUnlessBuilt || (process.platform !== 'linux' && 'Linux only'), timeout: 30_000 }, async () => {
  const KEY = 'E5environKeyValue7070';
  const oa = await startFakeOpenAI();
  const dir = tempDir();
  const options: RouteOptions = { policy: policyWith(oa.baseURL, ['apiKey: "${OPENAI_API_KEY}"']), env: { OPENAI_API_KEY: KEY }, dir };
  // As root every process may read every /proc entry: run both as an unprivileged user, as a
  // real host would (setpriv execs, so mcp-route keeps the pid the transport reports).
  // The unprivileged user must reach the checkout's dist/ and node_modules: a clone in a 0700
  // folder (mktemp -d) is opened for traversal for the length of the test, then closed again.
  const opened: Array<[string, number]> = [];
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o755);
    options.wrap = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
    for (let at = ROOT; at !== dirname(at); at = dirname(at)) {
      const mode = statSync(at).mode & 0o7777;
      if ((mode & 0o001) === 0) {
        opened.push([at, mode]);
        chmodSync(at, mode | 0o001);
      }
    }
  }
  const route = await startRoute(options).catch((err: unknown) => {
    for (const [path, mode] of opened) chmodSync(path, mode);
    throw err;
  });
  try {
    const seen = await route.call('faulty/proc-environ');
    assert.equal(seen.parentPid, route.routerPid, 'the server reads its parent, mcp-route');
    const routerUid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${route.routerPid}/status`, 'utf8'))?.[1];
    assert.equal(String(seen.uid), routerUid, 'the server runs as the same user as mcp-route');
    assert.ok(seen.self.text, `the server can read /proc in general (its own environ): ${JSON.stringify(seen.self)}`);
    assert.equal(seen.parent.text, undefined, "mcp-route's environ was readable");
    assert.equal(seen.parent.error, 'EACCES');
    // mcp-route itself still works with the key it holds.
    const { responses } = await route.call('faulty/emit', { lines: [samplingLine('p1')], awaitIds: ['p1'] });
    assert.ok(responses.sp1[0].result, JSON.stringify(responses.sp1[0]));
    assert.equal(oa.requests[0]!.headers.authorization, `Bearer ${KEY}`);
    assert.doesNotMatch(route.stderr(), /can read mcp-route's environment/);
  } finally {
    await closeAll(route, oa);
    for (const [path, mode] of opened) chmodSync(path, mode);
  }
});

test('a policy discovered in the working directory cannot send an environment key to a non-vendor host; --policy trusts it', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  const KEY = 'V4vendorKeyValue9191';
  const oa = await startFakeOpenAI();
  after(() => oa.close());
  const policy = policyWith(oa.baseURL, ['apiKey: "${OPENAI_API_KEY}"']);
  const dir = tempDir();
  const discovered = await startRoute({ policy, env: { OPENAI_API_KEY: KEY }, dir, discover: true });
  try {
    const { responses } = await discovered.call('faulty/emit', { lines: [samplingLine('d1')], awaitIds: ['d1'] });
    assertExactlyOnce(responses, ['d1']);
    const error = responses.sd1[0].error;
    assert.ok(error, JSON.stringify(responses.sd1[0]));
    assert.match(error.message, /found in the working directory/, error.message);
    assert.equal(oa.requests.length, 0, 'the key was never sent');
    assert.match(
      discovered.stderr(),
      /mcp-route warn: provider `oa` not used: .*mcp-route\.yaml was found in the working directory.* may not send OPENAI_API_KEY to 127\.0\.0\.1 \(only to api\.openai\.com\)/,
    );
    // An edit is reloaded under the same rule.
    writeFileSync(join(dir, 'mcp-route.yaml'), policy.replace('timeout: 3s', 'timeout: 2s'));
    const warnings = () =>
      discovered
        .stderr()
        .split('\n')
        .filter((l) => l.includes('not used')).length;
    for (const until = Date.now() + 15_000; warnings() < 2 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    assert.equal(warnings(), 2, `the reload did not apply the trust rule: ${discovered.stderr()}`);
    const again = await discovered.call('faulty/emit', { lines: [samplingLine('d3')], awaitIds: ['d3'] });
    assert.ok(again.responses.sd3[0].error, JSON.stringify(again.responses.sd3[0]));
    assert.equal(oa.requests.length, 0, 'the key was never sent, after the reload either');
  } finally {
    await closeAll(discovered);
  }
  // The same file named on the command line is the user's own choice.
  const named = await startRoute({ policy, env: { OPENAI_API_KEY: KEY }, args: ['--policy', join(dir, 'mcp-route.yaml')], dir, discover: true });
  try {
    const { responses } = await named.call('faulty/emit', { lines: [samplingLine('d2')], awaitIds: ['d2'] });
    assert.ok(responses.sd2[0].result, JSON.stringify(responses.sd2[0]));
    assert.equal(oa.requests[0]!.headers.authorization, `Bearer ${KEY}`);
    assert.doesNotMatch(named.stderr(), /not used/);
  } finally {
    await closeAll(named);
  }
  assert.ok(readdirSync(dir).includes('mcp-route.yaml'));
});
