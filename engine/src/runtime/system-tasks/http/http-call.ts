import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { JsonObject } from '../../../domain/records';
import type { DestinationPolicy } from './destination-policy';
import { isSensitiveHeader, redactText, redactUrl } from './redact';

export interface HttpLimits {
  /** Largest response body read; a larger one fails the attempt (BATON_HTTP_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  /** Upper bounds of a task's connectionTimeOut and readTimeOut, in ms. */
  maxConnectTimeoutMs: number;
  maxReadTimeoutMs: number;
  /** Sockets kept open per destination for reuse. */
  maxSockets: number;
}

export interface HttpResponse extends JsonObject {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: unknown;
  reasonPhrase: string;
}

/** The request can never succeed as given (bad URL, refused destination, limits exceeded): retrying is pointless. */
export class HttpTaskInputError extends Error {}

/** Baton's defaults when a task gives none (ms). Conductor's are far shorter; these suit real endpoints. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_READ_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
/** How long an idle kept-alive socket stays in the pool. */
const IDLE_SOCKET_MS = 15_000;

/** The request of a task's input: Conductor's `http_request` object, or its fields at the top level (Conductor 3). */
export function requestOf(input: JsonObject): JsonObject {
  const r = input.http_request;
  return r !== null && typeof r === 'object' && !Array.isArray(r) ? (r as JsonObject) : input;
}

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

/**
 * The HTTP client of HTTP system tasks. Every connection goes to an address the destination
 * policy accepted: literal IPs are checked before connecting, names when they resolve, inside the
 * socket's own lookup, so the address checked is the address connected to (a DNS answer that
 * changes between a check and the connection cannot slip through). Redirects are followed (at
 * most 5), each hop checked the same way, credentials dropped when the origin changes. Sockets
 * are kept alive and reused. A response larger than maxResponseBytes, a connection slower than
 * connectionTimeOut, a silence longer than readTimeOut, or an exchange longer than both together
 * ends the attempt, and so does its abort signal (attempt cancelled, workflow ended).
 */
export class HttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly policy: DestinationPolicy,
    private readonly limits: HttpLimits,
  ) {
    const options = {
      keepAlive: true,
      maxSockets: limits.maxSockets,
      maxFreeSockets: limits.maxSockets,
      timeout: IDLE_SOCKET_MS,
      scheduling: 'lifo' as const,
    };
    this.agents = { http: new http.Agent(options), https: new https.Agent(options) };
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  async call(input: JsonObject, signal: AbortSignal): Promise<HttpResponse> {
    const r = requestOf(input);
    const connectMs = this.timeout(
      r.connectionTimeOut,
      DEFAULT_CONNECT_TIMEOUT_MS,
      this.limits.maxConnectTimeoutMs,
      'connectionTimeOut',
      'BATON_HTTP_MAX_CONNECT_TIMEOUT_MS',
    );
    const readMs = this.timeout(
      r.readTimeOut,
      DEFAULT_READ_TIMEOUT_MS,
      this.limits.maxReadTimeoutMs,
      'readTimeOut',
      'BATON_HTTP_MAX_READ_TIMEOUT_MS',
    );
    const deadline = Date.now() + connectMs + readMs;
    let hop = firstHop(r);
    for (let redirects = 0; ; redirects++) {
      const res = await this.exchange(hop, { connectMs, readMs, deadline }, signal);
      const location = res.location;
      if (location === null || redirects >= MAX_REDIRECTS) return res.response;
      hop = nextHop(hop, res.response.statusCode, location);
    }
  }

  private timeout(v: unknown, fallback: number, max: number, field: string, setting: string): number {
    if (v === undefined || v === null || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) return fallback;
    if (n > max) throw new HttpTaskInputError(`${field} ${n} ms is above the limit of ${max} ms (${setting})`);
    return n;
  }

  /** One request and its response; `location` is where a redirect points (null: not a redirect). */
  private exchange(
    hop: Hop,
    t: { connectMs: number; readMs: number; deadline: number },
    signal: AbortSignal,
  ): Promise<{ response: HttpResponse; location: string | null }> {
    const { url, method, headers, payload } = hop;
    const shown = `HTTP ${method} ${redactUrl(url)}`;
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Names are checked where they resolve (pinnedLookup); Node connects to a literal IP without a lookup.
    if (isIP(host)) {
      const refused = this.policy.refusal(host, port, url.hostname);
      if (refused)
        return Promise.reject(new HttpTaskInputError(`${shown} refused: ${refused} (BATON_HTTP_TASK_ALLOW opens a destination)`));
    }
    if (signal.aborted) return Promise.reject(abortError(shown, signal));
    const lib = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.agents.https : this.agents.http;
    return new Promise((resolve, reject) => {
      let refusal: string | null = null;
      let settled = false;
      const req = lib.request(
        url,
        { method, headers, agent, lookup: this.pinnedLookup(port, url.hostname, (why) => (refusal = why)) },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          // A HEAD answer declares the length of a body it does not send.
          const declared = method === 'HEAD' ? 0 : Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > this.limits.maxResponseBytes) {
            stop(
              new Error(
                `response body of ${declared} bytes is above the limit of ${this.limits.maxResponseBytes} bytes (BATON_HTTP_MAX_RESPONSE_BYTES)`,
              ),
            );
            return;
          }
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > this.limits.maxResponseBytes)
              stop(new Error(`response body is above the limit of ${this.limits.maxResponseBytes} bytes (BATON_HTTP_MAX_RESPONSE_BYTES)`));
            else chunks.push(c);
          });
          res.on('error', (err) => fail(err));
          res.on('aborted', () => fail(new Error('the connection closed before the response ended')));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            done();
            const status = res.statusCode ?? 0;
            const redirect = [301, 302, 303, 307, 308].includes(status) ? (res.headers.location ?? null) : null;
            resolve({ response: toResponse(res, Buffer.concat(chunks).toString('utf8')), location: redirect });
          });
        },
      );
      const connectTimer = setTimeout(
        () => stop(new Error(`connection to ${url.host} timed out after ${t.connectMs} ms (connectionTimeOut)`)),
        t.connectMs,
      );
      const totalTimer = setTimeout(
        () => stop(new Error(`the exchange did not complete within ${t.connectMs + t.readMs} ms (connectionTimeOut + readTimeOut)`)),
        Math.max(0, t.deadline - Date.now()),
      );
      const onAbort = (): void => stop(abortError(shown, signal));
      signal.addEventListener('abort', onAbort, { once: true });
      function done(): void {
        clearTimeout(connectTimer);
        clearTimeout(totalTimer);
        signal.removeEventListener('abort', onAbort);
      }
      function fail(err: Error): void {
        if (settled) return;
        settled = true;
        done();
        if (refusal) reject(new HttpTaskInputError(`${shown} refused: ${refusal} (BATON_HTTP_TASK_ALLOW opens a destination)`));
        else if (err instanceof HttpTaskInputError || err.name === 'AbortError') reject(err);
        else reject(new Error(`${shown} failed: ${redactText(err.message)}`));
      }
      // Ends the exchange with `err` and drops the socket (never back to the pool mid-response).
      function stop(err: Error): void {
        fail(err);
        req.destroy();
      }
      req.on('socket', (socket) => {
        // A kept-alive socket is connected already and fires no 'connect'.
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.setTimeout(t.readMs, () => stop(new Error(`got no response within ${t.readMs} ms (readTimeOut)`)));
      req.on('error', fail);
      req.end(payload);
    });
  }

  /** A lookup that answers only addresses the policy accepts: the socket connects to exactly those. */
  private pinnedLookup(port: number, hostname: string, refused: (why: string) => void): LookupFunction {
    return (name, options, callback) => {
      dnsLookup(name, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        const ok = addresses.filter((a) => {
          const why = this.policy.refusal(a.address, port, hostname);
          if (why) refused(why);
          return why === null;
        });
        const first = ok[0];
        if (!first) return callback(Object.assign(new Error('destination refused'), { code: 'EREFUSED_BY_POLICY' }), '', 0);
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
        else callback(null, first.address, first.family);
      });
    };
  }
}

