// Which protocol era a host request speaks, and the one rewrite every 2026-07-28 request gets.
// A 2026 request carries its own `_meta` envelope (protocol version, client info, client
// capabilities); everything else is 2025 traffic and keeps the proxy's byte path untouched.

import { objectMembers, type FoundMembers, type InnerMembers, type Span } from './json-top-level.js';
import { lineContentEnd } from './line-framer.js';

export const PROTOCOL_VERSION_META = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_CAPABILITIES_META = 'io.modelcontextprotocol/clientCapabilities';

/** The methods whose results may be `input_required` (SEP-2322). */
export const INPUT_REQUIRED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

const MARKER = Buffer.from(`"${PROTOCOL_VERSION_META}"`);
/** Where the marker's rarest byte is (the V of protocolVersion: capitals are rare in JSON). */
const MARKER_RARE = MARKER.indexOf('V');

/**
 * Whether a frame may be a 2026 request, from its bytes: a plain substring search, so 2025
 * frames (which never carry the key) are not parsed for it.
 */
export function mayBeModern(frame: Buffer): boolean {
  return includesBytes(frame, MARKER, MARKER_RARE);
}

/** Rare-byte hits compared one by one before the general search takes over. */
const RARE_HITS = 4;

/**
 * Whether `b` contains `needle`. Buffer.indexOf with a needle of several bytes builds a skip
 * table on every call (about 2,500 instructions: more than the whole walk of a small frame), so
 * the frame is first searched for one rare byte of the needle (memchr) and each hit compared;
 * only a frame with many of them gets the general search, from the last hit on.
 */
export function includesBytes(b: Buffer, needle: Buffer, rareAt: number): boolean {
  const rare = needle[rareAt]!;
  let from = rareAt;
  for (let hits = 0; hits < RARE_HITS; hits++) {
    const at = from < b.length ? b.indexOf(rare, from) : -1;
    if (at === -1) return false;
    if (at - rareAt + needle.length <= b.length && sameBytes(b, at - rareAt, needle)) return true;
    from = at + 1;
  }
  // Every occurrence not yet seen has its rare byte at `from` or later.
  return b.indexOf(needle, from - rareAt) !== -1;
}

