// The security seams in isolation: what counts as a secret, redaction that cannot throw or
// corrupt JSON, the child's environment, loopback/private addresses, the trust rule for a
// policy found in the working directory, audit lines and log lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLine } from '../../src/audit/audit-log.js';
import { McpRouteError } from '../../src/errors.js';
import type { SamplingOutcome } from '../../src/router/types.js';
import { loadPolicyFile, parsePolicy } from '../../src/policy/load.js';
import { discoverPolicy } from '../../src/policy/discover.js';
import { isLocalURL } from '../../src/policy/local-url.js';
import { secretForms, userinfoSecrets } from '../../src/policy/secrets.js';
import { buildChildEnv } from '../../src/proxy/child-env.js';
import { createLogger, escapeControls } from '../../src/proxy/log.js';
import { toWireError } from '../../src/proxy/wire-errors.js';
import { createRedactor, redactValue } from '../../src/redact.js';

const HOME = mkdtempSync(join(tmpdir(), 'mcp-route-sec-home-'));
const load = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  const { policy, diagnostics } = parsePolicy(yaml, '<test>', { HOME, ...env });
  assert.ok(policy, JSON.stringify(diagnostics));
  return policy;
};

test('redaction replaces secrets inside strings only: data keeps its booleans, nulls and numbers', () => {
  const redact = createRedactor(['false', 'true', 'null', '1234', 'K9secretValue']);
  const value = { ok: false, done: true, none: null, n: 1234, text: 'false true null 1234 K9secretValue', nested: [{ ok: false, msg: 'K9secretValue' }] };
  assert.deepEqual(redactValue(value, redact), {
    ok: false,
    done: true,
    none: null,
    n: 1234,
    text: '[redacted] [redacted] [redacted] [redacted] [redacted]',
    nested: [{ ok: false, msg: '[redacted]' }],
  });
});

test('a wire error is scrubbed without re-parsing: a secret that reads "false" cannot break it', () => {
  const redact = createRedactor(['false', 'null', 'Bearer Zx9tokenValue', 'Zx9tokenValue']);
  const err = new McpRouteError('ALL_CANDIDATES_FAILED', 'mcp-route: every candidate failed: token Zx9tokenValue rejected', {
    attempts: [{ provider: 'oa', model: 'm', ok: false, error: 'HTTP 401 false' }],
  });
  const wire = toWireError(err, redact);
  assert.equal(wire.code, -32603);
  assert.equal(wire.message, 'mcp-route: every candidate failed: token [redacted] rejected');
  assert.deepEqual(wire.data!.attempts, [{ provider: 'oa', model: 'm', ok: false, error: 'HTTP 401 [redacted]' }]);
});

test('redaction never throws: values that cannot be printed, cycles and depth are replaced, not thrown', () => {
  const redact = createRedactor(['abcd1234']);
  assert.equal(redact(Symbol('x') as unknown as string), 'Symbol(x)');
  assert.equal(
    redact({
      toString: () => {
        throw new Error('no');
      },
    } as unknown as string),
    '[unprintable]',
  );
  const cyclic: Record<string, unknown> = { a: 'abcd1234' };
  cyclic.self = cyclic;
  assert.deepEqual(redactValue(cyclic, redact), { a: '[redacted]', self: '[circular]' });
  let deep: unknown = 'abcd1234';
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  const out = JSON.stringify(redactValue(deep, redact, { maxDepth: 10 }));
  assert.match(out, /\[truncated: nested deeper than 10\]/);
  assert.equal(createRedactor(['abc'])('abc'), 'abc', 'values under 4 characters are not treated as secrets');
  const throwing = {
    get bad() {
      throw new Error('getter');
    },
  };
  assert.doesNotThrow(() => redactValue(throwing, redact));
});

test('secrets: keys, Authorization-like headers and ${VAR} values in headers count, whole and as their token; ordinary headers do not', () => {
  const p = load(
    [
      'version: 1',
      'providers:',
      '  oa:',
      '    type: openai',
      '    apiKey: "${OA_KEY}"',
      '    headers: { Authorization: "Bearer ${TOKEN}", X-Cache-Enabled: "false", X-Port: "1234", X-Team: "${TEAM}", X-Api-Key: "literal-key-1" }',
      'models: { m: { provider: oa } }',
    ].join('\n'),
    { OA_KEY: 'oa-key-value', TOKEN: 'tok-value-42', TEAM: 'team-from-env' },
  );
  for (const s of ['oa-key-value', 'Bearer tok-value-42', 'tok-value-42', 'team-from-env', 'literal-key-1']) assert.ok(p.secrets.includes(s), s);
  for (const s of ['false', '1234']) assert.ok(!p.secrets.includes(s), `${s} is not a secret`);
  for (const v of ['OA_KEY', 'TOKEN', 'TEAM']) assert.ok(p.credentialEnv.includes(v), v);
});

