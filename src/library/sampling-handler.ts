// The router behind an MCP SDK `Client`: a handler for `sampling/createMessage` that a host
// installs with `client.setRequestHandler(CreateMessageRequestSchema, handler)`. Errors leave
// as McpError with the wire codes of DESIGN.md ("Errors on the wire"), mapped in the same
// place the proxy maps them (src/proxy/wire-errors.ts), so `run` and embedders agree.

import { McpError, type CreateMessageRequest, type CreateMessageResult, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Router } from '../router/types.js';
import { createRedactor } from '../redact.js';
import { toWireError } from '../proxy/wire-errors.js';

/** The part of the SDK's `RequestHandlerExtra` the handler reads. */
export interface SamplingHandlerExtra {
  /** Aborted when the server cancels the request or the connection closes. */
  signal: AbortSignal;
  requestId?: RequestId;
}

export interface SamplingHandlerOptions {
  /**
   * The server name rules and budgets match on (`when.server`, budget scope `server`).
   * A function is read per request, e.g. `() => client.getServerVersion()?.name`, since the
   * server's name is known only after `connect`.
   */
  serverName?: string | (() => string | undefined);
}

export type SamplingHandler = (request: CreateMessageRequest, extra: SamplingHandlerExtra) => Promise<CreateMessageResult>;

/**
 * Returns a `sampling/createMessage` handler that answers through the router:
 *
 * ```ts
 * const client = new Client(info, { capabilities: samplingCapabilities(router) });
 * client.setRequestHandler(CreateMessageRequestSchema, createSamplingHandler(router));
 * ```
 *
 * The server's cancellation (the SDK's `extra.signal`) aborts the provider call. A failure is
 * thrown as `McpError`: refused by a rule -1, budget exhausted -32001, malformed params
 * -32602, every candidate failed -32603; `data` carries `reason` and the attempts.
 */
export function createSamplingHandler(router: Router, options: SamplingHandlerOptions = {}): SamplingHandler {
  const redact = createRedactor(router.policy.secrets);
  const serverName = typeof options.serverName === 'function' ? options.serverName : () => options.serverName as string | undefined;
  return async (request, extra) => {
    try {
      const name = serverName();
      return await router.createMessage(request.params, {
        signal: extra.signal,
        ...(name !== undefined ? { serverName: name } : {}),
        ...(extra.requestId !== undefined ? { requestId: extra.requestId } : {}),
      });
    } catch (err) {
      throw toMcpError(err, redact);
    }
  };
}

/**
 * Converts anything the router throws into the `McpError` the server should receive. The
 * message is set back to the plain `mcp-route: ...` text because McpError prefixes
 * "MCP error <code>:" and the SDK puts `message` on the wire as is.
 */
export function toMcpError(err: unknown, redact: (text: string) => string = (t) => t): McpError {
  const wire = toWireError(err, redact);
  const error = new McpError(wire.code, wire.message, wire.data);
  error.message = wire.message;
  return error;
}