function sameBytes(b: Buffer, at: number, needle: Buffer): boolean {
  for (let k = 0; k < needle.length; k++) if (b[at + k] !== needle[k]) return false;
  return true;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The request's `_meta` when it carries the 2026 envelope's protocol version. */
export function modernMeta(message: Obj): Obj | undefined {
  const params = message.params;
  if (!isObj(params) || !isObj(params._meta)) return undefined;
  return typeof params._meta[PROTOCOL_VERSION_META] === 'string' ? params._meta : undefined;
}

/** What the host itself declared, read from one 2026 request. */
export function hostDeclaresSampling(meta: Obj): boolean {
  const caps = meta[CLIENT_CAPABILITIES_META];
  return isObj(caps) && isObj(caps.sampling);
}

/**
 * Whether an `elicitation` capability covers form mode, the one approval asks in: 2025-06-18's
 * `elicitation: {}` means form; later revisions may list modes, and url alone cannot ask.
 */
export function declaresFormElicitation(elicitation: unknown): boolean {
  return isObj(elicitation) && (!('url' in elicitation) || 'form' in elicitation);
}

/** Whether a 2026 request's own capabilities declare form elicitation (they travel per request). */
export function hostDeclaresFormElicitation(meta: Obj): boolean {
  const caps = meta[CLIENT_CAPABILITIES_META];
  return isObj(caps) && declaresFormElicitation(caps.elicitation);
}

/**
 * The request with `sampling` (and `sampling.tools` when the policy may allow tools) added to
 * its declared client capabilities, keeping every capability the host declared: the server
 * refuses an input request the request's capabilities do not declare (-32021).
 */
export function withSamplingCapability(message: Obj, toolsMayBeAllowed: boolean): Obj {
  const params = message.params as Obj;
  const meta = params._meta as Obj;
  const declared = isObj(meta[CLIENT_CAPABILITIES_META]) ? (meta[CLIENT_CAPABILITIES_META] as Obj) : {};
  const hostSampling = isObj(declared.sampling) ? declared.sampling : {};
  const sampling = toolsMayBeAllowed ? { ...hostSampling, tools: isObj(hostSampling.tools) ? hostSampling.tools : {} } : hostSampling;
  return {
    ...message,
    params: { ...params, _meta: { ...meta, [CLIENT_CAPABILITIES_META]: { ...declared, sampling } } },
  };
}

/** What samplingCapabilityBytes read from a 2026 request, and the frame to send on. */
export interface ModernRequestBytes {
  /** The frame with sampling declared (with its line ending); undefined when the host's own declaration already covers it. */
  rewritten?: Buffer;
  /** `_meta.progressToken` as JSON.parse reads it, when present. */
  progressToken?: unknown;
}

const OPEN = 0x7b;
const QUOTE = 0x22;
const NL = 0x0a;
const isObjectAt = (b: Buffer, span: Span | undefined): span is Span => span !== undefined && b[span[0]] === OPEN;

/** A 2026 request's params as samplingCapabilityBytes reads them: its members, and those of its `_meta`. */
export interface ModernParams {
  outer: FoundMembers;
  meta?: FoundMembers;
}

/** Reads the params object at frame[start] and its `_meta` in one pass; undefined when the bytes cannot say. */
export function readModernParams(frame: Buffer, start: number): ModernParams | undefined {
  // Every host request's params come here: the same object shapes each time keep it cheap.
  const meta: InnerMembers = { key: '_meta', keys: META_KEYS, found: undefined };
  const outer = objectMembers(frame, start, PARAMS_KEYS, meta);
  return outer && { outer, meta: meta.found };
}
const META_KEYS = [PROTOCOL_VERSION_META, CLIENT_CAPABILITIES_META, 'progressToken'] as const;
const PARAMS_KEYS = ['_meta', 'inputResponses', 'requestState'] as const;

/**
 * withSamplingCapability on the bytes, for a frame whose top-level `params` is at `params` (or
 * was read on the way by readModernParams):
 * the members on the way (`params`, `_meta`, the capabilities, `sampling`) are read without
 * parsing, the last duplicate winning as in JSON.parse, and the missing member is inserted
 * before the closing brace of the innermost object that exists, so every byte the host sent
 * stays as it was. Undefined when the frame is not a 2026 request the bytes can answer for:
 * no string protocolVersion, a key written with escapes, a capability that is not an object,
 * or a retry (inputResponses, requestState); the caller then parses, as before.
 * The frame may keep its line ending: the rewrite ends with exactly one newline either way.
 */
export function samplingCapabilityBytes(frame: Buffer, params: Span | ModernParams, toolsMayBeAllowed: boolean): ModernRequestBytes | undefined {
  const read = 'outer' in params ? params : isObjectAt(frame, params) ? readModernParams(frame, params[0]) : undefined;
  if (!read) return undefined;
  const { outer, meta } = read;
  if (outer.spans[1] || outer.spans[2] || !meta) return undefined;
  // By index rather than destructured, as on every hot path here (see readMethod in classify-frame.ts).
  const found = meta.spans;
  const version = found[0];
  const caps = found[1];
  const token = found[2];
  if (version === undefined || frame[version[0]] !== QUOTE) return undefined;
  const out: ModernRequestBytes = { rewritten: undefined, progressToken: undefined };
  if (token) {
    try {
      out.progressToken = JSON.parse(frame.toString('utf8', token[0], token[1]));
    } catch {
      return undefined;
    }
  }
  if (caps === undefined) return insert(out, frame, meta, INSERTIONS.capabilities[toolsMayBeAllowed ? 1 : 0]!);
  if (!isObjectAt(frame, caps)) return undefined;
  const declared = objectMembers(frame, caps[0], ['sampling']);
  if (!declared) return undefined;
  const hostSampling = declared.spans[0];
  if (hostSampling === undefined) return insert(out, frame, declared, INSERTIONS.sampling[toolsMayBeAllowed ? 1 : 0]!);
  if (!isObjectAt(frame, hostSampling)) return undefined;
  if (!toolsMayBeAllowed) return out;
  const tools = objectMembers(frame, hostSampling[0], ['tools']);
  if (!tools) return undefined;
  const declaredTools = tools.spans[0];
  if (declaredTools === undefined) return insert(out, frame, tools, INSERTIONS.tools);
  return isObjectAt(frame, declaredTools) ? out : undefined;
}

/** `member` (as INSERTIONS holds it) added as the last member of the object at `into` (its key is absent there, so nothing shadows it). */
function insert(out: ModernRequestBytes, frame: Buffer, into: FoundMembers, member: Insertion): ModernRequestBytes {
  const at = into.span[1] - 1; // the object's closing brace
  const added = into.empty ? member.alone : member.afterComma;
  const end = lineContentEnd(frame);
  // Copied with the typed-array builtins alone (the whole frame, its end moved right, the member
  // put in the gap) rather than Buffer.concat of two views: concat, subarray and their length
  // reads are JavaScript whose feedback every Buffer user in the process shares (callgrind:
  // 48,020 -> 46,042 instructions a 2026 request with this).
  const rewritten = Buffer.allocUnsafe(end + added.length + 1);
  rewritten.set(frame.length <= rewritten.length ? frame : frame.subarray(0, end));
  rewritten.copyWithin(at + added.length, at, end);
  rewritten.set(added, at);
  rewritten[rewritten.length - 1] = NL;
  out.rewritten = rewritten;
  return out;
}

/** One member to insert, encoded once: building and hashing its text per request cost more than the rest of the rewrite. */
interface Insertion {
  alone: Buffer;
  afterComma: Buffer;
}
const insertionOf = (text: string): Insertion => ({ alone: Buffer.from(text), afterComma: Buffer.from(`,${text}`) });
/** Every member a rewrite inserts, by what was missing; for the first two [0] without tools, [1] with `sampling.tools`. */
const INSERTIONS = {
  capabilities: [insertionOf(`"${CLIENT_CAPABILITIES_META}":{"sampling":{}}`), insertionOf(`"${CLIENT_CAPABILITIES_META}":{"sampling":{"tools":{}}}`)],
  sampling: [insertionOf('"sampling":{}'), insertionOf('"sampling":{"tools":{}}')],
  tools: insertionOf('"tools":{}'),
} as const;
