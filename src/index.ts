// The library API of mcp-route. Only what is exported here is public.
export * from './errors.js';
export type * from './policy/types.js';
export type * from './routing/types.js';
export type * from './providers/types.js';
export type * from './budgets/types.js';
export type * from './execution/types.js';
