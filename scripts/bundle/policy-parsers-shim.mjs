// Stands in for `yaml` and src/policy/schema-validator.generated.ts in the CLI bundle
// (scripts/bundle-cli.mjs): the same functions, taken from dist/cli/policy-parsers.cjs, which
// is loaded at the first call and dropped once the router is idle (src/util/collectible.ts).
// yaml and the validator are about 400 kB of source that an ES module would keep resident,
// with their functions, for the life of the process; this way an idle `mcp-route run` holds
// them only while it reads a policy. Only what the policy loader uses is here (a build that
// imports anything else from them fails). yaml's type checks (isScalar...) test a symbol
// (Symbol.for) on the node, so nodes made by an earlier load still pass after a reload.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { registerCollectible } from '../../src/util/collectible.ts';

/** Beside the bundle file this shim is bundled into. */
const FILE = fileURLToPath(new URL('./policy-parsers.cjs', import.meta.url));
let loaded;

function parsers() {
  // A require function of its own each time: the module it makes as the parent lists what it
  // loaded (module.children), so it must not outlive the load.
  loaded ??= createRequire(FILE)(FILE);
  return loaded;
}

registerCollectible(() => {
  loaded = undefined;
  // require.cache is the one cache of every require function.
  delete createRequire(FILE).cache[FILE];
});

export const parseDocument = (...args) => parsers().parseDocument(...args);
export const visit = (...args) => parsers().visit(...args);
export const isMap = (node) => parsers().isMap(node);
export const isPair = (node) => parsers().isPair(node);
export const isScalar = (node) => parsers().isScalar(node);
export const isSeq = (node) => parsers().isSeq(node);

/** `new LineCounter()`: a constructor that returns an object makes `new` give that object. */
export function LineCounter() {
  return new (parsers().LineCounter)();
}

/** The validator reports its errors on itself (ajv's standalone code), so they are copied over. */
export function validate(data) {
  const real = parsers().validate;
  const ok = real(data);
  validate.errors = real.errors;
  return ok;
}
