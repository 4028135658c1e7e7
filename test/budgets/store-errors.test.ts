// A budget store that cannot be used fails closed: no budgeted request is admitted uncounted.
// The error names the store and what to do, from the store, the router and `mcp-route budgets`.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { createSqliteBudgetStore } from '../../src/budgets/stores/sqlite.js';
import { defaultStatePath } from '../../src/budgets/stores/index.js';
import { defaultStatePath as policyDefaultStatePath } from '../../src/policy/defaults.js';
import { createRouter, isRetryable, McpRouteError, toMcpError } from '../../src/index.js';

let dir: string;
let aFile: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-route-store-errors-'));
  aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'not a directory');
  mkdirSync(join(dir, 'a-dir'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const isStoreError = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof McpRouteError, String(err));
  assert.equal(err.code, 'STORE_ERROR');
  assert.match(err.message, pattern);
  return true;
};

function policyYaml(state: string): string {
  return `version: 1
providers: { canned: { type: mock, responses: [ { text: hi } ] } }
models: { m: { provider: canned, cost: { input: 1, output: 1 } } }
defaults: { models: [m] }
budgets:
  - { name: daily, usd: 5, per: day }
state: ${state}
`;
}

describe('an unusable budget store', () => {
  it('sqlite: a directory that cannot be created is a STORE_ERROR naming the store and the fix', () => {
    const path = join(aFile, 'sub', 'budgets.sqlite');
    assert.throws(
      () => createSqliteBudgetStore({ path }),
      isStoreError(new RegExp(`^budget store sqlite at ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot create its directory: ENOTDIR.*set state\\.path to a writable location`)),
    );
  });

  it('sqlite: a path that cannot be opened as a database is a STORE_ERROR naming the store and the fix', () => {
    assert.throws(() => createSqliteBudgetStore({ path: join(dir, 'a-dir') }), isStoreError(/^budget store sqlite at .*a-dir: cannot open it: .*set state\.path/));
  });

  it('the router fails closed: every budgeted request is refused with STORE_ERROR (-32603), none is answered uncounted', async () => {
    const policyPath = join(dir, 'bad-sqlite.yaml');
    writeFileSync(policyPath, policyYaml(`{ store: sqlite, path: ${JSON.stringify(join(aFile, 'x', 'b.sqlite'))} }`));
    const router = createRouter(policyPath);
    try {
      for (let i = 0; i < 2; i++) {
        await assert.rejects(router.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 }), (err: unknown) => {
          isStoreError(/budget store sqlite at .*cannot create its directory/)(err);
          assert.equal(isRetryable(err), true);
          const wire = toMcpError(err);
          assert.equal(wire.code, -32603);
          assert.deepEqual(wire.data, { reason: 'STORE_ERROR' });
          return true;
        });
      }
    } finally {
      await router.close();
    }
  });

  it('`mcp-route budgets` exits 1 with one line naming the store, no stack trace (sqlite and unreachable redis)', async () => {
    const sqlitePolicy = join(dir, 'cli-sqlite.yaml');
    writeFileSync(sqlitePolicy, policyYaml(`{ store: sqlite, path: ${JSON.stringify(join(aFile, 'x', 'b.sqlite'))} }`));
    const redisPolicy = join(dir, 'cli-redis.yaml');
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    writeFileSync(redisPolicy, policyYaml('{ store: redis, url: "redis://127.0.0.1:1" }'));
    const [s, r] = await Promise.all([runCli(['budgets', '--policy', sqlitePolicy]), runCli(['budgets', '--policy', redisPolicy])]);
    assert.equal(s.code, 1, s.stdout + s.stderr);
    assert.match(s.stderr, /^mcp-route budgets: budget store sqlite at .*cannot create its directory: ENOTDIR.*set state\.path to a writable location.*\n$/);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^mcp-route budgets: budget store redis at redis:\/\/127\.0\.0\.1:1: read failed: .*check state\.url and that Redis is running\n$/);
    for (const out of [s, r]) {
      assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(out.stdout, '');
    }
  });
});

describe('the default sqlite path', () => {
  it('is one path for the policy and the store: $XDG_STATE_HOME/mcp-route/state.db', () => {
    const env = { XDG_STATE_HOME: join(dir, 'xdg'), HOME: join(dir, 'home') };
    assert.equal(defaultStatePath(env), join(dir, 'xdg', 'mcp-route', 'state.db'));
    assert.equal(defaultStatePath(env), policyDefaultStatePath(env));
    assert.equal(defaultStatePath({ HOME: join(dir, 'home') }), join(dir, 'home', '.local', 'state', 'mcp-route', 'state.db'));
    assert.equal(existsSync(join(dir, 'xdg')), false, 'computing the path creates nothing');
  });
});
