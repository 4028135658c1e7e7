// `mcp-route init` (a starter policy that lints clean, with a $schema line editors can follow,
// never overwriting) and `mcp-route models` (the catalogue as a table or JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { runCli, ROOT } from '../helpers/cli.js';
import { schemaReference } from '../../src/cli/commands/init.js';

const env = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent-home' };
const catalogue = JSON.parse(readFileSync(join(ROOT, 'src/catalogue/models.json'), 'utf8')) as { pricesTakenOn: string; models: Array<Record<string, unknown>> };

test('init writes ./mcp-route.yaml that lints clean, is discovered, and whose $schema names the real schema file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-init-'));
  const r = await runCli(['init'], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wrote mcp-route\.yaml$/m);
  const text = readFileSync(join(dir, 'mcp-route.yaml'), 'utf8');
  const ref = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)![1]!;
  const schema = isAbsolute(ref) ? ref : resolve(dir, ref);
  assert.equal(schema, join(ROOT, 'schemas', 'policy.schema.json'));
  assert.equal(JSON.parse(readFileSync(schema, 'utf8')).$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.ok(text.split('\n').filter((l) => l.trimStart().startsWith('#')).length >= 10, 'the starter explains itself in comments');
  const lint = await runCli(['lint', '--strict'], { cwd: dir, env: { ...env, XDG_CONFIG_HOME: join(dir, 'cfg') } });
  assert.equal(lint.code, 0, lint.stdout);
  assert.match(lint.stdout, /1 file checked: no problems/);
});

test('init refuses to overwrite an existing file and leaves it untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-route-init-'));
  writeFileSync(join(dir, 'mcp-route.yaml'), 'mine\n');
  const r = await runCli(['init'], { cwd: dir, env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not writing mcp-route\.yaml: it already exists/);
  assert.equal(readFileSync(join(dir, 'mcp-route.yaml'), 'utf8'), 'mine\n');
  const other = await runCli(['init', 'team.yaml'], { cwd: dir, env });
  assert.equal(other.code, 0, other.stderr);
  assert.ok(existsSync(join(dir, 'team.yaml')));
  assert.match(other.stdout, /mcp-route doctor --policy team\.yaml/);
});

test('the $schema reference is relative below the policy (a local install) and absolute otherwise', () => {
  assert.equal(schemaReference('/p/mcp-route.yaml', '/p/node_modules/mcp-route/schemas/policy.schema.json'), './node_modules/mcp-route/schemas/policy.schema.json');
  assert.equal(schemaReference('/home/u/proj/mcp-route.yaml', '/usr/lib/node_modules/mcp-route/schemas/policy.schema.json'), '/usr/lib/node_modules/mcp-route/schemas/policy.schema.json');
  assert.equal(dirname(schemaReference('/x/y.yaml')).endsWith('schemas'), true);
});

test('models prints every catalogue model with prices, limits, parameters and end of life', async () => {
  const r = await runCli(['models'], { env });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^MODEL +VENDOR +IN \$\/M +OUT \$\/M +CONTEXT +MAX OUT +SUPPORTS +PARAMS +END OF LIFE +ALIASES$/);
  for (const m of catalogue.models) {
    const row = lines.find((l) => l.startsWith(`${m['id']} `));
    assert.ok(row, `${m['id']} listed`);
    const cost = m['cost'] as { input: number; output: number };
    assert.match(row!, new RegExp(` ${m['vendor']} +${cost.input} +${cost.output} `), String(m['id']));
    const drop = (m['params'] as { drop: string[] } | undefined)?.drop;
    assert.ok(row!.includes(drop?.length ? ` not ${drop.join(', ')} ` : ' all '), `${m['id']} params`);
    if (typeof m['endOfLife'] === 'string') assert.ok(row!.includes(` ${m['endOfLife']}`), `${m['id']} end of life`);
  }
  assert.ok(catalogue.models.some((m) => m['endOfLife']) && catalogue.models.some((m) => m['params']), 'the catalogue records both, so both columns are exercised');
  assert.match(r.stdout, new RegExp(`list price on ${catalogue.pricesTakenOn}`));
});

test('models FILTER narrows by id, alias or vendor; --format json carries every catalogue field', async () => {
  const haiku = await runCli(['models', 'HAIKU'], { env });
  assert.equal(haiku.code, 0);
  assert.deepEqual(
    haiku.stdout
      .split('\n')
      .slice(1)
      .filter((l) => /^\S+ +(anthropic|openai) /.test(l))
      .map((l) => l.split(' ')[0]),
    ['claude-haiku-4-5'],
  );
  const none = await runCli(['models', 'no-such-model'], { env });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no catalogue model matches "no-such-model"/);
  const json = await runCli(['models', '--format', 'json'], { env });
  const out = JSON.parse(json.stdout) as { pricesTakenOn: string; models: Array<Record<string, unknown>> };
  assert.equal(out.pricesTakenOn, catalogue.pricesTakenOn);
  assert.deepEqual(out.models, catalogue.models);
});
