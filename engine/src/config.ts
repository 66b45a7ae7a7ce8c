import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllowEntry } from './runtime/system-tasks/http/destination-policy';

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
  /** The bootstrap admin key; set, it turns authentication on (docs/security.md). Null: authentication off. */
  readonly adminKey: { readonly keyId: string; readonly keySecret: string } | null;
  readonly tokenTtlSeconds: number;
  /** Without authentication, binding anything but loopback needs this explicit consent. */
  readonly allowUnauthenticatedBind: boolean;
  /** Destinations HTTP tasks may reach although the policy refuses them by default (CIDR, IP, host, '*.domain', with ':port'). */
  readonly httpTaskAllow: readonly string[];
  readonly httpMaxResponseBytes: number;
  readonly httpMaxConnectTimeoutMs: number;
  readonly httpMaxReadTimeoutMs: number;
  /** Lease of a task the engine runs itself (HTTP, jq), renewed while it runs: how soon a crashed engine's attempt runs again. */
  readonly engineTaskLeaseMs: number;
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
  'admin-key-id': { type: 'string' },
  'admin-key-secret': { type: 'string' },
  'token-ttl-seconds': { type: 'string' },
  'allow-unauthenticated-bind': { type: 'boolean' },
  'http-task-allow': { type: 'string' },
  'http-max-response-bytes': { type: 'string' },
  'http-max-connect-timeout-ms': { type: 'string' },
  'http-max-read-timeout-ms': { type: 'string' },
  'engine-task-lease-ms': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export const usage = `baton-engine [flags]
  --port N               PORT               HTTP port (8080)
  --host ADDR            HOST               bind address (127.0.0.1 without authentication, else 0.0.0.0)
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
  --http-concurrency N   BATON_HTTP_CONCURRENCY    HTTP system tasks run at once by the engine (16)
  --admin-key-id ID      BATON_ADMIN_KEY_ID        bootstrap admin key id; with the secret, turns authentication on
  --admin-key-secret S   BATON_ADMIN_KEY_SECRET    bootstrap admin key secret (16+ characters; prefer the variable)
  --token-ttl-seconds N  BATON_TOKEN_TTL_SECONDS   lifetime of an access token (3600)
  --allow-unauthenticated-bind  BATON_ALLOW_UNAUTHENTICATED=true   bind a non-loopback HOST without authentication
  --http-task-allow LIST BATON_HTTP_TASK_ALLOW     destinations HTTP tasks may reach despite the policy (CIDR, IP, host, *.domain; :port)
  --http-max-response-bytes N  BATON_HTTP_MAX_RESPONSE_BYTES   largest HTTP task response body (1048576)
  --http-max-connect-timeout-ms N  BATON_HTTP_MAX_CONNECT_TIMEOUT_MS  upper bound of connectionTimeOut (30000)
  --http-max-read-timeout-ms N     BATON_HTTP_MAX_READ_TIMEOUT_MS     upper bound of readTimeOut (300000)
  --engine-task-lease-ms N         BATON_ENGINE_TASK_LEASE_MS         lease of engine-run tasks, renewed while they run (15000)`;

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
  const bool = (flag: keyof typeof flags, name: string): boolean => {
    if (values[flag] === true) return true;
    const raw = (env[name] ?? '').trim().toLowerCase();
    if (raw === '' || raw === 'false' || raw === '0') return false;
    if (raw === 'true' || raw === '1') return true;
    throw new ConfigError(`${name} must be true or false, got '${raw}'`);
  };
  const mongodbUri = pick('mongodb-uri', 'MONGODB_URI') || null;
  const adminKey = adminKeyOf(pick('admin-key-id', 'BATON_ADMIN_KEY_ID'), pick('admin-key-secret', 'BATON_ADMIN_KEY_SECRET'));
  const allowUnauthenticatedBind = bool('allow-unauthenticated-bind', 'BATON_ALLOW_UNAUTHENTICATED');
  // Without authentication, anyone who reaches the port controls every workflow: loopback only, unless told.
  const host = pick('host', 'HOST') || (adminKey ? '0.0.0.0' : '127.0.0.1');
  if (!adminKey && !allowUnauthenticatedBind && !isLoopbackAddress(host)) {
    throw new ConfigError(
      `HOST=${host} without authentication would let anyone who reaches the port run and read every workflow: set BATON_ADMIN_KEY_ID and BATON_ADMIN_KEY_SECRET, or consent with --allow-unauthenticated-bind (BATON_ALLOW_UNAUTHENTICATED=true)`,
    );
  }
  const sync = (pick('sqlite-sync', 'BATON_SQLITE_SYNC') ?? 'NORMAL').toUpperCase();
  if (sync !== 'NORMAL' && sync !== 'FULL') throw new ConfigError(`BATON_SQLITE_SYNC must be NORMAL or FULL, got '${sync}'`);
  return Object.freeze({
    help: values.help === true,
    port: int('port', 'PORT', 8080, 0, 65535),
    host,
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
    adminKey,
    tokenTtlSeconds: int('token-ttl-seconds', 'BATON_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    allowUnauthenticatedBind,
    httpTaskAllow: allowList(pick('http-task-allow', 'BATON_HTTP_TASK_ALLOW') ?? ''),
    httpMaxResponseBytes: int('http-max-response-bytes', 'BATON_HTTP_MAX_RESPONSE_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    httpMaxConnectTimeoutMs: int('http-max-connect-timeout-ms', 'BATON_HTTP_MAX_CONNECT_TIMEOUT_MS', 30_000, 100, 300_000),
    httpMaxReadTimeoutMs: int('http-max-read-timeout-ms', 'BATON_HTTP_MAX_READ_TIMEOUT_MS', 300_000, 100, 3_600_000),
    engineTaskLeaseMs: int('engine-task-lease-ms', 'BATON_ENGINE_TASK_LEASE_MS', 15_000, 1000, 600_000),
  });
}

function allowList(raw: string): readonly string[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const e of entries) {
    try {
      parseAllowEntry(e);
    } catch (err) {
      throw new ConfigError(`BATON_HTTP_TASK_ALLOW (--http-task-allow): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return Object.freeze(entries);
}

function adminKeyOf(keyId: string | undefined, keySecret: string | undefined): Config['adminKey'] {
  if (!keyId && !keySecret) return null;
  if (!keyId || !keySecret) throw new ConfigError('BATON_ADMIN_KEY_ID and BATON_ADMIN_KEY_SECRET go together: set both to turn authentication on, or neither');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(keyId)) throw new ConfigError('BATON_ADMIN_KEY_ID must be 1-100 letters, digits, dots, dashes or underscores');
  if (keySecret.length < 16) throw new ConfigError('BATON_ADMIN_KEY_SECRET must be at least 16 characters');
  return Object.freeze({ keyId, keySecret });
}

/** Loopback bind addresses: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
