// End-to-end: spawns the built CLI (`npm run build` first) and checks what `mcp-route explain`
// prints and how it exits for routed, refused, invalid and misused calls.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, runCli } from '../helpers/cli.js';

const POLICY = join(ROOT, 'test/routing/fixtures/explain.yaml');
const REQ = (name: string) => join(ROOT, 'test/fixtures/requests', name);
const env = { ...process.env };
delete env.EXPLAIN_TEST_OPENAI_KEY;
delete env.EXPLAIN_TEST_ANTHROPIC_KEY;

describe('mcp-route explain', () => {
  before(() => {
    assert.ok(existsSync(CLI), `build the CLI first: ${CLI} is missing (npm run build)`);
  });

  it('prints the matched rule, every model with its place or reason, and the settings; exits 0', async () => {
    const r = await runCli(['explain', '--policy', POLICY, REQ('text.json'), '--server', 'github'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rule:\s+"github-opus"/);
    assert.match(r.stdout, /action:\s+route to anthropic\/claude-sonnet-4-5 \(\+1 fallback\)/);
    assert.match(r.stdout, /^\s+1\s+claude-sonnet-4-5\s+anthropic\s+kept\s+0\.920\s+tried first$/m);
    assert.match(r.stdout, /^\s+2\s+claude-opus-4-5\s+anthropic\s+kept\s+0\.800\s+fallback$/m);
    assert.match(r.stdout, /^\s+-\s+gpt-4o-mini\s+openai\s+skipped\s+-\s+not in the models of rule "github-opus"$/m);
    assert.match(r.stdout, /maxTokens\s+500 \(requested 4000, clamped to the policy ceiling\)/);
    assert.match(r.stdout, /tools\s+strip/);
    assert.doesNotMatch(r.stdout + r.stderr, /sk-ant-test/);
  });

  it('reads a whole JSON-RPC message and shows dropped models with reasons', async () => {
    const r = await runCli(['explain', '-p', POLICY, REQ('image-jsonrpc.json')], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rule:\s+\(none matched: defaults\)/);
    assert.match(r.stdout, /gpt-4o-mini\s+openai\s+dropped\s+-\s+provider "openai" is not usable: EXPLAIN_TEST_OPENAI_KEY is not set/);
    assert.match(r.stdout, /local-text\s+anthropic\s+dropped\s+-\s+the request has images and the model does not support image/);
  });

  it('--format json gives rule, action, candidates, dropped, settings and trace', async () => {
    const r = await runCli(['explain', '--policy', POLICY, '-', '--format', 'json'], {
      env,
      input: JSON.stringify({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 100, modelPreferences: { hints: [{ name: 'gpt' }] } }),
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.rule, null);
    assert.equal(out.action, 'route');
    assert.deepEqual(
      out.candidates.map((c: { provider: string; model: string; score: unknown }) => [c.provider, c.model, c.score]),
      [
        ['anthropic', 'claude-sonnet-4-6', null],
        ['anthropic', 'claude-haiku-4-5', null],
        ['anthropic', 'local-text', null],
      ],
    );
    assert.deepEqual(
      out.dropped.map((d: { model: string }) => d.model),
      ['gpt-4o-mini'],
    );
    assert.match(out.dropped[0].reason, /EXPLAIN_TEST_OPENAI_KEY is not set/);
    assert.equal(out.settings.maxTokens, 100);
    assert.equal(out.settings.tools, 'strip');
    assert.ok(out.trace.some((t: { step: string; message: string }) => t.step === 'hints' && /hint "gpt" matched no remaining candidate/.test(t.message)));
  });

  it('a provider key from the environment makes its models usable', async () => {
    const r = await runCli(['explain', '--policy', POLICY, REQ('text.json'), '--format', 'json'], { env: { ...env, EXPLAIN_TEST_OPENAI_KEY: 'sk-test-openai' } });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.dropped, []);
    assert.equal(out.candidates[0].model, 'claude-haiku-4-5');
    assert.doesNotMatch(r.stdout, /sk-test-openai/);
  });

  it('exits 3 when a rule denies the request', async () => {
    const r = await runCli(['explain', '--policy', POLICY, REQ('audio.json')], { env });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /rule:\s+"no-audio"/);
    assert.match(r.stdout, /action:\s+deny \(DENIED_BY_RULE\)/);
    assert.match(r.stdout, /audio is not accepted by this deployment/);
    const j = await runCli(['explain', '--policy', POLICY, REQ('audio.json'), '--format', 'json'], { env });
    assert.equal(j.code, 3);
    assert.equal(JSON.parse(j.stdout).action, 'deny');
  });

  it('exits 3 with every reason when no candidate is left', async () => {
    const request = { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10, metadata: { vendor: 'openai' } };
    const r = await runCli(['explain', '--policy', POLICY, '-'], { env, input: JSON.stringify(request) });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /deny \(NO_CANDIDATES\)/);
    assert.match(r.stdout, /no model can serve this request under rule "only-openai": gpt-4o-mini \(openai\): provider "openai" is not usable.*; gpt-4\.1 \(openai\): provider "openai" is not usable/);
  });

  it('exits 1 with the field and the problem for an invalid request', async () => {
    const r = await runCli(['explain', '--policy', POLICY, REQ('invalid.json')], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /invalid\.json: error: mcp-route: invalid sampling\/createMessage params: .*messages\[0\]\.content\.type/);
    assert.match(r.stderr, /maxTokens: .*expected number/);
    const notJson = await runCli(['explain', '--policy', POLICY, '-'], { env, input: '{"messages": [' });
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /<stdin>: error: not valid JSON/);
    const otherMethod = await runCli(['explain', '--policy', POLICY, '-'], { env, input: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}' });
    assert.equal(otherMethod.code, 1);
    assert.match(otherMethod.stderr, /expected a sampling\/createMessage request, got method "tools\/call"/);
  });

  it('exits 1 with the lint-style message for an invalid policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-route-explain-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nproviders:\n  a: { type: anthropic }\ndefaults:\n  tools: sometimes\n');
    const r = await runCli(['explain', '--policy', bad, REQ('text.json')], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml:5:\d+/);
    const missing = await runCli(['explain', '--policy', join(dir, 'nope.yaml'), REQ('text.json')], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yaml/);
  });

  it('without --policy uses ./mcp-route.yaml, else the built-in default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-route-explain-cwd-'));
    const bare: NodeJS.ProcessEnv = { ...env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
    delete bare.ANTHROPIC_API_KEY;
    delete bare.OPENAI_API_KEY;
    const input = JSON.stringify({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 50 });
    const fallback = await runCli(['explain', '-', '--format', 'json', '--host-sampling'], { env: bare, cwd: dir, input });
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.deepEqual(
      JSON.parse(fallback.stdout).candidates.map((c: { model: string }) => c.model),
      ['host'],
    );
    writeFileSync(join(dir, 'mcp-route.yaml'), 'version: 1\nproviders:\n  demo: { type: mock }\nmodels:\n  echo-model: { provider: demo }\n');
    const found = await runCli(['explain', '-'], { env: bare, cwd: dir, input });
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /policy:\s+.*mcp-route\.yaml/);
    assert.match(found.stdout, /1\s+echo-model\s+demo\s+kept/);
  });

  it('exits 2 on usage errors and 0 for --help with an example', async () => {
    const fmt = await runCli(['explain', '--policy', POLICY, REQ('text.json'), '--format', 'xml'], { env });
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /--format must be text or json/);
    const unknown = await runCli(['explain', '--polcy', POLICY], { env });
    assert.equal(unknown.code, 2);
    const help = await runCli(['explain', '--help'], { env });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Example:\n\s+\$ mcp-route explain --policy prod\.yaml request\.json --server github/);
    assert.match(help.stdout, /--format <format>/);
  });
});
