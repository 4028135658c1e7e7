// `when.systemPrompt` as written in a policy: `/source/flags` or a plain source string.
// Lint and routing both compile it here, so a pattern that lints clean also routes.

export function compileRegExp(text: string): RegExp {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text);
  return m ? new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')) : new RegExp(text);
}
