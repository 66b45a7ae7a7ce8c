import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server';
import type { Clock } from '../../src/runtime/clock';

export type StoreKind = 'sqlite' | 'mongodb';

/** Stores the suites run on: SQLite always, MongoDB when `npm test` provisioned one (or MONGODB_URI is set). */
export function storeKinds(): StoreKind[] {
  return process.env.MONGODB_URI ? ['sqlite', 'mongodb'] : ['sqlite'];
}

export function uniqueDbName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** Config for one test: a fresh SQLite folder, or a fresh MongoDB database. */
export function testEnv(kind: StoreKind, extra: Record<string, string> = {}): Record<string, string> {
  // Engines under test share one machine's clock: leases lapse exactly at leaseUntil (manual-clock
  // tests count on it) unless a test sets a clock skew bound (docs/reliability.md, "Clock skew").
  const base: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    BATON_MAX_CLOCK_SKEW_MS: '0',
    ...extra,
  };
  if (kind === 'mongodb') {
    const uri = process.env.MONGODB_URI;
    if (!uri) throw new Error('MONGODB_URI is not set: run the suites through `npm test`, which provisions a MongoDB test server');
    return { ...base, MONGODB_URI: uri, BATON_MONGODB_DB: extra.BATON_MONGODB_DB ?? uniqueDbName('baton_test') };
  }
  // MONGODB_URI empty, not absent: an engine child process inherits the test runner's environment,
  // where MONGODB_URI is set, and would otherwise run on MongoDB's default database.
  return { ...base, MONGODB_URI: '', BATON_DATA_DIR: extra.BATON_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'baton-test-')) };
}

export async function startTestServer(
  kind: StoreKind = 'sqlite',
  opts: { clock?: Clock; env?: Record<string, string>; log?: Logger } = {},
): Promise<TestServer> {
  const env = testEnv(kind, opts.env);
  const config = loadConfig([], env);
  const running = await startServer(config, {
    log: opts.log ?? pino({ level: env.LOG_LEVEL ?? 'silent' }),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return new TestServer(running, env);
}

export class TestServer {
  readonly url: string;
  constructor(
    readonly running: RunningServer,
    readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${running.port}`;
  }

  get engine() {
    return this.running.engine;
  }

  async req(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any; text: string; type: string }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* plain text answers (workflow ids) */
    }
    return { status: res.status, body: parsed, text, type: res.headers.get('content-type') ?? '' };
  }

  close(): Promise<void> {
    return this.running.close();
  }
}