test('secrets: URL userinfo (raw and decoded) and store URLs; a ${HOST} in a URL is not a secret but still leaves the child env', () => {
  const p = load(
    [
      'version: 1',
      'providers:',
      '  oa: { type: openai, apiKey: k-literal, baseURL: "https://svc:${PW}@${HOST}/v1" }',
      'models: { m: { provider: oa } }',
      'state: { store: redis, url: "redis://:${REDIS_PW}@127.0.0.1:6379" }',
    ].join('\n'),
    { PW: 'p%40ss-word', HOST: 'gateway.example', REDIS_PW: 'redis-pass-1' },
  );
  for (const s of ['p%40ss-word', 'p@ss-word', 'redis-pass-1']) assert.ok(p.secrets.includes(s), s);
  assert.ok(!p.secrets.includes('gateway.example'));
  assert.ok(!p.secrets.includes('svc'), 'a username beside a password is not a secret');
  for (const v of ['PW', 'HOST', 'REDIS_PW']) assert.ok(p.credentialEnv.includes(v), v);
  assert.deepEqual(secretForms(`Basic ${Buffer.from('me:pa55word').toString('base64')}`).slice(-2), ['me:pa55word', 'pa55word']);
  assert.deepEqual(userinfoSecrets('https://TOKENONLY@host/'), ['TOKENONLY']);
});

test('the child env loses credential variables and any variable holding (or, for long ones, containing) a secret, and nothing else', () => {
  const base = { PATH: '/bin', CI: 'true', FLAG: 'false', KEY: 'long-secret-value', COPY: 'long-secret-value', DSN: 'postgres://u:long-secret-value@db/x', SHORT: 'abcd', HAS_SHORT: 'xxabcdxx' };
  const { env, stripped } = buildChildEnv(base, {}, ['KEY'], ['long-secret-value', 'abcd', 'false', 'ab']);
  assert.deepEqual(stripped.sort(), ['COPY', 'DSN', 'FLAG', 'KEY', 'SHORT'].sort());
  assert.equal(env.CI, 'true');
  assert.equal(env.HAS_SHORT, 'xxabcdxx', 'a short secret strips only an exact match');
});

test('isLocalURL: loopback (also IPv4-mapped), RFC 1918, link-local, CGNAT, IPv6 ULA and link-local; public hosts are not', () => {
  const local = [
    'http://localhost:11434/v1',
    'http://127.0.0.1/',
    'http://0x7f.1/',
    'http://[::1]:8000/',
    'http://[::ffff:127.0.0.1]/v1',
    'http://[::ffff:10.1.2.3]/',
    'http://10.0.0.5/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/',
    'http://100.64.0.1/',
    'http://100.127.255.254/',
    'http://[fd00::1]/',
    'http://[fc12:3456::1]/',
    'http://[fe80::1]/',
    'http://printer.local/',
    'http://host.docker.internal:1234/',
  ];
  const remote = ['https://api.openai.com/v1', 'http://8.8.8.8/', 'http://[::ffff:8.8.8.8]/', 'http://172.32.0.1/', 'http://100.128.0.1/', 'http://[2001:db8::1]/', 'http://[fec0::1]/', 'not a url'];
  for (const u of local) assert.equal(isLocalURL(u), true, u);
  for (const u of remote) assert.equal(isLocalURL(u), false, u);
});

test('discovery trust: a working-directory policy may send an environment key only to its vendor; the user config folder is trusted', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mcp-route-sec-cwd-'));
  const config = mkdtempSync(join(tmpdir(), 'mcp-route-sec-cfg-'));
  const env = { HOME, XDG_CONFIG_HOME: config, OPENAI_API_KEY: 'sk-user-vendor-key', TEAM_TOKEN: 'team-token-value' };
  const write = (dir: string, providers: string) => writeFileSync(dir, `version: 1\nproviders:\n${providers}\nmodels: { m: { provider: p } }\n`);
  const cases: Array<[string, boolean]> = [
    ['  p: { type: openai, baseURL: "https://evil.example/v1" }', false], // implicit vendor key to a foreign host
    ['  p: { type: openai, apiKey: "${OPENAI_API_KEY}", baseURL: "http://127.0.0.1:9/v1" }', false], // even a local one
    ['  p: { type: openai, apiKey: k, headers: { X-Auth: "${TEAM_TOKEN}" }, baseURL: "https://evil.example/v1" }', false],
    ['  p: { type: openai, baseURL: "https://api.openai.com/v1" }', true],
    ['  p: { type: openai }', true],
    ['  p: { type: openai, baseURL: "http://127.0.0.1:11434/v1" }', true], // local: the key is never sent anyway
    ['  p: { type: openai, apiKey: literal-key, baseURL: "https://evil.example/v1" }', true], // the file's own key
  ];
  for (const [providers, usable] of cases) {
    write(join(cwd, 'mcp-route.yaml'), providers);
    const found = discoverPolicy({ cwd, env });
    assert.equal(found.policy.providers['p']!.usable, usable, providers);
    if (!usable) {
      assert.equal(found.warnings.length, 1);
      assert.match(found.warnings[0]!, /found in the working directory, not named with --policy; it may not send (OPENAI_API_KEY|TEAM_TOKEN) to/);
      assert.equal(found.policy.providers['p']!.apiKey, undefined, 'the key is dropped, not just flagged');
    } else assert.deepEqual(found.warnings, []);
  }
  // The same file in the user's own config folder is theirs.
  mkdirSync(join(config, 'mcp-route'));
  write(join(config, 'mcp-route', 'policy.yaml'), cases[0]![0]);
  const own = discoverPolicy({ cwd: mkdtempSync(join(tmpdir(), 'mcp-route-sec-empty-')), env });
  assert.equal(own.policy.providers['p']!.usable, true);
  assert.deepEqual(own.warnings, []);
});

