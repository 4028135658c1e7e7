// The schema, the normaliser's key lists (src/policy/keys.ts) and the Policy types must not
// drift: keys.ts is tied to types.ts at compile time, and this test ties it to the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_KEYS, keysAgreeWithTypes } from '../../src/policy/keys.js';
import { policySchema } from '../../src/policy/schema-check.js';

type Schema = { properties?: Record<string, Schema>; $ref?: string; items?: Schema; additionalProperties?: Schema | boolean; anyOf?: Schema[] };
const schema = policySchema() as Schema & { $defs: Record<string, Schema> };
const def = (name: string): Schema => {
  const d = schema.$defs[name];
  assert.ok(d, `schema has $defs/${name}`);
  return d;
};
const props = (s: Schema | undefined): string[] => Object.keys(s?.properties ?? {}).sort();

const schemaObjects: Record<keyof typeof KNOWN_KEYS, Schema | undefined> = {
  policy: schema,
  provider: def('provider'),
  model: def('model'),
  cost: def('model').properties?.['cost'],
  params: def('model').properties?.['params'],
  settings: def('settings'),
  retry: def('settings').properties?.['retry'],
  limits: def('settings').properties?.['limits'],
  rule: def('rule'),
  when: def('when'),
  priorities: def('when').properties?.['priorities'],
  comparison: def('comparison'),
  budget: def('budget'),
  selector: def('selector'),
  state: schema.properties?.['state'],
  audit: schema.properties?.['audit'],
  gateway: schema.properties?.['gateway'],
  inputRequired: schema.properties?.['inputRequired'],
  mockResponse: def('mockResponse'),
};

for (const [name, keys] of Object.entries(KNOWN_KEYS)) {
  test(`schema object \`${name}\` has exactly the keys the normaliser reads`, () => {
    assert.deepEqual(props(schemaObjects[name as keyof typeof KNOWN_KEYS]), [...keys].sort());
  });
}

test('every object in the schema that takes named keys rejects unknown ones', () => {
  const loose: string[] = [];
  const walk = (s: Schema, where: string) => {
    if (s.properties && s.additionalProperties === undefined) loose.push(where);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${where}.${k}`);
  };
  walk(schema, 'policy');
  for (const [k, v] of Object.entries(schema.$defs)) walk(v, `$defs.${k}`);
  // `models` is the one map with a reserved key (`extends`) beside free model ids.
  assert.deepEqual(loose, []);
});

test('every property in the schema has a description (editor hover text)', () => {
  const missing: string[] = [];
  const walk = (s: Schema, where: string) => {
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      const ref = v.$ref;
      if (!(v as { description?: string }).description && !ref?.includes('/properties/')) missing.push(`${where}.${k}`);
      walk(v, `${where}.${k}`);
    }
  };
  walk(schema, 'policy');
  for (const [k, v] of Object.entries(schema.$defs)) walk(v, `$defs.${k}`);
  assert.deepEqual(missing, []);
});

test('the compile-time key/type agreement holds', () => {
  assert.ok(keysAgreeWithTypes.every((x) => x === true));
});
