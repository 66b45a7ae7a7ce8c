import { authStore } from './auth-store';

/** One thing wrong with a request, at a JSON pointer (the engine's problem+json `errors`). */
export interface FieldProblem {
  pointer: string;
  message: string;
}

/**
 * A non-2xx answer, read from the engine's RFC 9457 problem+json body: `detail` (or Conductor's
 * `message`) as the message, its stable `code`, `retryable`, and the field problems.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly retryable: boolean,
    readonly problems: readonly FieldProblem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Query;
  /** Sent as JSON; a string is sent as it is with `contentType`. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Leave out the token (sign-in itself). */
  anonymous?: boolean;
}

export function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Calls the engine's REST API on the page's own origin (the engine serves the UI, so requests are
 * same-origin: the cross-site guard lets them through). Adds the session's token as
 * X-Authorization; a 401 ends the session so that the sign-in form shows.
 */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9' };
  const token = authStore.token();
  if (token && !opts.anonymous) headers['x-authorization'] = token;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    body = typeof opts.body === 'string' && opts.contentType ? opts.body : JSON.stringify(opts.body);
  }
  let res: Response;
  const target = url(path, opts.query);
  const method = opts.method ?? 'GET';
  try {
    const early = method === 'GET' && !opts.anonymous ? takeEarly(target) : null;
    res = await (early ?? fetch(target, { method, headers, body, signal: opts.signal ?? null, credentials: 'same-origin' }));
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `the engine cannot be reached (${(err as Error).message})`, 'NETWORK', true, []);
  }
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const parsed: unknown = /json/.test(type) && text ? safeJson(text) : text;
  if (res.ok) return (text === '' ? undefined : parsed) as T;
  const error = problemOf(res.status, parsed, text);
  if (res.status === 401 && !opts.anonymous) authStore.expire(error.message);
  throw error;
}

/** The request index.html sent before the code arrived (a run opened from a link), taken once. */
function takeEarly(target: string): Promise<Response> | null {
  const w = window as unknown as { __batonEarly?: { url: string; response: Promise<Response> } };
  const early = w.__batonEarly;
  if (!early || early.url !== target) return null;
  delete w.__batonEarly;
  return early.response;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function problemOf(status: number, body: unknown, text: string): ApiError {
  if (body && typeof body === 'object') {
    const p = body as Record<string, unknown>;
    const message = str(p.detail) ?? str(p.message) ?? str(p.title) ?? `HTTP ${status}`;
    // Authentication problems name their precise reason in `error` (INVALID_CREDENTIALS, EXPIRED_TOKEN...).
    const code = str(p.error) ?? str(p.code);
    const errors = Array.isArray(p.errors) ? p.errors : [];
    const problems = errors.flatMap((e): FieldProblem[] => {
      const o = e as Record<string, unknown>;
      return typeof o.message === 'string' ? [{ pointer: str(o.pointer) ?? '', message: o.message }] : [];
    });
    return new ApiError(status, message, code, p.retryable === true, problems);
  }
  const message = text.trim() ? text.trim().slice(0, 500) : `HTTP ${status}`;
  return new ApiError(status, message, undefined, status >= 500, []);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What to show for any error a call or a page ran into. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.status ? `${err.message} (HTTP ${err.status}${err.code ? `, ${err.code}` : ''})` : err.message;
  return err instanceof Error ? err.message : String(err);
}
