// `serve` answers a POST that carries requests with an SSE stream, through the SDK transport
// (and @hono/node-server under it): the headers are flushed at once, then the answer's event
// and the stream's end are written as they come. Each of those was a write of its own on the
// socket, three per small tools/call, when the client needs them together: the answer is what
// it waits for. So the socket is corked while the request runs, and uncorked (setImmediate,
// after every write the SDK makes for that message) once the first message for the request
// (its answer, or a progress event before it) has been handed to the SDK: one write instead
// of three. A request that runs longer than HOLD_MS gets its headers then, as before, so a
// slow tool never holds a client's response headers for long (clients time out on them).

import type { ServerResponse } from 'node:http';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** How long a request's headers may wait for its first message before they are sent alone. */
export const HOLD_MS = 50;

export interface HeldAnswer {
  /** A message for the request is being handed to the SDK: the held bytes leave after its writes. */
  releaseSoon(): void;
}

/**
 * Corks `res`'s socket while the requests in `body` (one message or a batch) are answered,
 * registering the hold under each request's id in `held`. A POST without requests (its 202
 * is written at once) and a response without a socket are left alone.
 */
export function holdAnswer(res: ServerResponse, body: unknown, held: Map<RequestId, HeldAnswer>): void {
  const ids = requestIds(body);
  const socket = res.socket;
  if (ids.length === 0 || !socket || socket.destroyed) return;
  // The socket itself, not res: res lets go of its socket when the response ends, and an
  // uncork through it then would leave the connection corked for the next request.
  socket.cork();
  let released = false;
  let soon: NodeJS.Immediate | undefined;
  const release = () => {
    if (released) return;
    released = true;
    clearTimeout(timer);
    if (soon) clearImmediate(soon);
    socket.uncork();
    for (const id of ids) if (held.get(id) === hold) held.delete(id);
  };
  const timer = setTimeout(release, HOLD_MS);
  const hold: HeldAnswer = {
    releaseSoon: () => {
      if (!released && !soon) soon = setImmediate(release);
    },
  };
  for (const id of ids) held.set(id, hold);
  // Closed, or ended by the SDK without a message (an error status): nothing more to wait for.
  res.once('close', release);
  res.once('prefinish', hold.releaseSoon);
}

/** The ids of the requests (messages with a method and an id) in a POST body. */
function requestIds(body: unknown): RequestId[] {
  const ids: RequestId[] = [];
  for (const m of Array.isArray(body) ? body : [body]) {
    if (typeof m !== 'object' || m === null) continue;
    const { id, method } = m as { id?: unknown; method?: unknown };
    if (typeof method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  return ids;
}
