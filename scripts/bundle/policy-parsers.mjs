// Entry of dist/cli/policy-parsers.cjs (scripts/bundle-cli.mjs): what the policy loader takes
// from yaml and the generated validator, as one CommonJS file the idle router can drop.
export { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
export { validate } from '../../src/policy/schema-validator.generated.ts';
