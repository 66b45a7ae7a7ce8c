import pRetry from 'p-retry';
import { HttpError, InvalidResponseError, NetworkError, RequestAbortedError, RequestTimeoutError } from '../errors';
import type { Logger } from '../logger';
import type { CompiledTransportOptions } from '../options';
import type { ProblemDetails, ProblemFieldError } from '../protocol/types';
import { exchange } from './node-request';
import { isRetryable, RetryMode } from './retry-policy';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the server URL, with its dynamic segments already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Serialised as JSON when present. */
  readonly body?: unknown;
  readonly retry: RetryMode;
  readonly signal?: AbortSignal;
  /** Time limit of each try; defaults to the transport's requestTimeoutMs. */
  readonly timeoutMs?: number;
  /** Overrides the policy's maxRetryTimeMs, for requests that are useless after a deadline. */
  readonly retryBudgetMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** HTTP (node:http, keep-alive) plus the SDK's error model and retry policy; the one place that speaks HTTP. */
export class HttpTransport {
  constructor(private readonly options: CompiledTransportOptions) {}

  get logger(): Logger {
    return this.options.logger;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    if (request.retry === RetryMode.NEVER) return this.sendOnce(request);
    const policy = this.options.retry;
    const retried = pRetry(
      async () => {
        if (isAborted(request.signal)) throw new pRetry.AbortError(aborted(request));
        try {
          return await this.sendOnce(request);
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          // p-retry rethrows the wrapped error as is; anything else is retried.
          if (!isRetryable(failure, request.retry)) throw new pRetry.AbortError(failure);
          throw failure;
        }
      },
      {
        retries: policy.retries,
        factor: 2,
        minTimeout: policy.minTimeoutMs,
        maxTimeout: policy.maxTimeoutMs,
        maxRetryTime: request.retryBudgetMs ?? policy.maxRetryTimeMs,
        randomize: true,
        onFailedAttempt: (error) => {
          if (error.retriesLeft > 0) {
            this.logger.warn(
              { err: error, attempt: error.attemptNumber, retriesLeft: error.retriesLeft },
              `${request.method} ${request.path} failed, retrying`,
            );
          }
        },
      },
    );
    if (request.signal === undefined) return retried;
    // p-retry 4 cannot cancel its wait between tries; stop waiting for it here, and let the next
    // try see the aborted signal and end the loop.
    return raceAbort(retried, request.signal, () => aborted(request));
  }

  private async sendOnce(request: HttpRequest): Promise<HttpResponse> {
    const url = this.url(request);
    const label = `${request.method} ${request.path}`;
    if (isAborted(request.signal)) throw aborted(request);

    const timeoutMs = request.timeoutMs ?? this.options.requestTimeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const forwardAbort = (): void => controller.abort();
    request.signal?.addEventListener('abort', forwardAbort, { once: true });

    try {
      let status: number;
      let contentType: string;
      let text: string;
      try {
        const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.5', ...this.options.headers };
        if (request.body !== undefined) headers['content-type'] = 'application/json';
        const response = await exchange(
          new URL(url),
          { method: request.method, headers, ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }) },
          controller.signal,
        );
        request.signal?.removeEventListener('abort', forwardAbort);
        status = response.status;
        contentType = response.contentType;
        text = response.text;
      } catch (error) {
        if (timedOut) throw new RequestTimeoutError(request.method, request.path, timeoutMs);
        // Checked again: the signal may have aborted while the request was in flight.
        if (isAborted(request.signal)) throw aborted(request, error);
        throw toNetworkError(label, error);
      }
      if (status < 200 || status > 299) {
        throw new HttpError(request.method, request.path, status, parseProblem(text), text);
      }
      return { status, contentType, text };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', forwardAbort);
    }
  }

  private url(request: HttpRequest): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue;
      if (typeof value === 'object') for (const item of value) params.append(key, item);
      else params.append(key, String(value));
    }
    const query = params.toString();
    return `${this.options.serverUrl}${request.path}${query === '' ? '' : `?${query}`}`;
  }
}

/** Parses a JSON body, or fails with InvalidResponseError naming what was expected. */
export function parseJsonBody(response: HttpResponse, what: string): unknown {
  try {
    return JSON.parse(response.text) as unknown;
  } catch (cause) {
    throw new InvalidResponseError(`${what}: the body is not JSON: ${response.text.slice(0, 200)}`, { cause });
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function aborted(request: HttpRequest, cause?: unknown): RequestAbortedError {
  return new RequestAbortedError(`${request.method} ${request.path} was aborted`, { cause });
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    if (signal.aborted) {
      onAbort();
    } else {
      signal.addEventListener('abort', onAbort, { once: true });
    }
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

// Error codes (Node and undici) raised before the request reached the server.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function toNetworkError(label: string, error: unknown): NetworkError {
  const codes = errorCodes(error);
  const notSent = codes.length > 0 && codes.every((code) => NOT_SENT_CODES.has(code));
  const detail = codes.length > 0 ? codes.join(', ') : causeMessages(error).join(': ');
  return new NetworkError(`${label} failed: ${detail}`, !notSent, { cause: error });
}

/** Collects `code`s along the cause chain (fetch wraps socket errors in a TypeError). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const codes: string[] = [];
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string') codes.push(record.code);
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) codes.push(...errorCodes(inner, depth + 1));
  }
  codes.push(...errorCodes(record.cause, depth + 1));
  return [...new Set(codes)];
}

/** fetch's own message is only "fetch failed"; the reason is further down the cause chain. */
function causeMessages(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 5) return depth === 0 ? [String(error)] : [];
  return [error.message, ...causeMessages(error.cause, depth + 1)];
}

function parseProblem(text: string): ProblemDetails | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const raw = parsed as Record<string, unknown>;
  const problem: ProblemDetails = { ...raw };
  // Keep only well-typed standard members, so callers can trust the declared types.
  for (const key of ['type', 'title', 'detail', 'instance'] as const) {
    if (typeof raw[key] !== 'string') delete problem[key];
  }
  if (typeof raw['status'] !== 'number') delete problem.status;
  if (typeof raw['retryable'] !== 'boolean') delete problem.retryable;
  if (Array.isArray(raw['errors'])) problem.errors = raw['errors'].filter(isFieldError);
  else delete problem.errors;
  return problem;
}

function isFieldError(value: unknown): value is ProblemFieldError {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['pointer'] === 'string' && typeof record['message'] === 'string';
}
