import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { HTTP_QUEUE } from '../../decider/operators/http';
import type { JsonObject, TaskRecord } from '../../domain/records';
import type { Engine } from '../engine';
import { QueueRunner, type TaskOutcome } from './queue-runner';

export interface HttpRunnerOptions {
  /** Requests in flight at most (BATON_HTTP_CONCURRENCY): slow endpoints cannot take more. */
  concurrency: number;
  workerId: string;
}

/** Baton's defaults when a task gives none (ms). Conductor's are far shorter; these suit real endpoints. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_READ_TIMEOUT_MS = 30_000;

/**
 * Runs HTTP system tasks inside the engine from the internal HTTP queue (queue-runner.ts: the
 * worker protocol, so leases, fencing, time limits and the retry policy apply). At most
 * `concurrency` requests run at once. 2xx completes the attempt with output.response
 * {statusCode, headers, body (parsed when JSON), reasonPhrase}; any other status, a connection
 * error or a timeout fails it (FAILED, so the task definition's retry policy decides).
 */
export class HttpRunner extends QueueRunner {
  constructor(engine: Engine, log: Logger, options: HttpRunnerOptions) {
    super(engine, log, { queue: HTTP_QUEUE, concurrency: options.concurrency, workerId: options.workerId, execute: runHttpTask });
  }
}

export async function runHttpTask(t: TaskRecord): Promise<TaskOutcome> {
  return callHttp(t.inputData).then(
    (response) =>
      response.statusCode >= 200 && response.statusCode < 300
        ? { status: 'COMPLETED' as const, output: { response }, reason: null }
        : { status: 'FAILED' as const, output: { response }, reason: `HTTP ${response.statusCode} ${response.reasonPhrase}`.trim() },
    (err: Error) => ({ status: 'FAILED' as const, output: {}, reason: err.message }),
  );
}

export interface HttpResponse extends JsonObject {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: unknown;
  reasonPhrase: string;
}

/** The request of a task's input: Conductor's `http_request` object, or its fields at the top level (Conductor 3). */
export function requestOf(input: JsonObject): JsonObject {
  const r = input.http_request;
  return r !== null && typeof r === 'object' && !Array.isArray(r) ? (r as JsonObject) : input;
}

export function callHttp(input: JsonObject): Promise<HttpResponse> {
  const r = requestOf(input);
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(String(r.uri ?? r.url ?? ''));
    } catch {
      reject(new Error(`invalid HTTP task uri '${String(r.uri ?? '')}'`));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new Error(`unsupported HTTP task uri scheme '${url.protocol}'`));
      return;
    }
    const method = String(r.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    if (r.headers && typeof r.headers === 'object') for (const [k, v] of Object.entries(r.headers as JsonObject)) headers[k.toLowerCase()] = String(v);
    headers.accept ??= String(r.accept ?? 'application/json');
    let payload: string | undefined;
    if (r.body !== undefined && r.body !== null && method !== 'GET' && method !== 'HEAD') {
      headers['content-type'] ??= String(r.contentType ?? 'application/json');
      payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const connectMs = positive(r.connectionTimeOut, DEFAULT_CONNECT_TIMEOUT_MS);
    const readMs = positive(r.readTimeOut, DEFAULT_READ_TIMEOUT_MS);
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(connectTimer);
        const text = Buffer.concat(chunks).toString('utf8');
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
        resolve({ statusCode: res.statusCode ?? 0, headers: hs, body, reasonPhrase: res.statusMessage ?? '' });
      });
    });
    const connectTimer = setTimeout(() => req.destroy(new Error(`HTTP connection to ${url.host} timed out after ${connectMs} ms`)), connectMs);
    req.on('socket', (socket) => socket.once('connect', () => clearTimeout(connectTimer)));
    req.setTimeout(readMs, () => req.destroy(new Error(`HTTP ${method} ${url.href} got no response within ${readMs} ms (readTimeOut)`)));
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      reject(new Error(`HTTP ${method} ${url.href} failed: ${err.message}`));
    });
    req.end(payload);
  });
}

function positive(v: unknown, fallback: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
