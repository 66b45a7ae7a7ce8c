import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { loadConfig, startServer } from '@baton/engine';
import pino from 'pino';
import { chromium, type Page } from 'playwright-core';
import { bigItems, registerUiFixtures, uiWorker } from './ui-fixtures';

/**
 * UI benchmark (`npm run bench:ui`): an engine runs a workflow of 1,000 worker tasks (a dynamic
 * fork of ui_item, served by an SDK worker), then Debian's Chromium opens its execution page,
 * cold (a new browser context: empty cache) each time, and this prints:
 *   - time to interactive: from navigation start until the run is on screen (header, actions, graph
 *     laid out) and the main thread has had no long task (> 50 ms) for 500 ms (the end of the last
 *     long task, if later than the content);
 *   - the same split into: first contentful paint, run shown, graph laid out;
 *   - one interaction on the loaded page: opening the Tasks tab (1,002 rows, virtualized) until
 *     its rows are on screen;
 *   - the bytes the first load fetched, gzip-compressed as the engine serves them: the main
 *     thread's (HTML, JS, CSS) and, apart, the ELK layout worker's.
 * Targets (issue 12): under 1 s to interactive, under 500 KB for the first load. Prints numbers;
 * asserts nothing. Chromium: /usr/bin/chromium (BATON_CHROMIUM to override).
 *
 *   npm run bench:ui                     # 1,000 tasks, 7 loads
 *   npm run bench:ui -- --tasks 5000 --loads 3
 */
const { values: opt } = parseArgs({ options: { tasks: { type: 'string', default: '1000' }, loads: { type: 'string', default: '7' } } });
const TASKS = Number(opt.tasks);
const LOADS = Number(opt.loads);
const UI_DIST = join(__dirname, '../../ui/dist');

