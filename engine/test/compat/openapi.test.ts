import { alertRoutes, listenerRoutes } from '../../src/api/routes/listeners';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protocol from '@baton/protocol';
import * as sdk from '@baton/workers-sdk';
import type { Router } from 'express';
import { openApiDocument } from '../../src/api/openapi/document';
import { eventHandlerRoutes, eventRoutes } from '../../src/api/routes/events';
import { schedulerRoutes } from '../../src/api/routes/scheduler';
import { taskSignalRoutes } from '../../src/api/routes/task-signals';
import { workflowReactionRoutes } from '../../src/api/routes/workflow-reactions';
import { routeDocs } from '../../src/api/openapi/routes';
import { apiDocsRoutes } from '../../src/api/routes/api-docs';
import { executeRoutes } from '../../src/api/routes/execute';
import { lifecycleRoutes } from '../../src/api/routes/lifecycle';
import { metadataRoutes } from '../../src/api/routes/metadata';
import { taskSearchRoutes, workflowSearchRoutes } from '../../src/api/routes/search';
import { taskExtraRoutes } from '../../src/api/routes/task-extras';
import { taskRoutes } from '../../src/api/routes/tasks';
import { workflowRoutes } from '../../src/api/routes/workflow';
import { startTestServer, type TestServer } from '../helpers/server';

const CHECKED_IN = join(__dirname, '../../../docs/openapi.json');

/**
 * One source for the wire: the document served at /api-docs, its checked-in copy, the route
 * validators and the SDK's types all come from @baton/protocol and the route table. This fails
 * when any of them drifts: a stale docs/openapi.json, a route without its entry or an entry
 * without its route, a component that is not the validators' schema, SDK types of their own.
 */
describe('the OpenAPI document', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(() => s.close());

  it('is checked in up to date (`npm run openapi` regenerates docs/openapi.json) and is what /api-docs serves', async () => {
    const generated = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
    expect(readFileSync(CHECKED_IN, 'utf8')).toBe(generated);
    const served = await s.req('GET', '/api-docs');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(generated));
    expect(served.body.openapi).toBe('3.1.0');
  });

  it('resolves every $ref to a component', () => {
    const doc = openApiDocument() as { components: { schemas: Record<string, unknown> } };
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const r of refs) expect(doc.components.schemas).toHaveProperty(r.replace('#/components/schemas/', ''));
  });

  it("states the validators' own schemas as its components", () => {
    const components = (openApiDocument() as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const name of ['TaskResult', 'StartWorkflowRequest', 'TaskSummary', 'WorkflowSummary', 'BulkResponse', 'Problem'] as const) {
      expect(components[name]).toEqual(JSON.parse(JSON.stringify(protocol[name])));
    }
  });

  it("gives the SDK the same wire types (the SDK re-exports @baton/protocol's, it declares none of its own)", () => {
    expect(sdk.TaskResultStatus).toBe(protocol.TaskResultStatus);
    expect(sdk.TaskStatus).toBe(protocol.TaskStatus);
    expect(sdk.WorkflowStatus).toBe(protocol.WorkflowStatus);
  });

  it('documents every route the engine serves, and the engine serves every documented one', async () => {
    const groups: Array<[string, Router]> = [
      ['', apiDocsRoutes()],
      ['/api/metadata', metadataRoutes(s.engine)],
      ['/api/events', eventRoutes(s.engine)],
      ['/api/event', eventHandlerRoutes(s.engine)],
      ['/api/scheduler', schedulerRoutes(s.engine)],
      ['/api/listeners', listenerRoutes(s.engine)],
      ['/api/alerts', alertRoutes(s.engine)],
      ['/api/workflow', workflowReactionRoutes(s.engine)],
      ['/api/tasks', taskSignalRoutes(s.engine)],
      ['/api/workflow', workflowSearchRoutes(s.engine)],
      ['/api/workflow', executeRoutes(s.engine)],
      ['/api/workflow', lifecycleRoutes(s.engine)],
      ['/api/workflow', workflowRoutes(s.engine)],
      ['/api/tasks', taskSearchRoutes(s.engine)],
      ['/api/tasks', taskExtraRoutes(s.engine)],
      ['/api/tasks', taskRoutes(s.engine)],
    ];
    const served = new Set<string>();
    for (const [prefix, router] of groups) {
      for (const layer of (router as unknown as { stack: Array<{ route?: { path: string | string[]; methods: Record<string, boolean> } }> })
        .stack) {
        if (!layer.route) continue;
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const m of Object.keys(layer.route.methods)) {
            const path = `${prefix}${p === '/' ? '' : p}`.replace(/:(\w+)/g, '{$1}') || '/';
            served.add(`${m} ${path}`);
          }
        }
      }
    }
    // The reference page's own files are not API operations.
    const pageFiles = [...served].filter((r) => r.includes('/swagger-ui') || r.includes('/docs'));
    pageFiles.forEach((r) => served.delete(r));
    const documented = new Set(routeDocs.map((r) => `${r.method} ${r.path}`));
    documented.delete('get /health');
    documented.delete('get /api/health');
    documented.delete('get /metrics');
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);

    // And through the running app: no documented operation answers "no route".
    for (const r of routeDocs) {
      const path = r.path.replace(/\{[^}]+\}/g, 'x');
      const res = await s.req(r.method.toUpperCase(), path, r.method === 'get' || r.method === 'delete' ? undefined : {});
      expect({ op: `${r.method} ${r.path}`, noRoute: String(res.body?.detail ?? '').startsWith('no route for') }).toEqual({
        op: `${r.method} ${r.path}`,
        noRoute: false,
      });
    }
  });

  it('comes with a browsable reference made of local files', async () => {
    const page = await s.req('GET', '/swagger-ui/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'baton-init.js']) {
      const r = await fetch(`${s.url}/swagger-ui/${asset}`);
      expect([asset, r.status]).toEqual([asset, 200]);
    }
    expect((await fetch(`${s.url}/swagger-ui`, { redirect: 'manual' })).status).toBe(302);
  });
});
