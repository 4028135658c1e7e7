// Code the idle router lets go of. A bundled module stays loaded for the life of the process
// (V8 keeps its file's source text, functions and their metadata), so the CLI bundle loads yaml
// and the policy validator, needed only while a policy is read, as a CommonJS file of its own,
// which can be dropped and collected (scripts/bundle/policy-parsers-shim.mjs). The shim registers here
// how to drop it; release-memory.ts drops everything registered once the router is idle, just
// before V8's memory-reducing collections. What is dropped loads again when next needed (a
// policy reload then compiles it anew, a few ms).

const droppers = new Set<() => void>();

/** `drop` forgets a module so that the collector can take it. */
export function registerCollectible(drop: () => void): void {
  droppers.add(drop);
}

/** Forgets every registered module (nothing is registered outside the CLI bundle). */
export function dropCollectible(): void {
  for (const drop of droppers) drop();
}
