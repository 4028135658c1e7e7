// Approval for a 2026-07-28 host, which receives no requests mcp-route could push: the question
// travels as an elicitation entry of the `input_required` result the host gets (see
// proxy/input-required.ts), under a key of mcp-route's own, and the answer comes back with the
// host's retry of its request. One ApprovalRound per input round: the router's calls for the
// round's sampling entries ask through its approver and wait there; once every entry has
// either finished or is waiting for a human, the round's questions go to the host.

import type { ApprovalAnswer, ApprovalQuestion, Approver } from './approval.js';
import { approvalElicitation, readApprovalAnswer } from './host-approver.js';

interface Ask {
  key: string;
  question: ApprovalQuestion;
  settle(answer: ApprovalAnswer): void;
  timer?: NodeJS.Timeout;
}

const NO_ANSWER: ApprovalAnswer = { approve: false, remember: false, response: 'timeout' };
/** A question the host's retry left out was not answered: the same as a cancel, never a yes. */
const LEFT_OUT: ApprovalAnswer = { approve: false, remember: false, response: 'cancel' };

export class ApprovalRound {
  private readonly asks: Ask[] = [];
  private finished = 0;
  private wake!: () => void;
  /** Resolves when every entry of the round has finished or waits for a human. */
  readonly quiet = new Promise<void>((resolve) => (this.wake = resolve));

  /**
   * `entries`: how many router calls share the round. `newKey`: a key for the next question, one
   * that collides with none of the server's keys in this round.
   */
  constructor(
    private readonly entries: number,
    private readonly newKey: () => string,
  ) {}

  /** Given to each of the round's router calls: the question waits for the host's retry. */
  readonly approver: Approver = (question, { signal }) =>
    new Promise<ApprovalAnswer>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(ask.timer);
        reject(signal!.reason);
      };
      const ask: Ask = {
        key: this.newKey(),
        question,
        settle: (answer) => {
          clearTimeout(ask.timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.asks.push(ask);
      this.check();
    });

  /** One of the round's router calls is over (answered, refused or failed). */
  entryFinished(): void {
    this.finished++;
    this.check();
  }

  /** How many questions wait for the host. */
  get asking(): number {
    return this.asks.length;
  }

  get keys(): string[] {
    return this.asks.map((a) => a.key);
  }

  /**
   * The questions as `input_required` entries for the host. Each one's clock starts now, when the
   * host is asked: no answer within approvalTimeout (or before the handle expires, `maxWaitMs`)
   * is a decline.
   */
  deliver(maxWaitMs: number): Record<string, { method: 'elicitation/create'; params: ReturnType<typeof approvalElicitation> }> {
    const entries: Record<string, { method: 'elicitation/create'; params: ReturnType<typeof approvalElicitation> }> = {};
    for (const ask of this.asks) {
      entries[ask.key] = { method: 'elicitation/create', params: approvalElicitation(ask.question) };
      const waitMs = Math.min(ask.question.timeoutMs, maxWaitMs);
      ask.timer = setTimeout(() => ask.settle(waitMs < ask.question.timeoutMs ? { ...NO_ANSWER, waitedMs: waitMs } : NO_ANSWER), waitMs);
      ask.timer.unref?.();
    }
    return entries;
  }

  /** The host's retry: each question's answer from its `inputResponses`, read as untrusted input. */
  answer(responses: Record<string, unknown>): void {
    for (const ask of this.asks) ask.settle(Object.hasOwn(responses, ask.key) ? readApprovalAnswer(responses[ask.key]) : LEFT_OUT);
  }

  private check(): void {
    if (this.finished + this.asks.length >= this.entries) this.wake();
  }
}
