// Starting and stopping the model gateway (gateway-server.ts answers its requests). The
// handlers, with the API translations they use, load at the first request: most servers never
// call a model directly, and an idle proxy then holds none of that code (with node:http, which
// gateway-port.ts loads at the first connection, about 0.5 MiB of an idle `mcp-route run`).

import type { Router } from '../router/types.js';
import type { Policy } from '../policy/types.js';
import type { Logger } from '../proxy/log.js';
import { bindGatewayPort, closeGatewayPort, gatewayChildEnv, type GatewayHandler, type GatewayPort } from './gateway-port.js';

export interface GatewayOptions {
  apis: { openai: boolean; anthropic: boolean };
  /**
   * The router every call goes through (built lazily by the caller, shared budgets). Asked for
   * until it has given one, which then serves every call: it must follow policy reloads itself.
   */
  getRouter: () => Promise<Router>;
  /** The name rules and budgets see, the same as for the server's sampling. */
  serverName: () => string | undefined;
  /** The policy in force now (it may be reloaded while the gateway runs). */
  policy: () => Policy;
  log: Logger;
  /** Default: 32 random bytes, hex. */
  token?: string;
  /** A port bound already (with its token); default: bind one now. */
  port?: GatewayPort;
}

export interface Gateway {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  token: string;
  /** The variables the child gets so the official SDKs find the gateway unaided. */
  childEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const port = options.port ?? (await bindGatewayPort(options.token));
  const { token } = port;
  let handler: Promise<GatewayHandler> | undefined;
  port.serve((req, res) => {
    handler ??= import('./gateway-server.js').then((m) => m.gatewayHandler(options, token));
    handler.then(
      (handle) => handle(req, res),
      (err: unknown) => {
        // Only a broken install gets here (a file of the package missing).
        options.log.error(`gateway: cannot load its handlers: ${err instanceof Error ? err.message : String(err)}`);
        res.statusCode = 500;
        res.end();
      },
    );
  });
  return { url: port.url, token, childEnv: gatewayChildEnv(port.url, token, options.apis), close: () => closeGatewayPort(port.server) };
}
