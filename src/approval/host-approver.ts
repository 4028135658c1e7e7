// The proxy's Approver for 2025-era hosts: asks the host with an `elicitation/create` in form
// mode, sent through the proxy's own request ids (2026 hosts: see input-approvals.ts). No answer within approvalTimeout is a decline, and
// the host is told to drop the question.

import type { Approver, ApprovalAnswer, ApprovalQuestion } from './approval.js';

/** Sends one request to the host and resolves with its result (rejects on a JSON-RPC error or abort). */
export type HostRequest = (method: string, params: unknown, signal?: AbortSignal) => Promise<unknown>;

export const APPROVAL_SCHEMA = {
  type: 'object',
  properties: {
    approve: { type: 'boolean', title: 'Approve', description: 'Let mcp-route call this model for the server', default: false },
    remember: { type: 'boolean', title: 'Remember', description: 'Apply this answer to every later request of this server until the session ends', default: false },
  },
  required: ['approve'],
} as const;

export function approvalMessage(q: ApprovalQuestion): string {
  const cost = q.costUsd === undefined ? 'unknown (no price for this model)' : `up to $${q.costUsd < 0.01 ? q.costUsd.toFixed(4) : q.costUsd.toFixed(2)}`;
  return [
    `mcp-route: server "${q.server}" asks for a model completion.`,
    `Model: ${q.model}`,
    `Estimated worst-case cost: ${cost}`,
    `Tools offered: ${q.tools.length ? q.tools.join(', ') : 'none'}`,
    `Prompt: ${q.prompt}`,
  ].join('\n');
}

/** The params of the `elicitation/create` that asks: the same form for both eras. */
export function approvalElicitation(q: ApprovalQuestion): { mode: 'form'; message: string; requestedSchema: typeof APPROVAL_SCHEMA } {
  return { mode: 'form', message: approvalMessage(q), requestedSchema: APPROVAL_SCHEMA };
}

export function createHostApprover(request: HostRequest): Approver {
  return async (question, { signal }) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('approval timed out')), question.timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    try {
      const result = await request('elicitation/create', approvalElicitation(question), both);
      return readApprovalAnswer(result);
    } catch (err) {
      if (timeout.signal.aborted && !signal?.aborted) return { approve: false, remember: false, response: 'timeout' };
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The host is untrusted too: anything but a well-formed accept with approve: true is a no. */
export function readApprovalAnswer(result: unknown): ApprovalAnswer {
  const r = (result ?? {}) as { action?: unknown; content?: { approve?: unknown; remember?: unknown } };
  if (r.action === 'accept') {
    return { approve: r.content?.approve === true, remember: r.content?.remember === true, response: 'accept' };
  }
  return { approve: false, remember: false, response: r.action === 'cancel' ? 'cancel' : 'decline' };
}
