// Which file applies when none is named: $MCP_ROUTE_POLICY, ./mcp-route.yaml or .yml, then the
// user's config folder (policy.yaml or .yml), else the built-in default — and where it looked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpRouteError } from '../../src/errors.js';
import { BUILTIN_DEFAULT_SOURCE, discoverPolicy, policySearchPaths } from '../../src/policy/discover.js';

const POLICY = 'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\n';

function setup(): { cwd: string; config: string; env: NodeJS.ProcessEnv } {
  const cwd = mkdtempSync(join(tmpdir(), 'mcp-route-discover-'));
  const config = join(cwd, 'cfg');
  mkdirSync(join(config, 'mcp-route'), { recursive: true });
  return { cwd, config, env: { XDG_CONFIG_HOME: config, HOME: '/nonexistent-home' } };
}

test('./mcp-route.yml is found, and ./mcp-route.yaml wins over it', () => {
  const { cwd, env } = setup();
  writeFileSync(join(cwd, 'mcp-route.yml'), POLICY);
  assert.equal(discoverPolicy({ cwd, env }).path, join(cwd, 'mcp-route.yml'));
  writeFileSync(join(cwd, 'mcp-route.yaml'), POLICY);
  assert.equal(discoverPolicy({ cwd, env }).path, join(cwd, 'mcp-route.yaml'));
});

test("the config folder's policy.yml is found when the working directory has none", () => {
  const { cwd, config, env } = setup();
  writeFileSync(join(config, 'mcp-route', 'policy.yml'), POLICY);
  assert.equal(discoverPolicy({ cwd, env }).path, join(config, 'mcp-route', 'policy.yml'));
});

test('MCP_ROUTE_POLICY names the file (relative to the working directory) and nothing else is searched', () => {
  const { cwd, env } = setup();
  writeFileSync(join(cwd, 'mcp-route.yaml'), POLICY);
  writeFileSync(join(cwd, 'team.yaml'), POLICY.replace('x:', 'team-model:'));
  const found = discoverPolicy({ cwd, env: { ...env, MCP_ROUTE_POLICY: 'team.yaml' } });
  assert.equal(found.path, join(cwd, 'team.yaml'));
  assert.ok('team-model' in found.policy.models);
  assert.deepEqual(policySearchPaths({ cwd, env: { ...env, MCP_ROUTE_POLICY: 'team.yaml' } }), [join(cwd, 'team.yaml')]);
});

test('an MCP_ROUTE_POLICY that names no file is POLICY_NOT_FOUND, never the built-in default', () => {
  const { cwd, env } = setup();
  assert.throws(
    () => discoverPolicy({ cwd, env: { ...env, MCP_ROUTE_POLICY: 'missing.yaml' } }),
    (err: unknown) => err instanceof McpRouteError && err.code === 'POLICY_NOT_FOUND' && /MCP_ROUTE_POLICY names .*missing\.yaml, which does not exist/.test(err.message),
  );
});

test('with nothing found, the built-in default comes back with every place searched', () => {
  const { cwd, config, env } = setup();
  const found = discoverPolicy({ cwd, env });
  assert.equal(found.path, undefined);
  assert.equal(found.policy.source, BUILTIN_DEFAULT_SOURCE);
  assert.deepEqual(found.searched, [join(cwd, 'mcp-route.yaml'), join(cwd, 'mcp-route.yml'), join(config, 'mcp-route', 'policy.yaml'), join(config, 'mcp-route', 'policy.yml')]);
});
