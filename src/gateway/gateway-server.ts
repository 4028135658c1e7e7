// The model gateway: an OpenAI- and Anthropic-compatible HTTP endpoint on loopback for
// servers that call models directly. Each call goes through the same Router as sampling
// (rules, budgets, retries, fallback, audit), and the answer comes back in the caller's API
// shape whichever provider served it. Only callers holding the per-run token get in.

import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { McpRouteError, type Attempt } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { Router } from '../router/types.js';
import { anthropicErrorBody, MessageEvents, parseMessagesRequest, toMessage } from './anthropic-api.js';
import { ChatCompletionChunks, openAIErrorBody, parseChatCompletionRequest, toChatCompletion } from './openai-api.js';
import { GatewayInputError, type GatewayRequest } from './shared.js';
import type { GatewayHandler } from './gateway-port.js';
import type { GatewayOptions } from './gateway.js';

/** Request bodies above this are refused with 413: room for a few large base64 images. */
export const MAX_GATEWAY_BODY_BYTES = 32 * 1024 * 1024;
/** maxTokens for an OpenAI request that names none (Anthropic requires max_tokens). */
const DEFAULT_MAX_TOKENS = 4096;

type Api = 'openai' | 'anthropic';

/** Every request to the gateway; an error the handlers did not answer is a 500 in the caller's API shape. */
export function gatewayHandler(given: GatewayOptions, token: string): GatewayHandler {
  const tokenBytes = Buffer.from(token);
  const options: GatewayOptions = { ...given, getRouter: heldOnceBuilt(given.getRouter) };
  return (req, res) => {
    handle(req, res, options, tokenBytes).catch((err: unknown) => {
      options.log.error(`gateway: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendError(res, apiOf(req), 500, 'mcp-route: internal error');
      else res.destroy();
    });
  };
}

/**
 * The router `get` gives, asked for once: it runs each request on the policy current when the
 * request starts (GatewayOptions.getRouter), so one serves the whole run, and a request does
 * not build a new one (`run`'s is an object with a getter that V8 turned into a dictionary
 * each time). A failure to build it is not kept: the next request asks again.
 */
function heldOnceBuilt(get: () => Promise<Router>): () => Promise<Router> {
  let built: Promise<Router> | undefined;
  return () =>
    (built ??= get().catch((err: unknown) => {
      built = undefined;
      throw err;
    }));
}

function apiOf(req: IncomingMessage): Api {
  return req.url?.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
}

async function handle(req: IncomingMessage, res: ServerResponse, o: GatewayOptions, token: Buffer): Promise<void> {
  const api = apiOf(req);
  if (!isLoopback(req.socket.remoteAddress)) return sendError(res, api, 403, 'mcp-route: the gateway accepts loopback connections only');
  if (!authorised(req, token))
    return sendError(res, api, 401, 'mcp-route: missing or wrong API key for the mcp-route gateway (use the OPENAI_API_KEY / ANTHROPIC_API_KEY mcp-route gave this process)');
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, listModels(o.policy(), api));
  const target: Api | undefined = path === '/v1/chat/completions' ? 'openai' : path === '/v1/messages' ? 'anthropic' : undefined;
  if (!target || req.method !== 'POST') return sendError(res, api, 404, `mcp-route: no such endpoint: ${req.method} ${path}`);
  if (!o.apis[target]) return sendError(res, target, 404, `mcp-route: the ${target} endpoint is off in this policy (gateway.${target}: false)`);

  const body = await readBody(req);
  if (body === 'too-large') return sendError(res, target, 413, `mcp-route: request body over ${MAX_GATEWAY_BODY_BYTES} bytes`);
  let request: GatewayRequest;
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    request = target === 'openai' ? parseChatCompletionRequest(json, DEFAULT_MAX_TOKENS) : parseMessagesRequest(json);
  } catch (err) {
    const message = err instanceof GatewayInputError ? err.message : 'the request body is not valid JSON';
    return sendError(res, target, 400, `mcp-route: ${message}`);
  }
  await answer(res, target, request, o);
}

async function answer(res: ServerResponse, api: Api, request: GatewayRequest, o: GatewayOptions): Promise<void> {
  const abort = new AbortController();
  // The caller hung up: stop the provider calls and free their reservations.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const id = api === 'openai' ? `chatcmpl-${randomUUID()}` : `msg_${randomUUID().replace(/-/g, '')}`;
  const stream = request.stream ? openStream(res, api, id, request.includeUsage) : undefined;
  const router = await o.getRouter();
  let sent = false;
  // The answer goes out as soon as the router has it: settling its budget reservation (a store
  // round trip) happens after, while createMessage is still pending.
  const send = (result: CreateMessageResult) => {
    if (sent) return;
    sent = true;
    if (stream) stream.finish(result);
    else sendJson(res, 200, api === 'openai' ? toChatCompletion(result, id, nowSeconds()) : toMessage(result, id));
  };
  try {
    const result = await router.createMessage(request.params, {
      serverName: o.serverName(),
      signal: abort.signal,
      via: api === 'openai' ? 'gateway:openai' : 'gateway:anthropic',
      ...(stream ? { onDelta: stream.delta } : {}),
      onAnswer: send,
    });
    send(result);
  } catch (err) {
    if (sent) return;
    if (abort.signal.aborted) return;
    const { status, message, headers } = describeFailure(err);
    o.log.warn(`gateway ${api}: ${status} ${message}`);
    if (stream?.started()) return stream.fail(status, message);
    sendError(res, api, status, message, headers);
  }
}

interface OpenStream {
  delta: (text: string, from: { provider: string; model: string }) => void;
  finish: (result: CreateMessageResult) => void;
  fail: (status: number, message: string) => void;
  started: () => boolean;
}

/** One API shape's server-sent events, as text ready to write. */
interface StreamEncoder {
  delta(text: string, model: string): string;
  finish(result: CreateMessageResult, streamedText: boolean): string;
  error(status: number, message: string): string;
}

function openAIEncoder(id: string, includeUsage: boolean): StreamEncoder {
  const chunks = new ChatCompletionChunks(id, nowSeconds(), includeUsage);
  const data = (payloads: string[]) => {
    // A loop, not map().join(): one string built per delta, on the first token's path.
    let out = '';
    for (const p of payloads) out += `data: ${p}\n\n`;
    return out;
  };
  return {
    delta: (text, model) => data(chunks.delta(text, model)),
    finish: (result, streamedText) => data(chunks.finish(result, streamedText)),
    error: (status, message) => data([JSON.stringify(openAIErrorBody(status, message))]),
  };
}

function anthropicEncoder(id: string): StreamEncoder {
  const events = new MessageEvents(id);
  const sse = (list: Array<{ event: string; data: Record<string, unknown> }>) => list.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('');
  return {
    delta: (text, model) => sse(events.delta(text, model)),
    finish: (result, streamedText) => sse(events.finish(result, streamedText)),
    error: (status, message) => sse([{ event: 'error', data: anthropicErrorBody(status, message) }]),
  };
}

// Headers wait for the first delta, so a request refused before any token still gets its
// HTTP status; after that, a failure can only travel as an error event.
function openStream(res: ServerResponse, api: Api, id: string, includeUsage: boolean): OpenStream {
  const encoder = api === 'openai' ? openAIEncoder(id, includeUsage) : anthropicEncoder(id);
  let started = false;
  let streamedText = false;
  const begin = () => {
    if (started) return;
    started = true;
    // No flushHeaders(): the headers leave with the first event, in one write.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  };
  return {
    started: () => started,
    delta(text, from) {
      begin();
      streamedText = true;
      res.write(encoder.delta(text, from.model));
    },
    finish(result) {
      begin();
      res.end(encoder.finish(result, streamedText));
    },
    fail(status, message) {
      res.end(encoder.error(status, message));
    },
  };
}

/** HTTP status for a router failure, per DESIGN's gateway contract. */
function describeFailure(err: unknown): { status: number; message: string; headers: Record<string, string> } {
  if (!(err instanceof McpRouteError)) return { status: 500, message: 'mcp-route: internal error', headers: {} };
  const headers: Record<string, string> = {};
  let status: number;
  switch (err.code) {
    case 'INVALID_PARAMS':
      status = 400;
      break;
    case 'DENIED_BY_RULE':
    case 'TOOLS_DENIED':
    case 'NO_CANDIDATES':
    case 'APPROVAL_DECLINED':
    case 'LIMIT_REACHED':
      status = 403;
      break;
    case 'BUDGET_EXCEEDED': {
      status = 429;
      const resetsAt = typeof err.data['resetsAt'] === 'string' ? Date.parse(err.data['resetsAt']) : NaN;
      headers['retry-after'] = String(Number.isFinite(resetsAt) ? Math.max(1, Math.ceil((resetsAt - Date.now()) / 1000)) : 60);
      break;
    }
    case 'DEADLINE_EXCEEDED':
      status = 504;
      break;
    case 'STORE_ERROR':
      status = 503;
      break;
    default:
      status = 502;
  }
  const attempts = (err.data['attempts'] as Attempt[] | undefined) ?? [];
  const tried =
    status === 502 && attempts.length && !err.message.includes(attempts[0]!.provider)
      ? ` (attempts: ${attempts.map((a) => `${a.provider}/${a.model} ${a.status ?? a.error ?? ''}`.trim()).join(', ')})`
      : '';
  return { status, message: `${err.message}${tried}`, headers };
}

function sendError(res: ServerResponse, api: Api, status: number, message: string, headers: Record<string, string> = {}): void {
  // mcp-route has already applied the policy's retries and fallback: the caller's SDK must not
  // multiply them (both official SDKs honour x-should-retry). A budget refusal still says
  // when it frees, in retry-after, for callers that schedule their own retry.
  sendJson(res, status, api === 'openai' ? openAIErrorBody(status, message) : anthropicErrorBody(status, message), { 'x-should-retry': 'false', ...headers });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function listModels(policy: Policy, api: Api): Record<string, unknown> {
  // The gateway's router has no host sampling, so `client` providers cannot serve it.
  const ids = Object.values(policy.models)
    .filter((m) => {
      const p = policy.providers[m.provider];
      return p?.usable && p.type !== 'client';
    })
    .map((m) => ({ id: m.id, provider: m.provider }));
  if (api === 'anthropic') {
    const data = ids.map((m) => ({ type: 'model', id: m.id, display_name: m.id, created_at: '1970-01-01T00:00:00Z' }));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
  }
  return { object: 'list', data: ids.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.provider })) };
}

function authorised(req: IncomingMessage, token: Buffer): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  const apiKey = req.headers['x-api-key'];
  return (bearer !== undefined && sameSecret(bearer, token)) || (typeof apiKey === 'string' && sameSecret(apiKey, token));
}

function sameSecret(given: string, token: Buffer): boolean {
  const a = Buffer.from(given);
  return a.length === token.length && timingSafeEqual(a, token);
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_GATEWAY_BODY_BYTES) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
