// The facts about one sampling request that rules and filters look at, gathered in a
// single pass so that decide() never walks the messages twice.

import { PromptEstimator } from './estimate.js';
import { MAX_MATCH_NAME_LENGTH } from './glob.js';
import type { SamplingRequest } from './types.js';
import type { ContentKind } from '../policy/types.js';

export const KIND_BITS: Record<ContentKind, number> = { text: 1, image: 2, audio: 4, tool_use: 8, tool_result: 16 };

export interface RequestFacts {
  /** Bit set of KIND_BITS present anywhere in the messages (tool_result content included). */
  kinds: number;
  /** The request carries a non-empty `tools` list. */
  hasTools: boolean;
  /** Hint names in request order, empty names left out. */
  hints: string[];
  /** Lower-cased hint names, for substring matching. */
  hintsLower: string[];
  /** Hints longer than MAX_MATCH_NAME_LENGTH: left out of `hints`, since no model is called that. */
  longHints: number;
  cost?: number;
  speed?: number;
  intelligence?: number;
  /** True when any priority was given. */
  hasPriorities: boolean;
  maxTokens: number;
  /** '' when the request has none. */
  systemPrompt: string;
  metadata?: Record<string, unknown>;
  /** Prompt estimates per model tokenizer, computed when a filter first asks. */
  prompt: PromptEstimator;
}

type Block = { type?: unknown; content?: unknown };

function scanBlock(block: Block, kinds: number): number {
  const bit = KIND_BITS[block.type as ContentKind];
  if (bit !== undefined) kinds |= bit;
  if (block.type === 'tool_result' && Array.isArray(block.content)) {
    for (const inner of block.content as Block[]) kinds = scanBlock(inner, kinds);
  }
  return kinds;
}

export function requestFacts(request: SamplingRequest): RequestFacts {
  let kinds = 0;
  for (const message of request.messages ?? []) {
    const content = message.content as Block | Block[];
    if (Array.isArray(content)) for (const block of content) kinds = scanBlock(block, kinds);
    else if (content) kinds = scanBlock(content, kinds);
  }
  const prefs = request.modelPreferences;
  const hints: string[] = [];
  const hintsLower: string[] = [];
  let longHints = 0;
  for (const hint of prefs?.hints ?? []) {
    if (typeof hint?.name === 'string' && hint.name.length > MAX_MATCH_NAME_LENGTH) longHints++;
    else if (typeof hint?.name === 'string' && hint.name !== '') {
      hints.push(hint.name);
      hintsLower.push(hint.name.toLowerCase());
    }
  }
  const cost = prefs?.costPriority;
  const speed = prefs?.speedPriority;
  const intelligence = prefs?.intelligencePriority;
  return {
    kinds,
    hasTools: Array.isArray(request.tools) && request.tools.length > 0,
    hints,
    hintsLower,
    longHints,
    cost,
    speed,
    intelligence,
    hasPriorities: cost !== undefined || speed !== undefined || intelligence !== undefined,
    maxTokens: request.maxTokens,
    systemPrompt: typeof request.systemPrompt === 'string' ? request.systemPrompt : '',
    metadata: request.metadata as Record<string, unknown> | undefined,
    prompt: new PromptEstimator(request),
  };
}
