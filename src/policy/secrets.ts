// Which values of a policy are secrets: what the redactor hides and what the spawned server's
// environment loses. Only secrets count (an ordinary header such as `X-Cache-Enabled: "false"`
// must stay readable and must not strip every variable that holds "false"):
// - a provider's key, the value of an Authorization-like header, a URL's userinfo;
// - every `${VAR}` value read into a secret-bearing field (keys, any header, URLs, store URLs).
// Each is kept whole and as its token part (`Bearer abc` -> also `abc`), since a provider
// that quotes the bare token in an error would otherwise leak it.

import type { ProviderConfig } from './types.js';

/** Header names whose values are credentials, whatever they hold. */
const AUTH_HEADER = /^(authorization|proxy-authorization|cookie)$|key|token|secret|auth|passw|credential|session|signature/i;

export function isAuthHeader(name: string): boolean {
  return AUTH_HEADER.test(name);
}

/** The value and its token part: what follows an auth scheme (`Bearer x`, `Basic x`, `token=x`). */
export function secretForms(value: string): string[] {
  const out = [value];
  const scheme = /^\s*[A-Za-z][A-Za-z0-9_-]*[\s=:]+(\S.*?)\s*$/.exec(value);
  if (scheme?.[1]) out.push(scheme[1]);
  // Basic credentials travel base64-encoded; a provider may echo them decoded.
  const basic = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    out.push(decoded, ...(colon >= 0 ? [decoded.slice(colon + 1)] : []));
  }
  return out.filter((s) => s.length > 0);
}

/**
 * A URL's userinfo and its password, raw and percent-decoded (error texts may show either).
 * A username alone is a token (`https://TOKEN@host`); beside a password it is not a secret
 * (redacting "user" everywhere would garble every `role: user`).
 */
export function userinfoSecrets(url: string): string[] {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(url);
  if (!match?.[1]) return [];
  const info = match[1];
  const colon = info.indexOf(':');
  const parts = colon >= 0 ? [info, info.slice(colon + 1)] : [info];
  const out: string[] = [];
  for (const p of parts) {
    out.push(p);
    try {
      out.push(decodeURIComponent(p));
    } catch {
      // A malformed escape: the raw form is all there is.
    }
  }
  return [...new Set(out)].filter((s) => s.length > 0);
}

/** The secrets a provider's own configuration holds (no environment needed). */
export function providerSecrets(config: Pick<ProviderConfig, 'apiKey' | 'headers' | 'baseURL'>): string[] {
  const out: string[] = [];
  if (config.apiKey) out.push(...secretForms(config.apiKey));
  for (const [name, value] of Object.entries(config.headers ?? {})) if (value && isAuthHeader(name)) out.push(...secretForms(value));
  if (config.baseURL) out.push(...userinfoSecrets(config.baseURL));
  return out;
}
