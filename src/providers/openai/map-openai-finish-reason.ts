// OpenAI finish_reason -> MCP stopReason. Only the four reasons with an MCP meaning are
// renamed; anything else (content_filter, function_call, new ones) is kept verbatim so a
// server never mistakes a filtered answer for a finished one.

export function mapOpenAIFinishReason(reason: string | null | undefined): string | undefined {
  switch (reason) {
    case 'stop':
      return 'endTurn';
    case 'length':
      return 'maxTokens';
    case 'tool_calls':
      return 'toolUse';
    case null:
    case undefined:
      return undefined;
    default:
      return reason;
  }
}
