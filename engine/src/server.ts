import type { Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { createApp } from './api/app';
import { createPayloadStore } from './payloads';
import { Authenticator } from './auth/authenticator';
import { isLoopbackAddress } from './config';
import type { Config } from './config';
import { createMetrics } from './metrics';
import { offsetClock, systemClock, type Clock } from './runtime/clock';
import { Engine, defaultEngineOptions, type EngineOptions } from './runtime/engine';
import { Retention } from './runtime/retention';
import { Sweeper } from './runtime/sweeper';
import { HttpRunner } from './runtime/system-tasks/http-runner';
import { DestinationPolicy } from './runtime/system-tasks/http/destination-policy';
import { JqRunner } from './runtime/system-tasks/jq';
import { FaultPlan, withStoreFaults, withWriteFaults } from './store/faults';
import type { Store } from './store/port';
import { SqliteStore } from './store/sqlite';
import { withSqliteErrors } from './store/sqlite/errors';

export interface RunningServer {
  engine: Engine;
  sweeper: Sweeper;
  retention: Retention;
  server: Server;
  port: number;
  log: Logger;
  /** TEST-ONLY: the store fault injector, when BATON_TEST_STORE_FAULTS is set. */
  faults: FaultPlan | null;
  close(): Promise<void>;
}

export async function createStore(config: Config, log: Logger, faults: FaultPlan | null = null): Promise<Store> {
  let store: Store;
  if (config.mongodbUri) {
    const { MongoStore } = await import('./store/mongo');
    const wrapCollections = faults ? (c: Parameters<typeof withWriteFaults>[0]) => withWriteFaults(c, faults) : undefined;
    store = new MongoStore({
      uri: config.mongodbUri,
      dbName: config.mongodbDb || undefined,
      log,
      ...(wrapCollections ? { wrapCollections } : {}),
    });
  } else {
    store = withSqliteErrors(new SqliteStore({ file: join(config.dataDir, 'baton.sqlite'), synchronous: config.sqliteSync }));
  }
  // TEST-ONLY: BATON_TEST_STORE_FAULTS (docs/reliability.md).
  return faults ? withStoreFaults(store, faults.spec, faults).store : store;
}

/** The engine's options from the configuration (the rest keep their defaults). */
export function engineOptions(config: Config): EngineOptions {
  return {
    ...defaultEngineOptions,
    pollRecheckMs: config.pollRecheckMs,
    scriptTimeoutMs: config.scriptTimeoutMs,
    scriptMemoryMb: config.scriptMemoryMb,
    scriptThreads: config.scriptThreads,
    engineTaskLeaseMs: config.engineTaskLeaseMs,
    scriptMsPerDecision: config.decisionScriptMs,
    maxWorkflowDepth: config.maxWorkflowDepth,
    maxDefinitionTasks: config.maxDefinitionTasks,
    maxRetryCount: config.maxRetryCount,
    maxJsonDepth: config.maxJsonDepth,
    decide: {
      stepsPerDecision: config.decisionSteps,
      scriptsPerDecision: config.decisionScripts,
      maxForkBranches: config.maxForkBranches,
      maxLoopIterations: config.maxLoopIterations,
      maxPayloadBytes: config.maxPayloadBytes,
    },
  };
}

/** Wires store, engine, sweeper and HTTP server together; used by main.ts and by tests. */
export async function startServer(config: Config, opts: { clock?: Clock; log?: Logger; store?: Store } = {}): Promise<RunningServer> {
  const log = opts.log ?? pino({ level: config.logLevel, base: { service: 'baton-engine' } });
  const faults = config.testStoreFaults ? new FaultPlan(config.testStoreFaults) : null;
  if (faults)
    log.warn(
      { faults: config.testStoreFaults },
      'TEST-ONLY store fault injection is on (BATON_TEST_STORE_FAULTS): the engine fails on purpose',
    );
  const store = opts.store ?? (await createStore(config, log, faults));
  await store.init();
  const metrics = createMetrics(store);
  // TEST-ONLY: BATON_TEST_CLOCK_OFFSET_MS skews this engine's clock (docs/reliability.md).
  const clock = opts.clock ?? offsetClock(systemClock, config.testClockOffsetMs);
  if (config.testClockOffsetMs !== 0)
    log.warn({ offsetMs: config.testClockOffsetMs }, 'TEST-ONLY clock offset is on (BATON_TEST_CLOCK_OFFSET_MS)');
  const engine = new Engine(store, clock, log, engineOptions(config), metrics.hooks);
  await engine.init();
  // External payload storage (docs/payloads.md): files beside the SQLite file, or GridFS.
  const external = config.externalPayloadThresholdBytes > 0 ? await createPayloadStore(config, store.kind, log) : null;
  if (external) {
    external.setSecret(await store.tokenSigningSecret(randomBytes(48).toString('base64url')));
    engine.useExternalPayloads(external);
  }
  engine.reactions.configure({ retentionMs: config.eventRetentionDays * 86_400_000 });
  metrics.observeEngine(engine);
  const retention = new Retention(store, clock, log, {
    days: config.retentionDays,
    archive: config.retentionArchive,
    archiveDays: config.archiveRetentionDays,
    intervalMs: 60_000,
  });
  if (external) retention.usePayloads(external, (id) => store.getArchivedWorkflow(id));
  // Authentication is on when a bootstrap admin key is configured (docs/security.md).
  const authenticator = config.adminKey
    ? new Authenticator(store, clock, { bootstrap: config.adminKey, tokenTtlSeconds: config.tokenTtlSeconds, keyCacheMs: 2000 }, log)
    : null;
  await authenticator?.init();
  // Parsed before anything listens: a bad entry stops the start-up with its message.
  let listeningPort: number | null = null;
  const policy = DestinationPolicy.fromConfig(config.httpTaskAllow, () => listeningPort);
  // Status listeners and alerts (docs/alerts.md): webhooks get the HTTP task's destination policy, with their own allow-list.
  engine.listeners.configure(
    {
      intervalMs: config.listenerIntervalMs,
      timeoutMs: config.webhookTimeoutMs,
      backoffMs: config.webhookBackoffMs,
      maxBackoffMs: config.webhookMaxBackoffMs,
      maxAttempts: config.webhookMaxAttempts,
      alertIntervalMs: config.alertIntervalMs,
      policy: DestinationPolicy.fromConfig(config.webhookAllow, () => listeningPort),
    },
    metrics.listenerHooks,
  );
  const sweeper = new Sweeper(engine, log, {
    intervalMs: config.sweepIntervalMs,
    unappliedGraceMs: 2000,
    batch: 200,
    clockSkewMs: config.maxClockSkewMs,
  });
  const loopback = isLoopbackAddress(config.host);
  const app = createApp(engine, log, {
    uiDir: config.uiDir,
    metrics: metrics.registry,
    httpRequests: metrics.httpRequests,
    bodyLimitBytes: config.maxPayloadBytes + 256 * 1024,
    access: { authenticator, loopbackOnly: !authenticator && loopback },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  // Long polls can hold a socket for up to 30 s; keep-alive must outlive the gap between polls.
  server.keepAliveTimeout = 65_000;
  sweeper.start();
  retention.start();
  // HTTP system tasks, run by the engine itself from its internal queue.
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  listeningPort = port;
  const httpRunner = new HttpRunner(engine, log, {
    concurrency: config.httpConcurrency,
    workerId: `baton-http-${process.pid}`,
    policy,
    limits: {
      maxResponseBytes: config.httpMaxResponseBytes,
      maxConnectTimeoutMs: config.httpMaxConnectTimeoutMs,
      maxReadTimeoutMs: config.httpMaxReadTimeoutMs,
    },
  });
  httpRunner.start();
  // One jq pool for JSON_JQ_TRANSFORM tasks and workflow queries (runtime/reactions/queries.ts).
  const jqRunner = new JqRunner(engine, log, `baton-jq-${process.pid}`, engine.reactions.jq);
  jqRunner.start();
  await engine.listeners.start();
  faults?.arm();
  log.info({ host: config.host, port, store: store.kind, authentication: authenticator ? 'on' : 'off' }, 'baton engine listening');
  if (!authenticator && loopback) {
    log.info(
      { host: config.host },
      `authentication is off: serving ${config.host} only (set BATON_ADMIN_KEY_ID and BATON_ADMIN_KEY_SECRET to serve other addresses)`,
    );
  } else if (!authenticator) {
    log.warn(
      { host: config.host },
      `authentication is off and the engine listens on ${config.host} (--allow-unauthenticated-bind): anyone who reaches port ${port} can read every payload and run, change or stop every workflow`,
    );
  }
  let closing: Promise<void> | null = null;
  return {
    engine,
    sweeper,
    retention,
    server,
    port,
    log,
    faults,
    close: () =>
      (closing ??= (async () => {
        faults?.disarm();
        await sweeper.stop();
        await retention.stop();
        await httpRunner.stop();
        await jqRunner.stop();
        await engine.listeners.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // Closing the sockets aborted the parked long polls; let their last claim finish.
        await engine.quiesce(2000);
        await engine.close();
        await external?.blobs.close();
        metrics.stop();
        // A store whose server is gone may never answer close(); do not hang the shutdown on it.
        await Promise.race([store.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
      })()),
  };
}
