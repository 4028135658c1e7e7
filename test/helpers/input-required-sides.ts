// The 2026 input_required coordinator between two recorded sides (what it sends the server, what
// it sends the host) and a given router: the in-process set-up of the proxy/input-* tests.
import { after } from 'node:test';
import { createLogger } from '../../src/proxy/log.js';
import { InputRequiredCalls, type InputRequiredDeps } from '../../src/proxy/input-required.js';
import type { Router } from '../../src/router/types.js';

export type Msg = Record<string, any>;

export function inputRequiredSides(router: Router, deps: Partial<InputRequiredDeps> = {}) {
  const toServer: Msg[] = [];
  const toHost: Msg[] = [];
  const settled: unknown[] = [];
  const calls = new InputRequiredCalls({
    sendToServer: (m) => toServer.push(m),
    sendToHost: (m) => toHost.push(m),
    getRouter: async () => router,
    serverName: () => 'unit-server',
    log: silentLogger(),
    redact: (t) => t,
    toolsMayBeAllowed: false,
    settled: (id) => settled.push(id),
    ...deps,
  });
  after(() => router.close());
  return { calls, toServer, toHost, settled };
}

/** A logger that writes nothing: for proxy parts under test whose log lines are not asserted. */
export function silentLogger() {
  return createLogger(
    'error',
    (t) => t,
    () => {},
  );
}
