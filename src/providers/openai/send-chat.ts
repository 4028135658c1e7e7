// Sends Chat Completions requests as the `openai` SDK sends them, without its per-call work.
// The SDK builds the request once per client (URL and headers: key, organization, the
// policy's headers, its user agent and platform headers); each call then only serialises its
// body and goes out over httpSend (no web Response per call). An error status, a failed connection or an abort become
// the SDK's own error classes, made as the SDK makes them, so toProviderError reads them
// unchanged. Why: in the model gateway the SDK's request building, logging and response
// parsing were about a sixth of the instructions of a call, and much of the time between a
// streamed answer's first byte and its first token (README, "Speed"). The SDK's own timeout backstop
// is not needed here: execution bounds every attempt with its timeout and deadline.

import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type OpenAI from 'openai';
import { httpSend, webHeaders, type HttpAnswer } from '../http-fetch.js';

const PATH = '/chat/completions';

/** What every call to one client sends alike. */
interface Prepared {
  url: string;
  headers: Record<string, string>;
}

export class ChatCompletionsSender {
  private prepared: Promise<Prepared> | undefined;

  constructor(private readonly client: OpenAI) {}

  /** POSTs `body`; resolves with the response when its status is 2xx, rejects as the SDK would otherwise. */
  async send(body: object, signal: AbortSignal): Promise<HttpAnswer> {
    const { url, headers } = await this.prepare();
    if (signal.aborted) throw new APIUserAbortError();
    let response: HttpAnswer;
    try {
      response = await httpSend(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
    } catch (err) {
      throw connectionError(err, signal);
    }
    if (!response.ok) throw await statusError(response);
    return response;
  }

  /** A non-streamed answer's body, read as the SDK reads it (JSON when it says so, else text). */
  static async parse(response: HttpAnswer): Promise<unknown> {
    if (response.status === 204) return null;
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim();
    if (mediaType?.includes('application/json') || mediaType?.endsWith('+json')) {
      if (response.headers.get('content-length') === '0') return undefined;
      return response.json();
    }
    return response.text();
  }

  private prepare(): Promise<Prepared> {
    this.prepared ??= this.client.buildRequest({ method: 'post', path: PATH, body: {} }).then(({ url, req }) => {
      const headers: Record<string, string> = {};
      new Headers(req.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => {
        if (name !== 'content-length') headers[name] = value;
      });
      return { url, headers };
    });
    // A failure (a missing key...) is not kept: the next call asks the SDK again.
    this.prepared.catch(() => (this.prepared = undefined));
    return this.prepared;
  }
}

/** As the SDK's makeRequest: the caller's abort, a timeout, or any other failure to connect. */
function connectionError(err: unknown, signal: AbortSignal): APIError {
  if (signal.aborted) return new APIUserAbortError();
  const cause = err instanceof Error ? err : new Error(String(err));
  const text = String(cause) + ('cause' in cause ? String(cause.cause) : '');
  if (cause.name === 'AbortError' || /timed? ?out/i.test(text)) return new APIConnectionTimeoutError();
  return new APIConnectionError({ cause });
}

/** As the SDK's makeStatusError: the body as JSON when it parses, else as the message. */
async function statusError(response: HttpAnswer): Promise<APIError> {
  const text = await response.text().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  let json: object | undefined;
  try {
    json = JSON.parse(text) as object;
  } catch {
    json = undefined;
  }
  return APIError.generate(response.status, json, json ? undefined : text, webHeaders(response));
}
