// Requests the proxy itself sends to the host (today: sampling/createMessage for `client`
// providers). They carry ids from our own namespace, a prefix with a per-process random
// part, so they cannot collide with the server's ids, and the host's answers are routed
// back here instead of to the server.

import { randomBytes } from '../util/random-bytes.js';
import type { JsonRpcId } from './classify-frame.js';

/** The host answered one of our requests with a JSON-RPC error. */
export class HostRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'HostRequestError';
  }
}

interface Waiter {
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

export class HostRequests {
  readonly prefix = `mcp-route-${randomBytes(4).toString('hex')}-`;
  private next = 1;
  private readonly waiting = new Map<string, Waiter>();

  constructor(private readonly send: (message: Record<string, unknown>) => void) {}

  owns(id: JsonRpcId | undefined): id is string {
    return typeof id === 'string' && id.startsWith(this.prefix);
  }

  request(method: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
    const id = `${this.prefix}${this.next++}`;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const onAbort = () => {
        if (!this.waiting.delete(id)) return;
        // Tell the host to stop; its late answer, if any, is dropped in settle().
        this.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'cancelled by mcp-route' } });
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, { resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** Routes the host's response to the waiting request; unknown ids (already cancelled) are dropped. */
  settle(id: string, message: Record<string, unknown>): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    waiter.cleanup();
    const error = message.error as { code?: unknown; message?: unknown; data?: unknown } | undefined;
    if (error && typeof error === 'object') {
      waiter.reject(new HostRequestError(typeof error.code === 'number' ? error.code : -32603, `host: ${String(error.message ?? 'error')}`, error.data));
    } else waiter.resolve(message.result);
  }

  failAll(err: Error): void {
    for (const [id, waiter] of this.waiting) {
      this.waiting.delete(id);
      waiter.cleanup();
      waiter.reject(err);
    }
  }
}