test('discovery trust: a working-directory policy may write its audit file only inside its own folder', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mcp-route-sec-audit-'));
  const outside = mkdtempSync(join(tmpdir(), 'mcp-route-sec-outside-'));
  symlinkSync(outside, join(cwd, 'logs-link'));
  const env = { HOME, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'mcp-route-sec-cfg-')) };
  const cases: Array<[string, boolean]> = [
    ['audit.jsonl', true],
    ['logs/new/audit.jsonl', true], // a folder still to be made, inside
    [join(outside, '.bashrc'), false],
    ['../escape.jsonl', false],
    ['~/.profile', false],
    ['logs-link/audit.jsonl', false], // a folder link that leads out
  ];
  for (const [path, kept] of cases) {
    writeFileSync(join(cwd, 'mcp-route.yaml'), `version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\naudit: { path: "${path}" }\n`);
    const found = discoverPolicy({ cwd, env });
    assert.equal(found.policy.audit.path !== undefined, kept, path);
    if (!kept) assert.match(found.warnings.join('\n'), /audit file .* not used: .* may write audit lines only inside its own folder/, path);
  }
  // Named with --policy (or from the user's config folder) the same file is trusted as written.
  const named = loadPolicyFile(join(cwd, 'mcp-route.yaml'), env);
  assert.equal(named.audit.path, join(cwd, 'logs-link', 'audit.jsonl'));
});

test('audit lines: redacted per string, bounded in depth, and an unanswered request is capped', () => {
  const redact = createRedactor(['false', 'S3cretValue']);
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  const base: SamplingOutcome = { time: 't', rule: null, candidates: [], attempts: [{ provider: 'p', model: 'm', ok: false, duration: 1, error: 'S3cretValue' }], outcome: 'ok', durationMs: 1 };
  const ok = JSON.parse(auditLine({ ...base, request: { messages: [], maxTokens: 1, metadata: deep as Record<string, unknown> } }, { content: true, redact }));
  assert.equal(ok.attempts[0].ok, false);
  assert.equal(ok.attempts[0].error, '[redacted]');
  assert.match(JSON.stringify(ok.request.metadata), /truncated: nested deeper than/);
  const big = { messages: [{ role: 'user', content: { type: 'text', text: 'z'.repeat(1_000_000) } }], maxTokens: 1 };
  const denied = JSON.parse(auditLine({ ...base, outcome: 'denied', request: big as never }, { content: true, redact }));
  assert.equal(denied.request.truncated, true);
  assert.ok(denied.request.characters > 1_000_000);
  assert.ok(JSON.stringify(denied).length < 10_000);
});

test('log lines escape control characters, so a server-chosen text stays on its line', () => {
  const lines: string[] = [];
  const log = createLogger('info', createRedactor(['S3cretValue']), (l) => lines.push(l));
  log.info('from x\nmcp-route error: forged\r\x1b[31mred\x1b[0m\u009b2J\u2028 S3cretValue\ttab');
  assert.deepEqual(lines, ['mcp-route info: from x\\nmcp-route error: forged\\r\\x1b[31mred\\x1b[0m\\x9b2J\\u2028 [redacted]\ttab\n']);
  assert.equal(escapeControls('plain: ok'), 'plain: ok');
});

test('JSON log lines escape the controls JSON.stringify leaves raw (DEL, C1, U+2028/9) and stay the same JSON', () => {
  const lines: string[] = [];
  const log = createLogger('info', createRedactor(['S3cretValue']), (l) => lines.push(l), 'json');
  const message = 'a\u009b2J\u007f\u2028b\n S3cretValue';
  log.info(message);
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /[\u007f-\u009f\u2028\u2029]/);
  assert.match(lines[0]!, /\\u009b2J\\u007f\\u2028b\\n \[redacted\]/);
  assert.equal(JSON.parse(lines[0]!).msg, 'a\u009b2J\u007f\u2028b\n [redacted]');
});

test('audit lines carry no raw C1 controls from a server-chosen prompt, and parse to the same text', () => {
  const outcome: SamplingOutcome = { time: 't', rule: null, candidates: [], attempts: [], outcome: 'ok', durationMs: 1 };
  const text = 'x\u009b2J\u0085y\u2029';
  const line = auditLine({ ...outcome, request: { messages: [{ role: 'user', content: { type: 'text', text } }], maxTokens: 1 } }, { content: true, redact: (s) => s });
  assert.doesNotMatch(line, /[\u007f-\u009f\u2028\u2029]/);
  assert.equal(JSON.parse(line).request.messages[0].content.text, text);
});
