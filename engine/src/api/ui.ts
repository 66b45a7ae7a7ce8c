import { existsSync } from 'node:fs';
import { join } from 'node:path';
import compression from 'compression';
import express, { Router } from 'express';

/**
 * The operators' UI's pages, with Conductor UI's URL scheme (ui/src/routes.tsx): a browser that
 * opens or reloads one of them gets the single-page app, which then routes on the client. Only
 * these paths fall back to index.html, so an unknown path stays a 404 and nothing under /api,
 * /health, /metrics, /api-docs or /swagger-ui (routed before this) is shadowed.
 */
export const uiPages: readonly string[] = [
  '/',
  '/executions',
  '/execution/:workflowId',
  '/execution/:workflowId/:taskId',
  '/workflowDefs',
  '/workflowDef',
  '/workflowDef/:name',
  '/workflowDef/:name/:version',
  '/taskDefs',
  '/taskDef',
  '/taskDef/:name',
  '/taskQueue',
  '/taskQueue/:taskType',
  '/poisonTasks',
  '/alerts',
];

/**
 * Serves the built UI (`npm run build` writes ui/dist): gzip-compressed (the bundle is text: the
 * transfer is about a quarter of its size), hashed assets cached for a year, the page itself
 * never cached, so a new build is picked up on the next load. Without a build the pages answer
 * 404 with how to make one. Only this router compresses: API answers are left as they are.
 */
export function uiRoutes(uiDir: string): Router {
  const r = Router();
  r.use(compression());
  const index = join(uiDir, 'index.html');
  r.use('/assets', express.static(join(uiDir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  r.use(express.static(uiDir, { index: false }));
  r.get(uiPages as string[], (_req, res) => {
    if (!existsSync(index)) {
      res.status(404).type('text/plain').send(`the operators' UI is not built: run \`npm run build\` (looked in ${uiDir})`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
