import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import { NotFoundError } from '../errors';
import type { Engine } from '../runtime/engine';
import { errorMiddleware } from './problem';
import { metadataRoutes } from './routes/metadata';
import { taskRoutes } from './routes/tasks';
import { workflowRoutes } from './routes/workflow';

export interface AppOptions {
  uiDir?: string;
  metrics?: Registry;
  httpRequests?: Counter<'route'>;
  /** Largest request body (payload limit plus room for the envelope around it). */
  bodyLimitBytes?: number;
}

/** The HTTP surface. Paths and field names follow Conductor's REST API under /api. */
export function createApp(engine: Engine, log: Logger, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const counter = options.httpRequests;
  if (counter) {
    // Label by the first path segments only: task types and ids would explode the label set.
    app.use((req, _res, next) => {
      const [, a = '', b = '', c = ''] = req.path.split('/');
      counter.inc({ route: `${req.method} /${a}/${b}${b === 'tasks' && c === 'poll' ? '/poll' : ''}` });
      next();
    });
  }
  const limit = options.bodyLimitBytes ?? 5 * 1024 * 1024;
  app.use(express.json({ limit, strict: false }));
  app.use(express.text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'], limit }));

  app.get('/health', (_req, res) => {
    res.json({ healthy: true, store: engine.store.kind });
  });
  if (options.metrics) {
    const registry = options.metrics;
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  app.use('/api/metadata', metadataRoutes(engine));
  app.use('/api/workflow', workflowRoutes(engine));
  app.use('/api/tasks', taskRoutes(engine));
  app.use('/api', (req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.originalUrl}`)));
  if (options.uiDir && existsSync(options.uiDir)) app.use(express.static(options.uiDir));
  app.use(errorMiddleware(log));
  return app;
}
