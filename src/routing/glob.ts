// Globs as `when.server` and `when.hints` use them: `*` any run of characters, `?` one
// character, everything else literal, matched whole and case-insensitively (server names
// and model hints are identifiers people type in different cases). Compiled once per policy.

/** Compiles a glob to an anchored, case-insensitive RegExp. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** One-off match; prefer globToRegExp when the same glob is used many times. */
export function globMatch(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}
