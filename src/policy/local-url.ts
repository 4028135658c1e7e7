// Which provider URLs are "local": loopback, private-network and link-local addresses and
// local names. Such an endpoint (Ollama, vLLM on the LAN) needs no key and is never sent the
// vendor key. Addresses are compared numerically, after the WHATWG URL parser has normalised
// them (`0x7f.1` is 127.0.0.1, `[::ffff:127.0.0.1]` is `[::ffff:7f00:1]`).

import { isIPv4, isIPv6 } from 'node:net';

/** Loopback, private-network, link-local and .local hosts: where OpenAI-compatible servers usually need no key. */
export function isLocalURL(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return isLocalHost(host);
}

export function isLocalHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host === 'host.docker.internal') return true;
  if (isIPv4(host)) return isLocalIPv4(host.split('.').map(Number));
  if (isIPv6(host)) return isLocalIPv6(host);
  return false;
}

function isLocalIPv4([a = -1, b = -1]: number[]): boolean {
  return (
    a === 127 || // loopback
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || // RFC 1918
    (a === 169 && b === 254) || // link-local
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT, RFC 6598 (Tailscale's range)
    a === 0 // "this network", 0.0.0.0
  );
}

function isLocalIPv6(host: string): boolean {
  const groups = expandIPv6(host.replace(/%.*$/, ''));
  if (!groups) return false;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  if (upperZero && g5 === 0xffff) return isLocalIPv4([g6 >> 8, g6 & 0xff]); // IPv4-mapped
  return (g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfe80; // unique local fc00::/7, link-local fe80::/10
}

/** Eight 16-bit groups, or undefined; accepts `::` and a dotted IPv4 tail. */
function expandIPv6(text: string): number[] | undefined {
  let s = text;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = tail[1].split('.').map(Number);
    s = `${s.slice(0, -tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...new Array<number>(Math.max(0, fill)).fill(0), ...rest];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}