interface Load {
  fcp: number;
  shown: number;
  graph: number;
  tti: number;
  tabToRows: number;
  mainBytes: { raw: number; gzip: number; files: number };
  workerBytes: { raw: number; gzip: number };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-ui-'));
  const config = loadConfig([], { PORT: '0', HOST: '127.0.0.1', BATON_DATA_DIR: dir, MONGODB_URI: '', LOG_LEVEL: 'warn' });
  const server = await startServer(config, { log: pino({ level: 'warn' }) });
  const url = `http://127.0.0.1:${server.port}`;
  const call = async (method: string, path: string, body?: unknown): Promise<string> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text;
  };
  await registerUiFixtures(call);
  const worker = uiWorker(url, { flakyBroken: false, speed: () => 'standard' });
  await worker.start();
  const browser = await chromium.launch({
    executablePath: process.env.BATON_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const t0 = Date.now();
    const id = await call('POST', '/api/workflow/ui_big', { items: bigItems(TASKS) });
    for (;;) {
      const wf = JSON.parse(await call('GET', `/api/workflow/${id}?includeTasks=false`)) as { status: string };
      if (wf.status === 'COMPLETED') break;
      if (wf.status !== 'RUNNING') throw new Error(`the run ended ${wf.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const runJson = await call('GET', `/api/workflow/${id}?includeTasks=true`);
    console.log(
      `a run of ${TASKS + 2} tasks completed in ${((Date.now() - t0) / 1000).toFixed(1)} s; GET /api/workflow/{id}?includeTasks=true is ${kb(runJson.length)} KB of JSON`,
    );

    const loads: Load[] = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const fetched = new Map<string, string>();
      page.on('response', (r) => {
        const u = new URL(r.url());
        if (u.origin === url && (u.pathname.startsWith('/assets/') || u.pathname.startsWith('/execution/')))
          fetched.set(u.pathname, r.request().resourceType());
      });
      await page.addInitScript(instrument);
      await page.goto(`${url}/execution/${id}`);
      const m = await measure(page);
      const tabToRows = await page.evaluate(async () => {
        const start = performance.now();
        const tab = Array.from(document.querySelectorAll<HTMLButtonElement>('[role=tab]')).find((b) => b.textContent?.startsWith('Tasks'));
        tab?.click();
        for (;;) {
          if (document.querySelector('[data-testid=task-rows] [role=row]')) return performance.now() - start;
          await new Promise((r) => requestAnimationFrame(r));
        }
      });
      loads.push({ ...m, tabToRows, ...bytesOf(fetched) });
      await context.close();
    }
    report(loads);
    const landing = await landingBytes(browser, url);
    console.log(`  landing page (/executions) ${kb(landing.gzip)} KB   (${kb(landing.raw)} KB, ${landing.files} files)`);
  } finally {
    await browser.close();
    await worker.stop();
    await server.close();
  }
}

/** Runs in the page before its scripts: long tasks and the moments the run and the graph appear. */
function instrument(): void {
  const w = window as unknown as { __bench: { longTasks: Array<[number, number]>; shown?: number; graph?: number } };
  w.__bench = { longTasks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__bench.longTasks.push([e.startTime, e.startTime + e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    const b = w.__bench;
    if (b.shown === undefined && document.querySelector('[data-testid=execution][data-tasks] [role=toolbar] button'))
      b.shown = performance.now();
    if (b.graph === undefined && document.querySelector('[data-testid=graph] .react-flow__node')) b.graph = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
}

async function measure(page: Page): Promise<Pick<Load, 'fcp' | 'shown' | 'graph' | 'tti'>> {
  await page.waitForFunction(
    () => {
      const b = (window as unknown as { __bench: { shown?: number; graph?: number } }).__bench;
      return b.shown !== undefined && b.graph !== undefined;
    },
    undefined,
    { timeout: 60_000 },
  );
  // Quiet: 500 ms without a new long task after the content is there.
  return page.evaluate(async () => {
    const b = (window as unknown as { __bench: { longTasks: Array<[number, number]>; shown: number; graph: number } }).__bench;
    const ready = Math.max(b.shown, b.graph);
    for (;;) {
      const lastEnd = Math.max(ready, ...b.longTasks.map(([, end]) => end));
      if (performance.now() - lastEnd >= 500) {
        const fcp = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')?.startTime ?? 0;
        return { fcp, shown: b.shown, graph: b.graph, tti: lastEnd };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

/** The first load of the executions list, the UI's landing page. */
async function landingBytes(browser: import('playwright-core').Browser, url: string): Promise<Load['mainBytes']> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = new Map<string, string>();
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin === url && (u.pathname.startsWith('/assets/') || u.pathname === '/executions'))
      fetched.set(u.pathname, r.request().resourceType());
  });
  await page.goto(`${url}/executions`);
  await page.waitForSelector('table[aria-label="Executions"] tbody tr');
  await context.close();
  return bytesOf(fetched).mainBytes;
}

/** What the load fetched, measured on the built files, gzipped (as the engine serves them). */
function bytesOf(fetched: Map<string, string>): Pick<Load, 'mainBytes' | 'workerBytes'> {
  const main = { raw: 0, gzip: 0, files: 0 };
  const worker = { raw: 0, gzip: 0 };
  for (const [path] of fetched) {
    // Pages are index.html; assets are files of the build.
    const file = path.startsWith('/assets/') ? join(UI_DIST, path) : join(UI_DIST, 'index.html');
    const body = readFileSync(file);
    const gz = gzipSync(body).length;
    if (path.includes('elk-worker')) {
      worker.raw += body.length;
      worker.gzip += gz;
    } else {
      main.raw += body.length;
      main.gzip += gz;
      main.files += 1;
    }
  }
  return { mainBytes: main, workerBytes: worker };
}

function report(loads: Load[]): void {
  const med = (f: (l: Load) => number) => median(loads.map(f));
  console.log(
    `\nexecution page of a ${TASKS + 2}-task run, ${loads.length} cold loads (new browser context each), medians (load average ${loadavg()[0]?.toFixed(1)} on this machine):`,
  );
  console.log(
    `  time to interactive      ${ms(med((l) => l.tti))}   (target < 1000 ms; each load: ${loads.map((l) => Math.round(l.tti)).join(', ')})`,
  );
  console.log(`  first contentful paint   ${ms(med((l) => l.fcp))}`);
  console.log(`  run on screen            ${ms(med((l) => l.shown))}`);
  console.log(`  graph laid out (ELK)     ${ms(med((l) => l.graph))}`);
  console.log(`  Tasks tab to its rows    ${ms(med((l) => l.tabToRows))}   (${TASKS + 2} rows, virtualized)`);
  const first = loads[0] as Load;
  console.log(`\nfirst load, gzip as served (raw in brackets):`);
  console.log(
    `  page (HTML, JS, CSS)     ${kb(first.mainBytes.gzip)} KB   (${kb(first.mainBytes.raw)} KB, ${first.mainBytes.files} files; target < 500 KB)`,
  );
  console.log(
    `  ELK layout worker        ${kb(first.workerBytes.gzip)} KB   (${kb(first.workerBytes.raw)} KB; a web worker, fetched with the graph, off the main thread)`,
  );
  console.log(`  together                 ${kb(first.mainBytes.gzip + first.workerBytes.gzip)} KB`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const ms = (x: number) => `${Math.round(x).toString().padStart(5)} ms`;
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
