// lint loads a validator precompiled from the schema; a schema edit without regenerating it
// would silently validate against the old format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GENERATED_VALIDATOR, generateValidatorSource } from '../../scripts/generate-validator.js';

test('schema-validator.generated.ts matches schemas/policy.schema.json (regenerate: npm run generate:validator)', () => {
  assert.ok(readFileSync(GENERATED_VALIDATOR, 'utf8') === generateValidatorSource(), 'the generated validator is stale');
});
