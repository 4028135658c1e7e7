// The seam between execution and the model APIs. A provider is one small object with
// one call; everything provider-specific (SDK client, format conversion, error mapping)
// stays behind it. Providers never retry: execution owns the single retry loop.

import type { CreateMessageRequestParams, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { ModelParams, ProviderConfig } from '../policy/types.js';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export interface ProviderCallOptions {
  /** Aborts on per-attempt timeout, overall deadline, or the server's cancellation. */
  signal: AbortSignal;
  /** The model name to send to the API (ModelConfig.model). */
  model: string;
  /** Catalogue id, for messages. */
  modelId: string;
  /**
   * Present when the caller streams (the model gateway): a provider that can stream calls it
   * with each text delta as it arrives, and still resolves with the whole result. Providers
   * that cannot stream ignore it; the caller then gets the text from the result.
   */
  onDelta?: (text: string) => void;
  /** The model's body overrides (drop, then set), applied after the provider's options. */
  params?: ModelParams;
}

export interface ProviderResult {
  /** `model` is what the provider reported; usage is also copied into `_meta`. */
  result: CreateMessageResult;
  /** Undefined when the provider reported no counts: budgets then bill the worst case. */
  usage: Usage | undefined;
}

export interface Provider {
  readonly name: string;
  readonly type: string;
  /** Per-attempt timeout in ms from the provider's config; execution uses the smaller of this and settings.timeout. */
  readonly timeout?: number;
  /**
   * The request arrives prepared by execution: maxTokens already clamped, tools
   * already stripped when the policy says strip. Throws ProviderError on failure.
   */
  createMessage(request: CreateMessageRequestParams, options: ProviderCallOptions): Promise<ProviderResult>;
  /**
   * The model names the endpoint serves: the cheapest authenticated call there is, used by
   * `mcp-route doctor` to prove the key and the address work. Throws ProviderError.
   */
  listModels?(options: { signal: AbortSignal }): Promise<string[]>;
  close?(): Promise<void>;
}

/**
 * The host's own sampling, for the `client` provider type. The proxy (or an embedding
 * host) supplies it; absent, `client` providers are unusable.
 */
export type HostSampler = (request: CreateMessageRequestParams, options: { signal: AbortSignal }) => Promise<CreateMessageResult>;

export interface ProviderEnvironment {
  /** Present when the host declared sampling and can answer forwarded requests. */
  hostSampler?: HostSampler;
  /** mcp-route's logger, for what an SDK would otherwise print on its own (deprecation notices). */
  log?: { warn(message: string): void };
}

export type ProviderFactory = (config: ProviderConfig, env: ProviderEnvironment) => Provider;
