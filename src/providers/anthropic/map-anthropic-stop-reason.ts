// Anthropic stop_reason -> MCP stopReason. The four reasons with an MCP meaning are
// renamed; anything else (refusal, pause_turn, model_context_window_exceeded, new ones)
// is kept verbatim rather than passed off as endTurn.

export function mapAnthropicStopReason(reason: string | null | undefined): string | undefined {
  switch (reason) {
    case 'end_turn':
      return 'endTurn';
    case 'stop_sequence':
      return 'stopSequence';
    case 'max_tokens':
      return 'maxTokens';
    case 'tool_use':
      return 'toolUse';
    case null:
    case undefined:
      return undefined;
    default:
      return reason;
  }
}
