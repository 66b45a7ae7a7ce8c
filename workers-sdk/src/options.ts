// Options are validated and completed once, when a client or worker is constructed, into frozen
// objects with every duration in milliseconds; nothing downstream re-checks or re-defaults them.
import { hostname } from 'node:os';
import { ConfigError } from './errors';
import type { PayloadCodec } from './codec/payload-codec';
import type { Logger } from './logger';
import { silentLogger } from './logger';

/** Retry of transient HTTP failures (network errors, 429, 5xx). Exponential with jitter. */
export interface RetryOptions {
  /** Retries after the first try. Default 5 (six tries in all). */
  retries?: number;
  /** Wait before the first retry; doubles each time. Default 250 ms. */
  minTimeoutMs?: number;
  /** Cap on one wait. Default 8000 ms. */
  maxTimeoutMs?: number;
  /** No retry starts after this long since the first try. Default 30000 ms. */
  maxRetryTimeMs?: number;
}

export interface CompiledRetryPolicy {
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly maxRetryTimeMs: number;
}

export interface TransportOptions {
  /** Base URL of the Baton (or Conductor) server, e.g. http://127.0.0.1:8080 */
  serverUrl: string;
  logger?: Logger;
  /** Time limit of one HTTP request (a long poll gets its wait on top). Default 10000 ms. */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  /** Sent with every request, e.g. an Authorization header. */
  headers?: Record<string, string>;
  /**
   * Encodes payloads of workflows whose definition has `payloadCodec` (workflow input, task
   * outputs, signals; events always) and decodes every encoded value the server hands back
   * (docs/payloads.md, "Codecs"). The engine never sees the keys.
   */
  codec?: PayloadCodec;
}

export interface CompiledTransportOptions {
  readonly serverUrl: string;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
  readonly retry: CompiledRetryPolicy;
  readonly headers: Readonly<Record<string, string>>;
  readonly codec: PayloadCodec | undefined;
}

export type BatonClientOptions = TransportOptions;

export interface BatonWorkerOptions extends TransportOptions {
  /** Identifies this process in the server's records. Default `<hostname>-<pid>`. */
  workerId?: string;
  /** How long the server may hold a poll open waiting for work. Default 1000 ms. */
  pollTimeoutMs?: number;
  /** Pause after a failed poll: starts at initialMs (default 1000), doubles up to maxMs (default 10000). */
  pollErrorBackoff?: { initialMs?: number; maxMs?: number };
  /**
   * Report a result and take the next task of its type in one call (`update-v2`). Default true;
   * false reports and polls separately (batch polls: fewer, larger claims when queues are deep).
   */
  reportAndPoll?: boolean;
}

export interface CompiledWorkerOptions extends CompiledTransportOptions {
  readonly workerId: string;
  readonly pollTimeoutMs: number;
  readonly pollErrorBackoff: { readonly initialMs: number; readonly maxMs: number };
  readonly reportAndPoll: boolean;
}

export function compileTransportOptions(options: TransportOptions): CompiledTransportOptions {
  const retry = options.retry ?? {};
  const compiled: CompiledTransportOptions = {
    serverUrl: compileServerUrl(options.serverUrl),
    logger: options.logger ?? silentLogger,
    requestTimeoutMs: positiveInteger('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    retry: Object.freeze({
      retries: nonNegativeInteger('retry.retries', retry.retries, 5),
      minTimeoutMs: nonNegativeInteger('retry.minTimeoutMs', retry.minTimeoutMs, 250),
      maxTimeoutMs: nonNegativeInteger('retry.maxTimeoutMs', retry.maxTimeoutMs, 8_000),
      maxRetryTimeMs: positiveInteger('retry.maxRetryTimeMs', retry.maxRetryTimeMs, 30_000),
    }),
    headers: Object.freeze({ ...(options.headers ?? {}) }),
    codec: compileCodec(options.codec),
  };
  if (compiled.retry.maxTimeoutMs < compiled.retry.minTimeoutMs) {
    throw new ConfigError('retry.maxTimeoutMs must not be smaller than retry.minTimeoutMs');
  }
  return Object.freeze(compiled);
}

export function compileWorkerOptions(options: BatonWorkerOptions): CompiledWorkerOptions {
  const backoff = options.pollErrorBackoff ?? {};
  const workerId = options.workerId ?? `${hostname()}-${process.pid}`;
  if (workerId.trim() === '') throw new ConfigError('workerId must not be empty');
  const compiled: CompiledWorkerOptions = {
    ...compileTransportOptions(options),
    workerId,
    pollTimeoutMs: nonNegativeInteger('pollTimeoutMs', options.pollTimeoutMs, 1_000),
    pollErrorBackoff: Object.freeze({
      initialMs: positiveInteger('pollErrorBackoff.initialMs', backoff.initialMs, 1_000),
      maxMs: positiveInteger('pollErrorBackoff.maxMs', backoff.maxMs, 10_000),
    }),
    reportAndPoll: options.reportAndPoll ?? true,
  };
  if (compiled.pollErrorBackoff.maxMs < compiled.pollErrorBackoff.initialMs) {
    throw new ConfigError('pollErrorBackoff.maxMs must not be smaller than pollErrorBackoff.initialMs');
  }
  return Object.freeze(compiled);
}

function compileCodec(codec: PayloadCodec | undefined): PayloadCodec | undefined {
  if (codec === undefined) return undefined;
  if (typeof codec.encode !== 'function' || typeof codec.decode !== 'function' || typeof codec.name !== 'string' || codec.name === '') {
    throw new ConfigError('codec must have a name and encode and decode functions');
  }
  return codec;
}

function compileServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new ConfigError(`serverUrl is not a URL: ${JSON.stringify(raw)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`serverUrl must be http(s), got ${url.protocol}`);
  }
  // Paths are appended as `/api/...`, so a trailing slash would double up.
  return url.href.replace(/\/+$/, '');
}

export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 1) {
    throw new ConfigError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return resolved;
}

export function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 0) {
    throw new ConfigError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return resolved;
}
