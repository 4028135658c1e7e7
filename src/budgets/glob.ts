// Glob matching for budget selectors ({model: "claude-*"}): `*` any run, `?` one character,
// whole-string, case-sensitive like the names it matches.

const cache = new Map<string, RegExp>();

export function globMatch(glob: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  let re = cache.get(glob);
  if (!re) {
    const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${source}$`, 's');
    cache.set(glob, re);
  }
  return re.test(value);
}
