// The last step of every response mapper: MCP's CreateMessageResult from converted blocks.
// One block goes out as an object (what pre-tools clients expect), several as an array.

import type { CreateMessageResult, CreateMessageResultWithTools } from '@modelcontextprotocol/sdk/types.js';

export type ResultBlock = Extract<CreateMessageResultWithTools['content'], unknown[]>[number];

export function assembleResult(blocks: ResultBlock[], reportedModel: unknown, fallbackModel: string, stopReason: string | undefined): CreateMessageResult {
  const result: CreateMessageResultWithTools = {
    role: 'assistant',
    content: blocks.length === 1 ? blocks[0]! : blocks,
    model: typeof reportedModel === 'string' && reportedModel ? reportedModel : fallbackModel,
    ...(stopReason !== undefined ? { stopReason } : {}),
  };
  // The tools-era result is a superset on the wire; the contract type is the base one.
  return result as unknown as CreateMessageResult;
}
