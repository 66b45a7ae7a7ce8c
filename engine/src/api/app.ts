import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import { NotFoundError } from '../errors';
import type { Engine } from '../runtime/engine';
import { errorMiddleware } from './problem';
import { apiDocsRoutes } from './routes/api-docs';
import { executeRoutes } from './routes/execute';
import { lifecycleRoutes } from './routes/lifecycle';
import { metadataRoutes } from './routes/metadata';
import { taskSearchRoutes, workflowSearchRoutes } from './routes/search';
import { taskExtraRoutes } from './routes/task-extras';
import { taskRoutes } from './routes/tasks';
import { workflowRoutes } from './routes/workflow';

export interface AppOptions {
  uiDir?: string;
  metrics?: Registry;
  httpRequests?: Counter<'route'>;
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
  app.use(express.json({ limit: '5mb', strict: false }));
  app.use(express.text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'], limit: '5mb' }));

  app.get(['/health', '/api/health'], (_req, res) => {
    res.json({ healthy: true, store: engine.store.kind });
  });
  if (options.metrics) {
    const registry = options.metrics;
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  app.use(apiDocsRoutes());
  app.use('/api/metadata', metadataRoutes(engine));
  // Route groups before the generic ones, whose '/:workflowId' or '/:taskId' would take their paths.
  app.use('/api/workflow', workflowSearchRoutes(engine));
  app.use('/api/workflow', executeRoutes(engine));
  app.use('/api/workflow', lifecycleRoutes(engine));
  app.use('/api/workflow', workflowRoutes(engine));
  app.use('/api/tasks', taskSearchRoutes(engine));
  app.use('/api/tasks', taskExtraRoutes(engine));
  app.use('/api/tasks', taskRoutes(engine));
  app.use('/api', (req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.originalUrl}`)));
  if (options.uiDir && existsSync(options.uiDir)) app.use(express.static(options.uiDir));
  app.use(errorMiddleware(log));
  return app;
}
