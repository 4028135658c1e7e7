// `mcp-route doctor` against fake providers on 127.0.0.1: keys resolved, each provider's models
// list fetched with the policy's key, unlisted model names, refused keys, unreachable
// addresses and stores — each reported, and the exit code says whether anything is wrong.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeHttpServer, type RecordedRequest } from '../helpers/fake-http.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mcp-route-doctor-'));
const OPENAI_KEY = 'sk-doctor-openai-0123456789';
const ANTHROPIC_KEY = 'sk-ant-doctor-0123456789';
const env = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home', XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_STATE_HOME: join(dir, 'state'), DOC_OA_KEY: OPENAI_KEY, DOC_AN_KEY: ANTHROPIC_KEY };

function models(req: RecordedRequest) {
  if (req.method !== 'GET') return { status: 404, body: { error: { message: 'not here' } } };
  if (req.path.split('?')[0] === '/v1/models') {
    // OpenAI's shape and Anthropic's shape differ; each SDK reads its own.
    if (req.headers['anthropic-version'])
      return {
        body: {
          data: [{ id: 'claude-haiku-4-5-20251001', type: 'model', display_name: 'Haiku', created_at: '2025-10-01T00:00:00Z' }],
          has_more: false,
          first_id: 'claude-haiku-4-5-20251001',
          last_id: 'claude-haiku-4-5-20251001',
        },
      };
    return {
      body: {
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai' },
          { id: 'gpt-5', object: 'model', created: 0, owned_by: 'openai' },
        ],
      },
    };
  }
  return { status: 404, body: { error: { message: 'not here' } } };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function policy(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("every check passes: both providers answer with the policy's keys, every model is listed, the store opens", async () => {
  const fake = await startFakeHttpServer(models);
  after(() => fake.close());
  const file = policy(
    'good.yaml',
    `version: 1
providers:
  oa: { type: openai, apiKey: "\${DOC_OA_KEY}", baseURL: "${fake.url}/v1" }
  an: { type: anthropic, apiKey: "\${DOC_AN_KEY}", baseURL: "${fake.url}" }
  canned: { type: mock }
models:
  gpt-4o-mini: { provider: oa, cost: { input: 0.15, output: 0.6 } }
  claude-haiku-4-5: { provider: an, cost: { input: 1, output: 5 } }
  demo: { provider: canned, cost: { input: 0, output: 0 } }
budgets:
  - { name: daily, usd: 1 }
state: { store: sqlite, path: ${join(dir, 'state.db')} }
`,
  );
  const r = await runCli(['doctor', '--policy', file], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok +policy +.*good\.yaml is valid$/m);
  assert.match(r.stdout, /^ok +provider oa +openai: reached http:\/\/127\.0\.0\.1:\d+\/v1 in \d+ ms; key from DOC_OA_KEY; 2 models listed, including every model the policy sends here \(1\)$/m);
  assert.match(r.stdout, /^ok +provider an +anthropic: reached .* key from DOC_AN_KEY; 1 model listed, including every model the policy sends here \(1\)$/m);
  assert.match(r.stdout, /^ok +provider canned +mock: answers from the policy/m);
  assert.match(r.stdout, /^ok +store +sqlite .*state\.db: readable$/m);
  assert.match(r.stdout, /nothing wrong found/);
  // The checks really went out, with the right key each.
  const calls = fake.requests.filter((q) => q.path.startsWith('/v1/models'));
  assert.equal(calls.length, 2);
  assert.ok(calls.some((q) => q.headers['authorization'] === `Bearer ${OPENAI_KEY}`));
  assert.ok(calls.some((q) => q.headers['anthropic-version'] && (q.headers['x-api-key'] === ANTHROPIC_KEY || q.headers['authorization'] === `Bearer ${ANTHROPIC_KEY}`)));
  assert.ok(!r.stdout.includes(OPENAI_KEY) && !r.stdout.includes(ANTHROPIC_KEY));
});

test('a refused key, an unreachable address, a missing key, a misspelt model and a dead store are each named; exit 1', async () => {
  const refusing = await startFakeHttpServer(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } }));
  const listing = await startFakeHttpServer(models);
  after(() => refusing.close());
  after(() => listing.close());
  const port = await closedPort();
  const file = policy(
    'bad.yaml',
    `version: 1
providers:
  refused: { type: openai, apiKey: "\${DOC_OA_KEY}", baseURL: "${refusing.url}/v1" }
  down: { type: openai, apiKey: "\${DOC_OA_KEY}", baseURL: "http://127.0.0.1:${port}/v1" }
  nokey: { type: anthropic, apiKey: "\${DOC_UNSET_KEY}" }
  typo: { type: openai, apiKey: "\${DOC_OA_KEY}", baseURL: "${listing.url}/v1" }
models:
  a: { provider: refused, model: gpt-5 }
  b: { provider: down, model: gpt-5 }
  c: { provider: nokey, model: claude-haiku-4-5 }
  gpt5: { provider: typo, cost: { input: 1, output: 1 } }
budgets:
  - { name: rate, rpm: 10 }
state: { store: redis, url: "redis://127.0.0.1:${port}" }
`,
  );
  const r = await runCli(['doctor', '--policy', file, '--timeout', '5s'], { env: { ...env, DOC_UNSET_KEY: '' }, timeoutMs: 30_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL +provider refused +openai: http:\/\/127\.0\.0\.1:\d+\/v1: HTTP 401 .*Incorrect API key provided — the key was refused: check it$/m);
  assert.match(
    r.stdout,
    new RegExp(
      `^FAIL +provider down +openai: http://127\\.0\\.0\\.1:${port}/v1: connection failed \\(.*\\) — is http://127\\.0\\.0\\.1:${port}/v1 the right address, and reachable from here\\?$`,
      'm',
    ),
  );
  assert.match(r.stdout, /^FAIL +provider nokey +anthropic: DOC_UNSET_KEY is not set \(providers\.nokey\.apiKey\)$/m);
  assert.match(r.stdout, /^warn +provider typo +openai: reached .*; not listed there: gpt5 — check the name/m);
  assert.match(r.stdout, new RegExp(`^FAIL +store +redis redis://127\\.0\\.0\\.1:${port}: `, 'm'));
  assert.match(r.stdout, /4 problems found \(1 warning\)/);
  assert.ok(!r.stdout.includes(OPENAI_KEY));
});

test('with no policy file doctor warns that the built-in default applies; --format json gives the checks', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mcp-route-doctor-'));
  const r = await runCli(['doctor', '--format', 'json'], { cwd, env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout) as { policy: string; checks: Array<{ subject: string; status: string; message: string }>; failures: number; warnings: number };
  assert.equal(out.policy, '<built-in default>');
  assert.deepEqual(
    out.checks.map((c) => [c.subject, c.status]),
    [
      ['policy', 'warn'],
      ['provider host', 'info'],
      ['store', 'info'],
    ],
  );
  assert.match(out.checks[0]!.message, /built-in default applies .*mcp-route init/);
  assert.equal(out.failures, 0);
});

test('an invalid policy is exit 1 with its diagnostics; a bad --timeout is a usage error', async () => {
  const file = policy('invalid.yaml', 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: nope } }\n');
  const r = await runCli(['doctor', '--policy', file], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /invalid\.yaml:3:26: error: model `x` names provider `nope`/);
  const usage = await runCli(['doctor', '--policy', file, '--timeout', 'soon'], { env });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--timeout: invalid duration "soon"/);
});