function firstHop(r: JsonObject): Hop {
  const raw = String(r.uri ?? r.url ?? '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpTaskInputError(`invalid HTTP task uri '${redactUrl(raw).slice(0, 500)}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HttpTaskInputError(`unsupported HTTP task uri scheme '${url.protocol}'`);
  const method = String(r.method ?? 'GET').toUpperCase();
  if (!/^[A-Z]{1,20}$/.test(method)) throw new HttpTaskInputError(`invalid HTTP method '${method.slice(0, 30)}'`);
  const headers: Record<string, string> = {};
  if (r.headers && typeof r.headers === 'object')
    for (const [k, v] of Object.entries(r.headers as JsonObject)) headers[k.toLowerCase()] = String(v);
  headers.accept ??= String(r.accept ?? 'application/json');
  for (const [k, v] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(k) || /[\r\n\0]/.test(v))
      throw new HttpTaskInputError(`invalid HTTP header '${k.slice(0, 60)}'`);
  }
  let payload: string | undefined;
  if (r.body !== undefined && r.body !== null && method !== 'GET' && method !== 'HEAD') {
    headers['content-type'] ??= String(r.contentType ?? 'application/json');
    payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return { url, method, headers, payload };
}

/** The request a redirect calls for: 303 (and 301/302 after a POST) become a GET without body, as browsers do. */
function nextHop(prev: Hop, status: number, location: string): Hop {
  let url: URL;
  try {
    url = new URL(location, prev.url);
  } catch {
    throw new HttpTaskInputError(`redirect to an invalid location '${redactUrl(location).slice(0, 500)}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HttpTaskInputError(`redirect to unsupported scheme '${url.protocol}'`);
  const asGet = status === 303 || ((status === 301 || status === 302) && prev.method === 'POST');
  const headers = { ...prev.headers };
  if (asGet) {
    delete headers['content-type'];
    delete headers['content-length'];
  }
  // Credentials were meant for the first origin only.
  if (url.origin !== prev.url.origin) for (const k of Object.keys(headers)) if (isSensitiveHeader(k)) delete headers[k];
  return { url, method: asGet ? 'GET' : prev.method, headers, payload: asGet ? undefined : prev.payload };
}

function toResponse(res: http.IncomingMessage, text: string): HttpResponse {
  let body: unknown = text;
  if (/json/i.test(res.headers['content-type'] ?? '') && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON after all: keep the text */
    }
  }
  const hs: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) hs[k] = v;
  return { statusCode: res.statusCode ?? 0, headers: hs, body, reasonPhrase: res.statusMessage ?? '' };
}

function abortError(shown: string, signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return Object.assign(new Error(`${shown} aborted: ${reason}`), { name: 'AbortError' });
}
