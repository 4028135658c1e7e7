// The one place where local errors (string codes, src/errors.ts) become JSON-RPC errors on
// the wire. Every number the proxy itself sends is a named constant with the reason for it.
// Messages start "mcp-route:" and everything leaving here goes through the redactor.

import { McpRouteError, type ErrorCode } from '../errors.js';
import { redactValue } from '../redact.js';

/** The MCP spec's code for "the user rejected the sampling request"; a policy refusal is the operator declining. */
export const WIRE_REFUSED = -1;
/** JSON-RPC "invalid params": the sampling request itself is malformed. */
export const WIRE_INVALID_PARAMS = -32602;
/** JSON-RPC "internal error": we tried and every candidate failed (or nothing could be tried). */
export const WIRE_INTERNAL_ERROR = -32603;
/** Implementation-defined server error range: a budget said no and onExceed is reject. */
export const WIRE_BUDGET_EXCEEDED = -32001;
/** The same "a capacity limit said no" as budgets: too many sampling requests in flight from one server (data.reason says which). */
export const WIRE_OVERLOADED = WIRE_BUDGET_EXCEEDED;
/** JSON-RPC "invalid request": the message as a whole is refused (too large to read, cannot be re-encoded). */
export const WIRE_INVALID_REQUEST = -32600;
/** Same code the MCP SDK uses for "connection closed": the server exited before answering the host. */
export const WIRE_CONNECTION_CLOSED = -32000;

export interface WireError {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}

const CODE_FOR: Record<ErrorCode, number> = {
  DENIED_BY_RULE: WIRE_REFUSED,
  TOOLS_DENIED: WIRE_REFUSED,
  // A human said no (or nobody could be asked): the spec's "user rejected".
  APPROVAL_DECLINED: WIRE_REFUSED,
  // A cap is the operator declining further requests.
  LIMIT_REACHED: WIRE_REFUSED,
  INVALID_PARAMS: WIRE_INVALID_PARAMS,
  UNSUPPORTED_CONTENT: WIRE_INVALID_PARAMS,
  BUDGET_EXCEEDED: WIRE_BUDGET_EXCEEDED,
  NO_CANDIDATES: WIRE_INTERNAL_ERROR,
  ALL_CANDIDATES_FAILED: WIRE_INTERNAL_ERROR,
  PROVIDER_ERROR: WIRE_INTERNAL_ERROR,
  DEADLINE_EXCEEDED: WIRE_INTERNAL_ERROR,
  ABORTED: WIRE_INTERNAL_ERROR,
  STORE_ERROR: WIRE_INTERNAL_ERROR,
  POLICY_INVALID: WIRE_INTERNAL_ERROR,
  POLICY_NOT_FOUND: WIRE_INTERNAL_ERROR,
  INPUT_ROUNDS_EXCEEDED: WIRE_INTERNAL_ERROR,
  BAD_INPUT_REQUIRED: WIRE_INTERNAL_ERROR,
};

/** Maps any thrown value to a wire error; unknown throwables become a generic internal error. */
export function toWireError(err: unknown, redact: (text: string) => string): WireError {
  if (err instanceof McpRouteError) {
    const message = err.message.startsWith('mcp-route:') ? err.message : `mcp-route: ${err.message}`;
    const data = { ...err.data, reason: err.code };
    return scrub({ code: CODE_FOR[err.code] ?? WIRE_INTERNAL_ERROR, message, data }, redact);
  }
  const text = err instanceof Error ? err.message : String(err);
  return scrub({ code: WIRE_INTERNAL_ERROR, message: `mcp-route: internal error: ${text}`, data: { reason: 'INTERNAL' } }, redact);
}

/**
 * Redacts every string of the error, nested data included, without re-parsing anything: this
 * runs on the error path, so it must not throw whatever the secrets or the data hold.
 */
function scrub(error: WireError, redact: (text: string) => string): WireError {
  const out: WireError = { code: error.code, message: redact(error.message) };
  if (error.data !== undefined) out.data = redactValue(error.data, redact) as Record<string, unknown>;
  return out;
}
