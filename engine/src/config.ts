import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * The only module that reads the environment. Raw settings (environment variables, overridden by
 * command-line flags) are validated once at start-up into an immutable config in milliseconds.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly mongodbUri: string | null;
  readonly mongodbDb: string;
  readonly logLevel: string;
  readonly sqliteSync: 'NORMAL' | 'FULL';
  readonly sweepIntervalMs: number;
  readonly pollRecheckMs: number;
  readonly uiDir: string;
  /** Limits of one user script (SWITCH/DO_WHILE conditions, INLINE) in the sandbox. */
  readonly scriptTimeoutMs: number;
  readonly scriptMemoryMb: number;
  /** HTTP system tasks the engine runs at once (slow endpoints cannot take more than this). */
  readonly httpConcurrency: number;
}

const flags = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  'mongodb-uri': { type: 'string' },
  'mongodb-db': { type: 'string' },
  'log-level': { type: 'string' },
  'sqlite-sync': { type: 'string' },
  'sweep-interval-ms': { type: 'string' },
  'poll-recheck-ms': { type: 'string' },
  'ui-dir': { type: 'string' },
  'script-timeout-ms': { type: 'string' },
  'script-memory-mb': { type: 'string' },
  'http-concurrency': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export const usage = `baton-engine [flags]
  --port N               PORT               HTTP port (8080)
  --host ADDR            HOST               bind address (0.0.0.0)
  --data-dir DIR         BATON_DATA_DIR     embedded store folder (./data)
  --mongodb-uri URI      MONGODB_URI        use MongoDB instead of the embedded store
  --mongodb-db NAME      BATON_MONGODB_DB   database name (baton; or the URI's path)
  --log-level LEVEL      LOG_LEVEL          pino level (info)
  --sqlite-sync MODE     BATON_SQLITE_SYNC  NORMAL (survives kill -9) or FULL (also power loss)
  --sweep-interval-ms N  BATON_SWEEP_INTERVAL_MS   sweeper period (250)
  --poll-recheck-ms N    BATON_POLL_RECHECK_MS     long-poll re-check period (1000 embedded, 200 MongoDB)
  --ui-dir DIR           BATON_UI_DIR       folder of the built UI
  --script-timeout-ms N  BATON_SCRIPT_TIMEOUT_MS   time limit of one user script (100)
  --script-memory-mb N   BATON_SCRIPT_MEMORY_MB    memory limit of one user script (32)
  --http-concurrency N   BATON_HTTP_CONCURRENCY    HTTP system tasks run at once by the engine (16)`;

export class ConfigError extends Error {}

export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config & { help: boolean } {
  const { values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false });
  const pick = (flag: keyof typeof flags, name: string): string | undefined => {
    const v = values[flag];
    return typeof v === 'string' ? v : env[name];
  };
  const int = (flag: keyof typeof flags, name: string, fallback: number, min: number, max: number): number => {
    const raw = pick(flag, name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} (--${flag}) must be an integer from ${min} to ${max}, got '${raw}'`);
    return n;
  };
  const mongodbUri = pick('mongodb-uri', 'MONGODB_URI') || null;
  const sync = (pick('sqlite-sync', 'BATON_SQLITE_SYNC') ?? 'NORMAL').toUpperCase();
  if (sync !== 'NORMAL' && sync !== 'FULL') throw new ConfigError(`BATON_SQLITE_SYNC must be NORMAL or FULL, got '${sync}'`);
  return Object.freeze({
    help: values.help === true,
    port: int('port', 'PORT', 8080, 0, 65535),
    host: pick('host', 'HOST') ?? '0.0.0.0',
    dataDir: resolve(pick('data-dir', 'BATON_DATA_DIR') ?? './data'),
    mongodbUri,
    mongodbDb: pick('mongodb-db', 'BATON_MONGODB_DB') ?? '',
    logLevel: pick('log-level', 'LOG_LEVEL') ?? 'info',
    sqliteSync: sync,
    sweepIntervalMs: int('sweep-interval-ms', 'BATON_SWEEP_INTERVAL_MS', 250, 10, 60_000),
    pollRecheckMs: int('poll-recheck-ms', 'BATON_POLL_RECHECK_MS', mongodbUri ? 200 : 1000, 10, 60_000),
    uiDir: resolve(pick('ui-dir', 'BATON_UI_DIR') ?? resolve(__dirname, '../../ui/static')),
    scriptTimeoutMs: int('script-timeout-ms', 'BATON_SCRIPT_TIMEOUT_MS', 100, 1, 60_000),
    scriptMemoryMb: int('script-memory-mb', 'BATON_SCRIPT_MEMORY_MB', 32, 1, 1024),
    httpConcurrency: int('http-concurrency', 'BATON_HTTP_CONCURRENCY', 16, 1, 1024),
  });
}
