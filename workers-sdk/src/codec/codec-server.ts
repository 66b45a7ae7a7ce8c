import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { PayloadCodec } from './payload-codec';
import { CodecError, decodePayload, encodePayload } from './payload-codec';

export interface CodecServerOptions {
  /**
   * Origins whose browsers may call the server (the Baton UI's, e.g. `http://localhost:8080`), or
   * `*`. Without any, only same-origin and non-browser clients (the SDK, curl) can use it.
   */
  allowedOrigins?: readonly string[];
  /**
   * Decides whether a request may use the codec (its headers: an Authorization the UI forwards,
   * a client certificate's header set by a proxy). Default: every request that reaches the
   * server, so bind it where only trusted users reach it.
   */
  authorize?: (headers: IncomingHttpHeaders) => boolean | Promise<boolean>;
  /** Largest request body. Default 8 MiB. */
  maxBodyBytes?: number;
}

/**
 * A codec server, as Temporal's: the UI (and any tool) sends encoded payloads to the user's own
 * endpoint to be decoded for display, so keys stay with their owner and never reach the engine.
 *   POST /decode {payloads: [...]} -> {payloads: [...]}: every envelope inside each payload decoded;
 *   POST /encode {payloads: [...], clearFields?: [...]} -> {payloads: [...]}: each payload encoded
 *     field by field, clear fields left as they are.
 * Errors are problem+json naming the payload (`/payloads/2`). Returns the server unstarted: call
 * `listen(port, host)`.
 */
export function createCodecServer(codec: PayloadCodec, options: CodecServerOptions = {}): Server {
  const origins = new Set(options.allowedOrigins ?? []);
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) problem(res, 500, 'codec server error', err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    cors(req, res);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (path !== '/decode' && path !== '/encode')
      return problem(res, 404, 'not found', 'the codec server answers POST /decode and POST /encode');
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return problem(res, 405, 'method not allowed', `${path} takes POST`);
    }
    if (options.authorize && !(await options.authorize(req.headers)))
      return problem(res, 403, 'forbidden', 'this request may not use the codec');
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too large') return problem(res, 413, 'payload too large', `the body is over ${maxBodyBytes} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      return problem(res, 400, 'invalid JSON', err instanceof Error ? err.message : String(err), [{ pointer: '', message: 'is not JSON' }]);
    }
    const request = parsed as { payloads?: unknown; clearFields?: unknown };
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(request.payloads)) {
      return problem(res, 400, 'invalid request', 'the body must be {"payloads": [...]}', [
        { pointer: '/payloads', message: 'must be an array' },
      ]);
    }
    const clear = request.clearFields ?? [];
    if (!Array.isArray(clear) || clear.some((f) => typeof f !== 'string')) {
      return problem(res, 400, 'invalid request', 'clearFields must be an array of field names', [
        { pointer: '/clearFields', message: 'must be an array of strings' },
      ]);
    }
    const payloads = request.payloads as unknown[];
    const results = await Promise.allSettled(
      payloads.map((p) => (path === '/decode' ? decodePayload(p, codec) : encodePayload(p, codec, clear as string[]))),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ pointer: `/payloads/${i}`, message: reasonOf(r.reason) }] : []));
    if (failed.length > 0) {
      const unexpected = results.find((r) => r.status === 'rejected' && !(r.reason instanceof CodecError));
      return problem(
        res,
        unexpected ? 500 : 422,
        `could not ${path.slice(1)} every payload`,
        failed.map((f) => `${f.pointer}: ${f.message}`).join('; '),
        failed,
      );
    }
    const out = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: out }));
  }

  function cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined || (!origins.has(origin) && !origins.has('*'))) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization, x-authorization');
    res.setHeader('Access-Control-Max-Age', '600');
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  errors?: Array<{ pointer: string; message: string }>,
): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) }));
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
