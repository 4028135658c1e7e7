// The handles mcp-route gives the host as `requestState` in a mixed round: the host answers
// the entries that are its own (elicitation, roots) and repeats the request with the handle;
// the handle brings back mcp-route's answers and the server's own requestState, which the
// host never sees. Random (unguessable), with a TTL and a cap on how many are held.

import type { ApprovalRound } from '../approval/input-approvals.js';
import { randomBytes } from '../util/random-bytes.js';

/** Every handle starts with this, so a requestState from the server is never taken for one. */
export const HANDLE_PREFIX = 'mcp-route-handle:';

export interface HeldRound {
  /** The request method the handle belongs to (a handle for tools/call is no use to prompts/get). */
  method: string;
  /** The server's requestState, exactly as received; absent when it sent none. */
  serverState?: string;
  /** Bare results mcp-route produced, under the server's keys. */
  answered: Record<string, unknown>;
  /** The keys the host must answer. */
  hostKeys: string[];
  /** Rounds taken so far by this tool call (the round limit spans the host's retries). */
  rounds: number;
  /** Approval questions of this round, asked of the host beside its own keys (see input-approvals.ts). */
  pending?: PendingApprovals;
}

/** Router calls of a held round that wait for the host's answers to approval questions. */
export interface PendingApprovals {
  approvals: ApprovalRound;
  /** Every answer of mcp-route's for the round, once the host answered; rejects on a refusal or failure. */
  answers: Promise<Record<string, unknown>>;
  /** Ends the waiting router calls (the handle is dropped unused). */
  stop(reason: unknown): void;
}

export class InputHandles {
  private readonly held = new Map<string, { round: HeldRound; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.held.size;
  }

  static looksLikeHandle(state: unknown): state is string {
    return typeof state === 'string' && state.startsWith(HANDLE_PREFIX);
  }

  put(round: HeldRound): string {
    this.sweep();
    // Maps iterate in insertion order: the first key is the oldest handle.
    while (this.held.size >= this.max) this.drop(this.held.keys().next().value!);
    const handle = HANDLE_PREFIX + randomBytes(18).toString('base64url');
    this.held.set(handle, { round, expires: this.now() + this.ttlMs });
    return handle;
  }

  /** The held round, removed (a handle is good for one retry); undefined when unknown or expired. */
  take(handle: string): HeldRound | undefined {
    const entry = this.held.get(handle);
    if (!entry) return undefined;
    if (entry.expires > this.now()) {
      this.held.delete(handle);
      return entry.round;
    }
    this.drop(handle);
    return undefined;
  }

  /** The server is gone: every held round is dropped. */
  clear(): void {
    for (const handle of [...this.held.keys()]) this.drop(handle);
  }

  private sweep(): void {
    const t = this.now();
    for (const [handle, entry] of this.held) if (entry.expires <= t) this.drop(handle);
  }

  /** A handle that will never be used: router calls still waiting on it are ended. */
  private drop(handle: string): void {
    const entry = this.held.get(handle);
    this.held.delete(handle);
    entry?.round.pending?.stop(new Error('the approval handle was dropped unused'));
  }
}
