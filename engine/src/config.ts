import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllowEntry } from './runtime/system-tasks/http/destination-policy';
import { parseFaultSpec, type FaultSpec } from './store/faults/plan';

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
  /** Threads evaluating user scripts. */
  readonly scriptThreads: number;
  /** Limits (docs/limits.md). */
  readonly maxPayloadBytes: number;
  /** Payloads larger than this go to the payload store (0: off), and the largest one there (docs/payloads.md). */
  readonly externalPayloadThresholdBytes: number;
  readonly maxExternalPayloadBytes: number;
  readonly maxJsonDepth: number;
  readonly maxWorkflowDepth: number;
  readonly maxDefinitionTasks: number;
  readonly maxForkBranches: number;
  readonly maxLoopIterations: number;
  readonly maxRetryCount: number;
  /** What one decision may do before the rest waits for the next (docs/limits.md). */
  readonly decisionSteps: number;
  readonly decisionScripts: number;
  readonly decisionScriptMs: number;
  /** Retention of finished runs: days after their end (0: kept for ever), and whether they are archived. */
  readonly retentionDays: number;
  readonly retentionArchive: boolean;
  /** Days an archived run is kept (0: for ever). */
  readonly archiveRetentionDays: number;
  /** Days processed events, consumed signals and schedule executions are kept (0: for ever). */
  readonly eventRetentionDays: number;
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
  /** Largest clock difference between engines on one store; leases lapse this much later (docs/reliability.md, "Clock skew"). */
  readonly maxClockSkewMs: number;
  /** Status listeners and alerts (docs/alerts.md). */
  readonly webhookAllow: readonly string[];
  readonly webhookTimeoutMs: number;
  readonly webhookBackoffMs: number;
  readonly webhookMaxBackoffMs: number;
  readonly webhookMaxAttempts: number;
  readonly listenerIntervalMs: number;
  readonly alertIntervalMs: number;
  /** TEST-ONLY (docs/reliability.md): store faults to inject; null in production. */
  readonly testStoreFaults: FaultSpec | null;
  /** TEST-ONLY (docs/reliability.md): milliseconds added to this engine's clock, to test clock skew between engines. */
  readonly testClockOffsetMs: number;
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
  'script-threads': { type: 'string' },
  'max-payload-bytes': { type: 'string' },
  'max-json-depth': { type: 'string' },
  'external-payload-threshold-bytes': { type: 'string' },
  'max-external-payload-bytes': { type: 'string' },
  'max-workflow-depth': { type: 'string' },
  'max-definition-tasks': { type: 'string' },
  'max-fork-branches': { type: 'string' },
  'max-loop-iterations': { type: 'string' },
  'max-retry-count': { type: 'string' },
  'decision-steps': { type: 'string' },
  'decision-scripts': { type: 'string' },
  'decision-script-ms': { type: 'string' },
  'retention-days': { type: 'string' },
  'retention-archive': { type: 'string' },
  'archive-retention-days': { type: 'string' },
  'event-retention-days': { type: 'string' },
  'admin-key-id': { type: 'string' },
  'admin-key-secret': { type: 'string' },
  'token-ttl-seconds': { type: 'string' },
  'allow-unauthenticated-bind': { type: 'boolean' },
  'http-task-allow': { type: 'string' },
  'http-max-response-bytes': { type: 'string' },
  'http-max-connect-timeout-ms': { type: 'string' },
  'http-max-read-timeout-ms': { type: 'string' },
  'engine-task-lease-ms': { type: 'string' },
  'max-clock-skew-ms': { type: 'string' },
  'webhook-allow': { type: 'string' },
  'webhook-timeout-ms': { type: 'string' },
  'webhook-backoff-ms': { type: 'string' },
  'webhook-max-backoff-ms': { type: 'string' },
  'webhook-max-attempts': { type: 'string' },
  'listener-interval-ms': { type: 'string' },
  'alert-interval-ms': { type: 'string' },
  'test-store-faults': { type: 'string' },
  'test-clock-offset-ms': { type: 'string' },
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
  --script-threads N     BATON_SCRIPT_THREADS      threads evaluating user scripts (2)
