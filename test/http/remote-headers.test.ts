// --header / --header-file parsing for `run --url`: ${VAR} expansion from mcp-route's own
// environment, clear errors that never print a value, and the secrets handed to the redactor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../e2e/harness.js';
import { loadRemoteHeaders } from '../../src/transports/remote-headers.js';

test('headers from flags and a file expand ${VAR}; values and the bearer credential become secrets', () => {
  const file = join(tempDir(), 'headers');
  writeFileSync(file, '# comment\n\nX-Team: ${TEAM:-core}\r\nAuthorization: Bearer ${TOKEN}\n');
  const { headers, secrets } = loadRemoteHeaders(['X-Literal: a $${B} c'], file, { TOKEN: 'abc123456' });
  assert.deepEqual(headers, { 'X-Team': 'core', Authorization: 'Bearer abc123456', 'X-Literal': 'a ${B} c' });
  assert.ok(secrets.includes('Bearer abc123456') && secrets.includes('abc123456'));
  assert.ok(!secrets.includes('a'), 'only Authorization values are split at their scheme');
});

test('bad headers are refused with the header named and the value never shown', () => {
  const env = { SECRET_WITH_NEWLINE: 'top-secret\nInjected: 1' };
  assert.throws(() => loadRemoteHeaders(['no colon here'], undefined, {}), /expects 'Name: value'/);
  assert.throws(() => loadRemoteHeaders(['Bad Name: x'], undefined, {}), /expects 'Name: value'/);
  assert.throws(() => loadRemoteHeaders(['Mcp-Session-Id: x'], undefined, {}), /set by the Streamable HTTP transport itself/);
  assert.throws(() => loadRemoteHeaders(['Authorization: Bearer ${MISSING}'], undefined, {}), /Authorization reads \$\{MISSING\}, which is not set/);
  assert.throws(() => loadRemoteHeaders(['Authorization: ${BROKEN'], undefined, {}), /malformed variable reference/);
  assert.throws(
    () => loadRemoteHeaders(['X-Key: ${SECRET_WITH_NEWLINE}'], undefined, env),
    (err: Error) => /control character/.test(err.message) && !err.message.includes('top-secret'),
  );
  assert.throws(() => loadRemoteHeaders([], join(tempDir(), 'absent'), {}), /cannot read --header-file .*ENOENT/);
});
