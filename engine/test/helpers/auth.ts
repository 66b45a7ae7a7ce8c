import { request } from 'node:http';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { Clock } from '../../src/runtime/clock';
import type { TestServer } from './server';

/** The bootstrap admin key of the suites that turn authentication on. */
export const ADMIN = { keyId: 'root-admin', keySecret: 'root-secret-0123456789abcdef' };
export const authEnv: Record<string, string> = { BATON_ADMIN_KEY_ID: ADMIN.keyId, BATON_ADMIN_KEY_SECRET: ADMIN.keySecret };

/** Real time plus a shift the test moves forward (token expiry without waiting an hour). */
export class ShiftClock implements Clock {
  shift = 0;
  now(): number {
    return Date.now() + this.shift;
  }
}

export async function tokenFor(s: TestServer, keyId: string, keySecret: string): Promise<string> {
  const r = await s.req('POST', '/api/token', { keyId, keySecret });
  if (r.status !== 200) throw new Error(`token for ${keyId}: ${r.status} ${r.text}`);
  return r.body.token as string;
}

export const bearer = (token: string): Record<string, string> => ({ 'x-authorization': token });

/** Creates a key as the bootstrap admin; answers its id and secret. */
export async function createKey(
  s: TestServer,
  adminToken: string,
  body: Record<string, unknown>,
): Promise<{ keyId: string; keySecret: string }> {
  const r = await s.req('POST', '/api/admin/keys', body, bearer(adminToken));
  if (r.status !== 201) throw new Error(`create key: ${r.status} ${r.text}`);
  return { keyId: r.body.keyId, keySecret: r.body.keySecret };
}

/** A logger whose lines the test can read (start-up messages, redaction). */
export function capturedLog(level = 'info'): { log: Logger; lines: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { log: pino({ level }, sink), lines: () => text };
}

/**
 * A request through node:http, which sends headers exactly as given (fetch replaces Host and the
 * Sec-Fetch-* headers a browser would send, which is what some tests need to forge).
 */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
