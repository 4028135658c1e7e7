// Lint for what an untrusted server controls: restrictions keyed on the name it reports about
// itself, and `when.systemPrompt` patterns that backtrack catastrophically on its prompt.
// `requireServerName: true` makes `run` and `startProxy` refuse to start without a trusted name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintText } from '../../src/policy/lint.js';
import { nestedQuantifier } from '../../src/policy/regex-risk.js';
import { compileRegExp } from '../../src/util/compile-regexp.js';
import { startProxy } from '../../src/library/start-proxy.js';
import { runCli, envWithoutKeys } from '../helpers/cli.js';

const HEAD = 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\n';
const codes = (yaml: string, code: string) => lintText(yaml, '/p.yaml', { env: {} }).filter((d) => d.code === code);

describe('lint: restrictions on the name the server reports', () => {
  const restricted = `${HEAD}rules:
  - { name: no-untrusted, when: { server: "untrusted-*" }, action: deny, message: no }
  - { name: strip, when: { server: "other-*" }, tools: strip }
  - { name: route-only, when: { server: "github" }, maxTokens: 100 }
budgets:
  - { name: per-server, scope: server, concurrency: 2 }
  - { name: gh, scope: { server: github }, usd: 1 }
  - { name: all, usd: 5 }
`;

  it('warns on a deny rule, a tools-restricting rule and per-server budgets, pointing at the name', () => {
    const ws = codes(restricted, 'untrusted-server-name');
    assert.deepEqual(
      ws.map((w) => w.line),
      [5, 6, 9, 10],
    );
    assert.match(ws[0]!.message, /rule `no-untrusted` denies by `when.server`, so it depends on the name the server reports about itself/);
    assert.match(ws[2]!.message, /budget `per-server` is per server/);
    assert.match(ws[0]!.hint ?? '', /--server-name NAME.*requireServerName: true/);
  });

  it('is quiet when the policy requires a trusted name', () => {
    assert.deepEqual(codes(`requireServerName: true\n${restricted}`, 'untrusted-server-name'), []);
    assert.deepEqual(codes(`requireServerName: true\n${restricted}`, 'unknown-key'), []);
  });
});

describe('lint: backtracking-prone when.systemPrompt', () => {
  it('finds nested quantifiers and leaves ordinary patterns alone', () => {
    const risky = ['(a+)+$', '^(\\w+\\s?)+$', '/(?:x*)*y/i', '(a|b*){2,}', '((ab)*c)+', '(.*a){3,}'];
    const fine = ['[Ii]gnore (all|previous) instructions', '^(foo|bar)+$', '\\(a+\\)+', '(a+)?', '(a{1,3}){2,}', '[(a+)]+', 'x{2}y*'];
    for (const p of risky) assert.ok(nestedQuantifier(compileRegExp(p).source), p);
    for (const p of fine) assert.equal(nestedQuantifier(compileRegExp(p).source), undefined, p);
  });

  it('warns at the pattern with what repeats', () => {
    const ws = codes(`${HEAD}rules:\n  - { name: r, when: { systemPrompt: "^(\\\\w+\\\\s?)+$" } }\n`, 'regex-backtracking');
    assert.equal(ws.length, 1);
    assert.equal(ws[0]!.line, 5);
    assert.match(ws[0]!.message, /rule `r` can backtrack catastrophically: `\(\\w\+\\s\?\)\+` repeats a group that itself repeats/);
  });
});

describe('requireServerName', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-identity-'));
  const policy = join(dir, 'p.yaml');
  writeFileSync(policy, `requireServerName: true\n${HEAD}state: { store: memory }\n`);

  it('run refuses to start without --server-name, naming the flag, and spawns nothing', async () => {
    const marker = join(dir, 'spawned');
    const r = await runCli(['run', '--policy', policy, '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { env: envWithoutKeys() });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /requireServerName: true.*add --server-name NAME/);
    assert.equal(existsSync(marker), false, 'the server was not spawned');
  });

  it('run starts with --server-name', async () => {
    const r = await runCli(['run', '--policy', policy, '--server-name', 'mine', '--', process.execPath, '-e', 'process.exit(0)'], { env: envWithoutKeys() });
    assert.equal(r.code, 0, r.stderr);
  });

  it('startProxy throws without serverName', () => {
    assert.throws(
      () => startProxy({ command: process.execPath, args: ['-e', ''], policy }),
      (e: Error) => e instanceof TypeError && /pass the serverName option/.test(e.message),
    );
  });
});
