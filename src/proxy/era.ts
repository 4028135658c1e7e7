// Which protocol era a host request speaks, and the one rewrite every 2026-07-28 request gets.
// A 2026 request carries its own `_meta` envelope (protocol version, client info, client
// capabilities); everything else is 2025 traffic and keeps the proxy's byte path untouched.

export const PROTOCOL_VERSION_META = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_CAPABILITIES_META = 'io.modelcontextprotocol/clientCapabilities';

/** The methods whose results may be `input_required` (SEP-2322). */
export const INPUT_REQUIRED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

const MARKER = Buffer.from(`"${PROTOCOL_VERSION_META}"`);

/**
 * Whether a frame may be a 2026 request, from its bytes: a plain substring search, so 2025
 * frames (which never carry the key) are not parsed for it.
 */
export function mayBeModern(frame: Buffer): boolean {
  return frame.indexOf(MARKER) !== -1;
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
