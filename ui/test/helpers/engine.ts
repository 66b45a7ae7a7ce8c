import type { BatonWorker } from '@baton/workers-sdk';
import { bigItems, registerUiFixtures, uiWorker, type UiWorkerControls } from '../../../scripts/src/ui-fixtures';
import { startTestServer, type TestServer } from '../../../engine/test/helpers/server';

export { bigItems };

/** A real engine (embedded store in a temporary folder) serving the built UI, with the fixtures and a worker. */
export interface UiEngine {
  server: TestServer;
  url: string;
  worker: BatonWorker;
  controls: UiWorkerControls;
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<any>;
  close: () => Promise<void>;
}

/** With authentication on, `credentials` gives the headers (a token) for the fixtures' set-up and the worker. */
export async function startUiEngine(
  env: Record<string, string> = {},
  credentials?: (url: string) => Promise<Record<string, string>>,
): Promise<UiEngine> {
  const server = await startTestServer('sqlite', { env: { BATON_SWEEP_INTERVAL_MS: '100', ...env } });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await server.req(method, path, body, headers);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  const admin = credentials ? await credentials(server.url) : {};
  await registerUiFixtures((m, p, b) => call(m, p, b, admin));
  const controls: UiWorkerControls = { flakyBroken: true, speed: (id) => (id.startsWith('X') ? 'express' : 'standard') };
  const worker = uiWorker(server.url, controls, credentials ? admin : undefined);
  await worker.start();
  return {
    server,
    url: server.url,
    worker,
    controls,
    call: (m, p, b, h = {}) => call(m, p, b, { ...admin, ...h }),
    close: async () => {
      await worker.stop();
      await server.close();
    },
  };
}

/** Polls the run until `ok` holds (generous deadline). */
export async function waitForRun(e: UiEngine, id: string, ok: (wf: any) => boolean, what: string, ms = 60_000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const wf = await e.call('GET', `/api/workflow/${id}?includeTasks=true`);
    if (ok(wf)) return wf;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}: status ${wf.status}, tasks ${wf.tasks?.map((t: any) => `${t.referenceTaskName}:${t.status}`).join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 150));
  }
}

export const openTask = (wf: any, ref: string) =>
  wf.tasks?.find((t: any) => t.referenceTaskName === ref && (t.status === 'SCHEDULED' || t.status === 'IN_PROGRESS'));
