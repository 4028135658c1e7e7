// Human approval of a sampling request, between the routing decision and the first provider
// call (so a refusal spends no budget). The router asks an `Approver` the embedder supplies
// (the proxy's asks the host through elicitation); with none, `approvalFallback` answers.

import type { CreateMessageRequestParams } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { RouteDecision } from '../routing/types.js';
import { worstCase } from '../routing/cost.js';
import { formatDuration } from '../routing/explain-format.js';
import type { SamplingSession } from './session.js';

/** What a human is shown. */
export interface ApprovalQuestion {
  server: string;
  /** "provider/model" of the first candidate. */
  model: string;
  /** Worst case over the candidates: prompt estimate plus maxTokens at each model's price; undefined when no model has a price. */
  costUsd?: number;
  /** The start of the prompt's text (the last user message first seen). */
  prompt: string;
  /** Names of the tools the request offers the model. */
  tools: string[];
  /** ms the human has. */
  timeoutMs: number;
}

export interface ApprovalAnswer {
  approve: boolean;
  /** Apply this answer to later requests of the same server for the rest of the session. */
  remember: boolean;
  /** How the host answered: accept (with approve true or false), decline, cancel, or nothing in time. */
  response: 'accept' | 'decline' | 'cancel' | 'timeout';
  /** With a timeout: how long the human had, when less than approvalTimeout (a 2026 handle expired first). */
  waitedMs?: number;
}

/** Asks a human. Resolves with an answer; rejects only on a transport failure (treated as a decline). */
export type Approver = (question: ApprovalQuestion, options: { signal?: AbortSignal }) => Promise<ApprovalAnswer>;

/** The audit line's record of it. */
export interface ApprovalRecord {
  /** Whether a human was asked for this request. */
  asked: boolean;
  result: 'approved' | 'declined';
  /** host: answered now; remembered: an earlier answer for this server; fallback: nobody could be asked. */
  by: 'host' | 'remembered' | 'fallback';
  response?: ApprovalAnswer['response'];
  /** The human asked to remember this answer. */
  remember?: boolean;
}

const PROMPT_CHARS = 300;

export function approvalQuestion(policy: Policy, request: CreateMessageRequestParams, decision: RouteDecision, server: string): ApprovalQuestion {
  const first = decision.candidates[0];
  let worst: number | undefined;
  for (const c of decision.candidates) {
    const model = policy.models[c.model];
    if (!model?.cost) continue;
    // The same worst case the budget reservation takes for this candidate.
    const { usd } = worstCase(model, c);
    worst = worst === undefined ? usd : Math.max(worst, usd);
  }
  return {
    server,
    model: `${first.provider}/${first.model}`,
    ...(worst !== undefined ? { costUsd: worst } : {}),
    prompt: promptStart(request),
    tools: (request.tools ?? []).map((t) => t.name),
    timeoutMs: decision.settings.approvalTimeout,
  };
}

/** The first text of the conversation, cut to a readable length. */
function promptStart(request: CreateMessageRequestParams): string {
  for (const message of request.messages) {
    for (const block of [message.content].flat() as Array<{ type?: string; text?: unknown }>) {
      if (block?.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
        const text = block.text.trim().replace(/\s+/g, ' ');
        return text.length > PROMPT_CHARS ? `${text.slice(0, PROMPT_CHARS)}…` : text;
      }
    }
  }
  return '(no text)';
}

/**
 * Settles approval for one request: a remembered answer, the approver, or the fallback. Throws
 * APPROVAL_DECLINED (wire -1) on a refusal; returns the record for the audit line either way via `record`.
 */
export async function settleApproval(o: {
  policy: Policy;
  request: CreateMessageRequestParams;
  decision: RouteDecision;
  server: string;
  approver?: Approver;
  session?: SamplingSession;
  signal?: AbortSignal;
  record: (r: ApprovalRecord) => void;
}): Promise<void> {
  const refuse = (why: string): never => {
    throw new McpRouteError('APPROVAL_DECLINED', `mcp-route: sampling request of server "${o.server}" was not approved (${why})`, {
      ...(o.decision.rule ? { rule: o.decision.rule } : {}),
    });
  };
  const remembered = o.session?.rememberedFor(o.server);
  if (remembered !== undefined) {
    o.record({ asked: false, result: remembered ? 'approved' : 'declined', by: 'remembered' });
    if (!remembered) refuse('declined earlier for this session');
    return;
  }
  if (!o.approver) {
    const allow = o.decision.settings.approvalFallback === 'allow';
    o.record({ asked: false, result: allow ? 'approved' : 'declined', by: 'fallback' });
    if (!allow) refuse('nobody can be asked: the host declared no elicitation, and approvalFallback is deny');
    return;
  }
  let answer: ApprovalAnswer;
  try {
    answer = await o.approver(approvalQuestion(o.policy, o.request, o.decision, o.server), { ...(o.signal ? { signal: o.signal } : {}) });
  } catch (err) {
    if (o.signal?.aborted) throw new McpRouteError('ABORTED', 'mcp-route: request cancelled while waiting for approval');
    o.record({ asked: true, result: 'declined', by: 'host', response: 'cancel' });
    return refuse(`asking the host failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  o.record({ asked: true, result: answer.approve ? 'approved' : 'declined', by: 'host', response: answer.response, ...(answer.remember ? { remember: true } : {}) });
  // Only a deliberate answer is remembered; a timeout or a cancel says nothing about later requests.
  if (answer.remember && answer.response === 'accept') o.session?.remember(o.server, answer.approve);
  if (!answer.approve) {
    refuse(
      answer.response === 'timeout'
        ? `no answer within ${formatDuration(answer.waitedMs ?? o.decision.settings.approvalTimeout)} counts as a decline`
        : answer.response === 'accept'
          ? 'declined'
          : `the host answered ${answer.response}`,
    );
  }
}
