import type { Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createApp } from './api/app';
import { Authenticator } from './auth/authenticator';
import { isLoopbackAddress } from './config';
import type { Config } from './config';
import { createMetrics } from './metrics';
import { systemClock, type Clock } from './runtime/clock';
import { Engine, defaultEngineOptions, type EngineOptions } from './runtime/engine';
import { Retention } from './runtime/retention';
import { Sweeper } from './runtime/sweeper';
import { HttpRunner } from './runtime/system-tasks/http-runner';
import { DestinationPolicy } from './runtime/system-tasks/http/destination-policy';
import { JqRunner } from './runtime/system-tasks/jq';
import type { Store } from './store/port';
import { SqliteStore } from './store/sqlite';

export interface RunningServer {
  engine: Engine;
  sweeper: Sweeper;
  server: Server;
  port: number;
  log: Logger;
  close(): Promise<void>;
}

export async function createStore(config: Config, log: Logger): Promise<Store> {
  if (config.mongodbUri) {
    const { MongoStore } = await import('./store/mongo');
    return new MongoStore({ uri: config.mongodbUri, dbName: config.mongodbDb || undefined, log });
  }
  return new SqliteStore({ file: join(config.dataDir, 'baton.sqlite'), synchronous: config.sqliteSync });
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
  const store = opts.store ?? (await createStore(config, log));
  await store.init();
  const metrics = createMetrics(store);
  const clock = opts.clock ?? systemClock;
  const engine = new Engine(store, clock, log, engineOptions(config), metrics.hooks);
  await engine.init();
  engine.reactions.configure({ retentionMs: config.eventRetentionDays * 86_400_000 });
  metrics.observeEngine(engine);
  const retention = new Retention(store, clock, log, {
    days: config.retentionDays,
    archive: config.retentionArchive,
    archiveDays: config.archiveRetentionDays,
    intervalMs: 60_000,
  });
  // Authentication is on when a bootstrap admin key is configured (docs/security.md).
  const authenticator = config.adminKey
    ? new Authenticator(store, clock, { bootstrap: config.adminKey, tokenTtlSeconds: config.tokenTtlSeconds, keyCacheMs: 2000 }, log)
    : null;
  await authenticator?.init();
  // Parsed before anything listens: a bad entry stops the start-up with its message.
  let listeningPort: number | null = null;
  const policy = DestinationPolicy.fromConfig(config.httpTaskAllow, () => listeningPort);
  const sweeper = new Sweeper(engine, log, { intervalMs: config.sweepIntervalMs, unappliedGraceMs: 2000, batch: 200 });
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
    limits: { maxResponseBytes: config.httpMaxResponseBytes, maxConnectTimeoutMs: config.httpMaxConnectTimeoutMs, maxReadTimeoutMs: config.httpMaxReadTimeoutMs },
  });
  httpRunner.start();
  // One jq pool for JSON_JQ_TRANSFORM tasks and workflow queries (runtime/reactions/queries.ts).
  const jqRunner = new JqRunner(engine, log, `baton-jq-${process.pid}`, engine.reactions.jq);
  jqRunner.start();
  log.info({ host: config.host, port, store: store.kind, authentication: authenticator ? 'on' : 'off' }, 'baton engine listening');
  if (!authenticator && loopback) {
    log.info({ host: config.host }, `authentication is off: serving ${config.host} only (set BATON_ADMIN_KEY_ID and BATON_ADMIN_KEY_SECRET to serve other addresses)`);
  } else if (!authenticator) {
    log.warn({ host: config.host }, `authentication is off and the engine listens on ${config.host} (--allow-unauthenticated-bind): anyone who reaches port ${port} can read every payload and run, change or stop every workflow`);
  }
  let closing: Promise<void> | null = null;
  return {
    engine,
    sweeper,
    server,
    port,
    log,
    close: () =>
      (closing ??= (async () => {
        await sweeper.stop();
        await retention.stop();
        await httpRunner.stop();
        await jqRunner.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // Closing the sockets aborted the parked long polls; let their last claim finish.
        await engine.quiesce(2000);
        await engine.close();
        metrics.stop();
        // A store whose server is gone may never answer close(); do not hang the shutdown on it.
        await Promise.race([store.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
      })()),
  };
}
