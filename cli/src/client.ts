import { hostname, userInfo } from 'node:os';
import { CliError, ExitCode, UsageError, type FieldProblem } from './exit-codes';

/** Where the engine is and who the CLI is to it: `--url`/BATON_URL, `--api-key`/BATON_API_KEY (`keyId:keySecret`). */
export interface Connection {
  readonly url: string;
  readonly apiKey: string | null;
  /** Per request; a watch polls with many short requests, so no request needs longer. */
  readonly timeoutMs: number;
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A thin client of the engine's REST API that turns every failure into a CliError whose exit code
 * says what kind of failure it was (exit-codes.ts). Requests carry the API key as HTTP Basic
 * credentials, which the engine accepts beside tokens (docs/security.md), so a one-shot command
 * costs one request, not a token exchange and then the request.
 */
export class EngineClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(readonly connection: Connection) {
    let url: URL;
    try {
      url = new URL(connection.url);
    } catch {
      throw new UsageError(`--url (BATON_URL) must be an http(s) URL, got '${connection.url}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--url (BATON_URL) must be an http(s) URL, got '${connection.url}'`);
    this.base = url.href.replace(/\/+$/, '');
    this.headers = { accept: 'application/json' };
    if (connection.apiKey) {
      const colon = connection.apiKey.indexOf(':');
      if (colon <= 0 || colon === connection.apiKey.length - 1) {
        throw new UsageError('--api-key (BATON_API_KEY) must be keyId:keySecret');
      }
      this.headers.authorization = `Basic ${Buffer.from(connection.apiKey).toString('base64')}`;
    } else {
      // Without authentication the engine records this as who changed a policy (docs/security.md).
      this.headers['x-baton-user'] = localUser();
    }
  }

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<Answer<T>> {
    return this.request<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body: unknown, query: Record<string, string | number | undefined> = {}): Promise<Answer<T>> {
    return this.request<T>('POST', path, body, query);
  }

  put<T>(path: string, body: unknown): Promise<Answer<T>> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<Answer<T>> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string | number | undefined> = {},
  ): Promise<Answer<T>> {
    const url = new URL(`${this.base}/api${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...this.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.connection.timeoutMs),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach the engine at ${this.base}: ${reasonOf(err)} (is it running? set --url or BATON_URL)`,
        ExitCode.UNREACHABLE,
        [],
        'UNREACHABLE',
      );
    }
    const text = await res.text();
    const parsed = parseBody(text, res.headers.get('content-type'));
    if (res.ok) return { status: res.status, body: parsed as T, headers: res.headers };
    throw failureOf(res.status, parsed, `${method} ${url.pathname}`);
  }
}

/** Maps an engine's error answer (problem+json) to an exit code and the problems it names. */
function failureOf(status: number, body: unknown, what: string): CliError {
  const problem = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const detail = typeof problem.detail === 'string' ? problem.detail : typeof body === 'string' && body ? body : `${what}: HTTP ${status}`;
  const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
  const problems: FieldProblem[] = Array.isArray(problem.errors)
    ? problem.errors.filter(isFieldProblem).map((e) => ({ pointer: e.pointer, message: e.message }))
    : [];
  if (status === 401 || status === 403) {
    const hint = status === 401 ? ' (set --api-key or BATON_API_KEY to keyId:keySecret)' : '';
    return new CliError(`${detail}${hint}`, ExitCode.AUTH, problems, code);
  }
  if (status === 404) return new CliError(detail, ExitCode.NOT_FOUND, problems, code);
  if (status >= 500) return new CliError(`the engine is unavailable: ${detail}`, ExitCode.UNREACHABLE, problems, code);
  return new CliError(detail, ExitCode.FAILED, problems, code);
}

function isFieldProblem(v: unknown): v is FieldProblem {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as FieldProblem).pointer === 'string' &&
    typeof (v as FieldProblem).message === 'string'
  );
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return undefined;
  if (contentType && /json/.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'no answer in time';
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return (cause as Error & { code?: string }).code ?? cause.message;
    return err.message;
  }
  return String(err);
}

function localUser(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `cli@${hostname()}`;
  }
}
