import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import type { Authenticator } from '../auth/authenticator';
import { NotFoundError } from '../errors';
import type { Engine } from '../runtime/engine';
import { accessControl } from './access/guard';
import { requireJsonOrYaml, yamlMediaTypes } from './access/media-type';
import { errorMiddleware } from './problem';
import { keyRoutes, tokenRoutes } from './routes/auth';
import { apiDocsRoutes } from './routes/api-docs';
import { executeRoutes } from './routes/execute';
import { lifecycleRoutes } from './routes/lifecycle';
import { metadataRoutes } from './routes/metadata';
import { payloadLocationRoutes } from './routes/payload-locations';
import { payloadRoutes } from './routes/payloads';
import { taskSearchRoutes, workflowSearchRoutes } from './routes/search';
import { taskExtraRoutes } from './routes/task-extras';
import { taskRoutes } from './routes/tasks';
import { workflowRoutes } from './routes/workflow';
import { eventHandlerRoutes, eventRoutes } from './routes/events';
import { schedulerRoutes } from './routes/scheduler';
import { alertRoutes, listenerRoutes } from './routes/listeners';
import { taskSignalRoutes } from './routes/task-signals';
import { workflowReactionRoutes } from './routes/workflow-reactions';
import { uiRoutes } from './ui';

export interface AppOptions {
  uiDir?: string;
  metrics?: Registry;
  httpRequests?: Counter<'route'>;
  /** Largest request body (payload limit plus room for the envelope around it). */
  bodyLimitBytes?: number;
  /** Authentication (null: off) and the rebinding guard of an unauthenticated loopback engine (docs/security.md). */
  access?: { authenticator: Authenticator | null; loopbackOnly: boolean };
}

/** The HTTP surface. Paths and field names follow Conductor's REST API under /api. */
export function createApp(engine: Engine, log: Logger, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const authenticator = options.access?.authenticator ?? null;
  // Route rule, request metric (labelled by route template), browser guards, authentication and
  // role checks, before any body is read; task-type limits of worker keys once it is (access/).
  const access = accessControl(engine, {
    authenticator,
    loopbackOnly: options.access?.loopbackOnly ?? false,
    ...(options.httpRequests ? { httpRequests: options.httpRequests } : {}),
  });
  app.use(access.beforeBody);
  app.use(requireJsonOrYaml());
  // Payload uploads stream to the payload store: before the body parsers, which would buffer them (docs/payloads.md).
  app.use('/api/payloads', payloadRoutes(engine));
  const limit = options.bodyLimitBytes ?? 5 * 1024 * 1024;
  app.use(express.json({ limit, strict: false }));
  app.use(express.text({ type: yamlMediaTypes, limit }));
  app.use(access.afterBody);

  app.get(['/health', '/api/health'], (_req, res) => {
    res.json({ healthy: true, store: engine.store.kind });
  });
  if (options.metrics) {
    const registry = options.metrics;
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  if (authenticator) {
    app.use('/api/token', tokenRoutes(authenticator));
    app.use('/api/admin/keys', keyRoutes(engine, authenticator));
  } else {
    // Conductor's SDKs read a 404 here as "no authentication" and go on without a token.
    app.use(['/api/token', '/api/admin/keys'], (_req, _res, next) =>
      next(new NotFoundError('authentication is off: set BATON_ADMIN_KEY_ID and BATON_ADMIN_KEY_SECRET to use tokens and API keys')),
    );
  }
  app.use(apiDocsRoutes());
  app.use('/api/metadata', metadataRoutes(engine));
  // Route groups before the generic ones, whose '/:workflowId' or '/:taskId' would take their paths.
  // Events, handlers, schedules; signals, queries and flow status of a workflow (runtime/reactions).
  app.use('/api/events', eventRoutes(engine));
  app.use('/api/event', eventHandlerRoutes(engine));
  app.use('/api/scheduler', schedulerRoutes(engine));
  // Status listeners' webhooks and deliveries, alerts and their rules (docs/alerts.md).
  app.use('/api/listeners', listenerRoutes(engine));
  app.use('/api/alerts', alertRoutes(engine));
  app.use('/api/workflow', payloadLocationRoutes(engine, 'workflow'));
  app.use('/api/tasks', payloadLocationRoutes(engine, 'tasks'));
  app.use('/api/workflow', workflowReactionRoutes(engine));
  app.use('/api/workflow', workflowSearchRoutes(engine));
  app.use('/api/workflow', executeRoutes(engine));
  app.use('/api/workflow', lifecycleRoutes(engine));
  app.use('/api/workflow', workflowRoutes(engine));
  app.use('/api/tasks', taskSignalRoutes(engine));
  app.use('/api/tasks', taskSearchRoutes(engine));
  app.use('/api/tasks', taskExtraRoutes(engine));
  app.use('/api/tasks', taskRoutes(engine));
  app.use('/api', (req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.originalUrl}`)));
  if (options.uiDir) app.use(uiRoutes(options.uiDir));
  app.use(errorMiddleware(log));
  return app;
}
