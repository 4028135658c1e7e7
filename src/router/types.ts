// What one sampling request produced, for the audit file and for embedders
// (`onOutcome`). Text of prompts and completions appears only when audit.content is on.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { Attempt, ErrorCode } from '../errors.js';
import type { Usage, HostSampler } from '../providers/types.js';
import type { Decision } from '../routing/types.js';
import type { TokenCounter } from '../routing/tokenizers.js';
import type { Policy } from '../policy/types.js';
import type { BudgetGate } from '../budgets/types.js';
import type { Approver, ApprovalRecord } from '../approval/approval.js';
import type { SamplingSession } from '../approval/session.js';

/** Where a sampling request came from when it arrived inside a 2026 `input_required` result. */
export interface InputRound {
  /** The host's request: tools/call, prompts/get or resources/read. */
  method: string;
  /** The tool or prompt name, or the resource URI. */
  name?: string;
  /** The host's JSON-RPC id for that request. */
  hostRequestId: string | number;
  /** 1 for the first input_required result of the call, counting across the host's retries. */
  round: number;
  /** The server's key for this entry in `inputRequests`. */
  key: string;
}

export interface SamplingOutcome {
  /** ISO time the request arrived. */
  time: string;
  server?: string;
  requestId?: string | number;
  rule: string | null;
  /** "provider/model" in the order they were to be tried. */
  candidates: string[];
  attempts: Attempt[];
  provider?: string;
  model?: string;
  /** The request's maxTokens after the policy's ceiling. */
  maxTokens?: number;
  stopReason?: string;
  usage?: Usage;
  /**
   * The prompt estimate the budgets reserved for (of the model that answered, else of the
   * first candidate), how it was made, and the prompt tokens the provider reported.
   */
  prompt?: { estimated: number; actual?: number; method: TokenCounter };
  costUsd?: number;
  /** `dry-run`: `mcp-route run --dry-run` answered with the decision and called no provider. */
  outcome: 'ok' | 'denied' | 'budget' | 'failed' | 'aborted' | 'invalid' | 'dry-run';
  /** Absent for MCP sampling; `gateway:openai` / `gateway:anthropic` for the model gateway's calls. */
  via?: 'gateway:openai' | 'gateway:anthropic';
  error?: { code: ErrorCode; message: string };
  /** Present when the settings said `approval: ask`: who answered and how. */
  approval?: ApprovalRecord;
  durationMs: number;
  /** Set when the request was an entry of a 2026 input_required result (which tool call, which round). */
  inputRound?: InputRound;
  /** Only with audit.content: true. */
  request?: CreateMessageRequestParams;
  result?: CreateMessageResult;
}

export interface RouteOptions {
  serverName?: string;
  signal?: AbortSignal;
  requestId?: string | number;
  /** Stream text deltas to the caller as providers produce them (the model gateway does). */
  onDelta?: (text: string, from: { provider: string; model: string }) => void;
  /** Which entry point the request came through, for the audit line (default: sampling). */
  via?: SamplingOutcome['via'];
  /** The server connection this request belongs to: enables `limits` and remembered approvals. */
  session?: SamplingSession;
  /** The 2026 tool call and round this request belongs to (recorded in the outcome). */
  inputRound?: InputRound;
  /**
   * Asks a human about this request instead of the router's own approver (a 2026 host is asked
   * per request, inside its input_required round); null: nobody can be asked, approvalFallback answers.
   */
  approver?: Approver | null;
  /**
   * Called once with the answer as soon as it is final, before its budget reservation is
   * settled; createMessage still resolves only after the settlement. The model gateway sends
   * its HTTP answer here, so a store's round trip is not added to every call.
   */
  onAnswer?: (result: CreateMessageResult) => void;
}

export interface RouterOptions {
  /** The host's sampling, for `client` providers. */
  hostSampler?: HostSampler;
  /** Asks a human about requests under `approval: ask`; absent: approvalFallback answers. */
  approver?: Approver;
  /** Called once per createMessage, success or failure. */
  onOutcome?: (outcome: SamplingOutcome) => void;
  /** Budget enforcement; default: built from policy.budgets and policy.state. */
  budgetGate?: BudgetGate;
  /** ms epoch clock, for tests. */
  now?: () => number;
  /** Where providers' own notices (SDK deprecation warnings) go; default: nowhere. */
  log?: { warn(message: string): void };
}

export interface Router {
  readonly policy: Policy;
  /** Validates params, decides, reserves, executes, settles. Throws McpRouteError. */
  createMessage(params: unknown, options?: RouteOptions): Promise<CreateMessageResult>;
  /**
   * The decision the router would make now, without calling anything. `hostSampling: true`
   * decides as if the host had declared sampling (`client` providers usable): a 2026 host
   * declares it per request, after the router was built.
   */
  explain(params: unknown, options?: { serverName?: string; hostSampling?: boolean }): Decision;
  close(): Promise<void>;
}