limits (docs/limits.md); each fails the offending workflow or refuses the request, naming the limit:
  --max-payload-bytes N      BATON_MAX_PAYLOAD_BYTES      largest input or output, in bytes (4194304)
  --max-json-depth N         BATON_MAX_JSON_DEPTH         deepest nesting of a JSON payload (64)
  --external-payload-threshold-bytes N  BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES  payloads larger go to the payload store (1048576; 0: off)
  --max-external-payload-bytes N        BATON_MAX_EXTERNAL_PAYLOAD_BYTES        largest payload in the payload store (268435456)
  --max-workflow-depth N     BATON_MAX_WORKFLOW_DEPTH     workflows started by workflows, nested (32)
  --max-definition-tasks N   BATON_MAX_DEFINITION_TASKS   steps in one workflow definition (10000)
  --max-fork-branches N      BATON_MAX_FORK_BRANCHES      branches of one dynamic fork (10000)
  --max-loop-iterations N    BATON_MAX_LOOP_ITERATIONS    iterations of one DO_WHILE (10000)
  --max-retry-count N        BATON_MAX_RETRY_COUNT        retryCount of a task definition or step (100)
  --decision-steps N         BATON_DECISION_STEPS         tasks and loop iterations one decision creates (500)
  --decision-scripts N       BATON_DECISION_SCRIPTS       script evaluations one decision waits for (32)
  --decision-script-ms N     BATON_DECISION_SCRIPT_MS     time one decision waits for scripts (250)
retention of finished runs:
  --retention-days N         BATON_RETENTION_DAYS         delete runs this many days after they ended (0: keep)
  --retention-archive BOOL   BATON_RETENTION_ARCHIVE      archive them instead of deleting them outright (false)
  --archive-retention-days N BATON_ARCHIVE_RETENTION_DAYS delete archived runs after this many days (0: keep)
  --event-retention-days N   BATON_EVENT_RETENTION_DAYS   delete processed events, consumed signals and schedule executions after this many days (7; 0: keep)
security (docs/security.md):
  --admin-key-id ID      BATON_ADMIN_KEY_ID        bootstrap admin key id; with the secret, turns authentication on
  --admin-key-secret S   BATON_ADMIN_KEY_SECRET    bootstrap admin key secret (16+ characters; prefer the variable)
  --token-ttl-seconds N  BATON_TOKEN_TTL_SECONDS   lifetime of an access token (3600)
  --allow-unauthenticated-bind  BATON_ALLOW_UNAUTHENTICATED=true   bind a non-loopback HOST without authentication
  --http-task-allow LIST BATON_HTTP_TASK_ALLOW     destinations HTTP tasks may reach despite the policy (CIDR, IP, host, *.domain; :port)
  --http-max-response-bytes N  BATON_HTTP_MAX_RESPONSE_BYTES   largest HTTP task response body (1048576)
  --http-max-connect-timeout-ms N  BATON_HTTP_MAX_CONNECT_TIMEOUT_MS  upper bound of connectionTimeOut (30000)
  --http-max-read-timeout-ms N     BATON_HTTP_MAX_READ_TIMEOUT_MS     upper bound of readTimeOut (300000)
  --engine-task-lease-ms N         BATON_ENGINE_TASK_LEASE_MS         lease of engine-run tasks, renewed while they run (15000)
  --max-clock-skew-ms N            BATON_MAX_CLOCK_SKEW_MS            largest clock difference between engines; leases lapse this much later (1000 MongoDB, 0 embedded)
status listeners and alerts (docs/alerts.md):
  --webhook-allow LIST          BATON_WEBHOOK_ALLOW          destinations webhooks may reach despite the policy (as BATON_HTTP_TASK_ALLOW)
  --webhook-timeout-ms N        BATON_WEBHOOK_TIMEOUT_MS     time one webhook request may take (10000)
  --webhook-backoff-ms N        BATON_WEBHOOK_BACKOFF_MS     first retry delay, doubled per failed attempt (1000)
  --webhook-max-backoff-ms N    BATON_WEBHOOK_MAX_BACKOFF_MS longest retry delay (300000)
  --webhook-max-attempts N      BATON_WEBHOOK_MAX_ATTEMPTS   attempts before a delivery is given up (50)
  --listener-interval-ms N      BATON_LISTENER_INTERVAL_MS   how often the outbox is looked at without a nudge (500)
  --alert-interval-ms N         BATON_ALERT_INTERVAL_MS      how often alert rules are evaluated (15000)
