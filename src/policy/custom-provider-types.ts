// Provider types registered from code (`registerProvider` in the library API) on top of the
// schema's built-in enum. The schema check accepts these names; the CLI never registers any,
// so `mcp-route lint` keeps rejecting a typo such as `type: opnai`.

const customTypes = new Set<string>();

export function allowCustomProviderType(type: string): void {
  customTypes.add(type);
}

export function isCustomProviderType(type: unknown): boolean {
  return typeof type === 'string' && customTypes.has(type);
}
