// The MCP SDK writes its own warnings with console.warn, straight to stderr: for instance
// `[mcp-sdk] OAuth "invalid_grant" — invalidating the stored tokens ... Cause: "..."`, whose
// Cause is the authorization server's text (which may echo the token it refused). That
// bypasses mcp-route's redactor and log format. While mcp-route drives the SDK's HTTP client
// (`run --url`) or its auth (`mcp-route auth`), these lines go to a function of the caller's
// (the logger, after scrubbing) instead; every other console.warn is left alone.

import { format } from 'node:util';

const SDK_PREFIX = '[mcp-sdk]';

/** Routes the SDK's `[mcp-sdk] ...` warnings to `warn`; returns the function that puts console.warn back. */
export function routeSdkWarnings(warn: (line: string) => void): () => void {
  const original = console.warn;
  const routed = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && args[0].startsWith(SDK_PREFIX)) warn(format(...args));
    else original.apply(console, args);
  };
  console.warn = routed;
  return () => {
    // Put back only our own: something installed later keeps its place.
    if (console.warn === routed) console.warn = original;
  };
}