test-only (docs/reliability.md; never in production):
  --test-store-faults SPEC   BATON_TEST_STORE_FAULTS      inject store faults, e.g. fail=0.1,delay=0.1,delayMs=50,write=0.05,seed=7
  --test-clock-offset-ms N   BATON_TEST_CLOCK_OFFSET_MS   shift this engine's clock by N ms (clock skew tests)`;

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
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ConfigError(`${name} (--${flag}) must be an integer from ${min} to ${max}, got '${raw}'`);
    return n;
  };
  /** A yes/no setting: a bare flag, `--flag true|false`, or the variable (true/false, 1/0). */
  const bool = (flag: keyof typeof flags, name: string, fallback = false): boolean => {
    const given = values[flag];
    if (given === true) return true;
    const raw = (typeof given === 'string' ? given : (env[name] ?? '')).trim().toLowerCase();
    if (raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(`${name} (--${flag}) must be true or false, got '${raw}'`);
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
  const maxExternalPayloadBytes = int(
    'max-external-payload-bytes',
    'BATON_MAX_EXTERNAL_PAYLOAD_BYTES',
    256 * 1024 * 1024,
    1024,
    64 * 1024 * 1024 * 1024,
  );
  const externalPayloadThresholdBytes = int(
    'external-payload-threshold-bytes',
    'BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES',
    1024 * 1024,
    0,
    maxExternalPayloadBytes,
  );
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
    uiDir: resolve(pick('ui-dir', 'BATON_UI_DIR') ?? resolve(__dirname, '../../ui/dist')),
    scriptTimeoutMs: int('script-timeout-ms', 'BATON_SCRIPT_TIMEOUT_MS', 100, 1, 60_000),
    scriptMemoryMb: int('script-memory-mb', 'BATON_SCRIPT_MEMORY_MB', 32, 1, 1024),
    httpConcurrency: int('http-concurrency', 'BATON_HTTP_CONCURRENCY', 16, 1, 1024),
    scriptThreads: int('script-threads', 'BATON_SCRIPT_THREADS', 2, 1, 64),
    maxPayloadBytes: int('max-payload-bytes', 'BATON_MAX_PAYLOAD_BYTES', 4 * 1024 * 1024, 1024, 15 * 1024 * 1024),
    externalPayloadThresholdBytes,
    maxExternalPayloadBytes,
    maxJsonDepth: int('max-json-depth', 'BATON_MAX_JSON_DEPTH', 64, 2, 1000),
    maxWorkflowDepth: int('max-workflow-depth', 'BATON_MAX_WORKFLOW_DEPTH', 32, 1, 10_000),
    maxDefinitionTasks: int('max-definition-tasks', 'BATON_MAX_DEFINITION_TASKS', 10_000, 1, 1_000_000),
    maxForkBranches: int('max-fork-branches', 'BATON_MAX_FORK_BRANCHES', 10_000, 1, 1_000_000),
    maxLoopIterations: int('max-loop-iterations', 'BATON_MAX_LOOP_ITERATIONS', 10_000, 1, 100_000_000),
    maxRetryCount: int('max-retry-count', 'BATON_MAX_RETRY_COUNT', 100, 0, 1_000_000),
    decisionSteps: int('decision-steps', 'BATON_DECISION_STEPS', 500, 1, 1_000_000),
    decisionScripts: int('decision-scripts', 'BATON_DECISION_SCRIPTS', 32, 1, 100_000),
    decisionScriptMs: int('decision-script-ms', 'BATON_DECISION_SCRIPT_MS', 250, 1, 600_000),
    retentionDays: int('retention-days', 'BATON_RETENTION_DAYS', 0, 0, 36_500),
    retentionArchive: bool('retention-archive', 'BATON_RETENTION_ARCHIVE', false),
    archiveRetentionDays: int('archive-retention-days', 'BATON_ARCHIVE_RETENTION_DAYS', 0, 0, 36_500),
    eventRetentionDays: int('event-retention-days', 'BATON_EVENT_RETENTION_DAYS', 7, 0, 36_500),
    adminKey,
    tokenTtlSeconds: int('token-ttl-seconds', 'BATON_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    allowUnauthenticatedBind,
    httpTaskAllow: allowList(pick('http-task-allow', 'BATON_HTTP_TASK_ALLOW') ?? ''),
    httpMaxResponseBytes: int('http-max-response-bytes', 'BATON_HTTP_MAX_RESPONSE_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    httpMaxConnectTimeoutMs: int('http-max-connect-timeout-ms', 'BATON_HTTP_MAX_CONNECT_TIMEOUT_MS', 30_000, 100, 300_000),
    httpMaxReadTimeoutMs: int('http-max-read-timeout-ms', 'BATON_HTTP_MAX_READ_TIMEOUT_MS', 300_000, 100, 3_600_000),
    engineTaskLeaseMs: int('engine-task-lease-ms', 'BATON_ENGINE_TASK_LEASE_MS', 15_000, 1000, 600_000),
    maxClockSkewMs: int('max-clock-skew-ms', 'BATON_MAX_CLOCK_SKEW_MS', mongodbUri ? 1000 : 0, 0, 600_000),
    webhookAllow: allowList(pick('webhook-allow', 'BATON_WEBHOOK_ALLOW') ?? '', 'BATON_WEBHOOK_ALLOW (--webhook-allow)'),
    webhookTimeoutMs: int('webhook-timeout-ms', 'BATON_WEBHOOK_TIMEOUT_MS', 10_000, 100, 300_000),
    webhookBackoffMs: int('webhook-backoff-ms', 'BATON_WEBHOOK_BACKOFF_MS', 1000, 1, 3_600_000),
    webhookMaxBackoffMs: int('webhook-max-backoff-ms', 'BATON_WEBHOOK_MAX_BACKOFF_MS', 300_000, 1, 86_400_000),
    webhookMaxAttempts: int('webhook-max-attempts', 'BATON_WEBHOOK_MAX_ATTEMPTS', 50, 1, 1_000_000),
    listenerIntervalMs: int('listener-interval-ms', 'BATON_LISTENER_INTERVAL_MS', 500, 10, 600_000),
    alertIntervalMs: int('alert-interval-ms', 'BATON_ALERT_INTERVAL_MS', 15_000, 100, 3_600_000),
    testStoreFaults: faultSpec(pick('test-store-faults', 'BATON_TEST_STORE_FAULTS') ?? ''),
    testClockOffsetMs: int('test-clock-offset-ms', 'BATON_TEST_CLOCK_OFFSET_MS', 0, -86_400_000, 86_400_000),
  });
}

function faultSpec(raw: string): FaultSpec | null {
  if (raw.trim() === '') return null;
  try {
    return parseFaultSpec(raw);
  } catch (err) {
    throw new ConfigError(`BATON_TEST_STORE_FAULTS (--test-store-faults): ${err instanceof Error ? err.message : String(err)}`);
  }
}

function allowList(raw: string, setting = 'BATON_HTTP_TASK_ALLOW (--http-task-allow)'): readonly string[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const e of entries) {
    try {
      parseAllowEntry(e);
    } catch (err) {
      throw new ConfigError(`${setting}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return Object.freeze(entries);
}

function adminKeyOf(keyId: string | undefined, keySecret: string | undefined): Config['adminKey'] {
  if (!keyId && !keySecret) return null;
  if (!keyId || !keySecret)
    throw new ConfigError('BATON_ADMIN_KEY_ID and BATON_ADMIN_KEY_SECRET go together: set both to turn authentication on, or neither');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(keyId))
    throw new ConfigError('BATON_ADMIN_KEY_ID must be 1-100 letters, digits, dots, dashes or underscores');
  if (keySecret.length < 16) throw new ConfigError('BATON_ADMIN_KEY_SECRET must be at least 16 characters');
  return Object.freeze({ keyId, keySecret });
}

/** Loopback bind addresses: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackAddress(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
