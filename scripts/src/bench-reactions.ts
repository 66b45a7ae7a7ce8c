import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, startServer } from '@baton/engine';
import pino from 'pino';

/**
 * Reactions benchmark: over HTTP against an engine of its own, times
 *   events:  N events published, each starting a run through a handler (until all are processed);
 *   signals: N signals to N runs waiting in WAIT_FOR_SIGNAL (until every run completed);
 *   flow:    N runs of one flow-control key (limit 1) queued, then let in one by one as each ends,
 *            with a run of another key started behind them (its admission, counted in A slots).
 * Prints numbers; asserts nothing.
 *
 *   npm run bench:reactions                       # 500 of each, embedded store
 *   npm run bench:reactions -- --n 2000 --mongodb # MONGODB_URI
 */
const { values: opt } = parseArgs({ options: { n: { type: 'string', default: '500' }, mongodb: { type: 'boolean', default: false } } });
const N = Number(opt.n);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-reactions-'));
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  if (opt.mongodb) {
    if (!process.env.MONGODB_URI) throw new Error('--mongodb needs MONGODB_URI');
    Object.assign(env, { MONGODB_URI: process.env.MONGODB_URI, BATON_MONGODB_DB: `baton_bench_reactions_${Date.now()}` });
  } else Object.assign(env, { MONGODB_URI: '', BATON_DATA_DIR: dir });
  const server = await startServer(loadConfig([], env), { log: pino({ level: 'warn' }) });
  const url = `http://127.0.0.1:${server.port}`;
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const until = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 600_000;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const count = async (query: string): Promise<number> =>
    (await call('GET', `/api/workflow/search?query=${encodeURIComponent(query)}&size=0`)).totalHits;
  try {
    await call('POST', '/api/metadata/taskdefs', [{ name: 'work' }]);
    await call('PUT', '/api/metadata/workflow', [
      { name: 'on_event', version: 1, tasks: [{ name: 'noop', taskReferenceName: 'noop', type: 'NOOP' }] },
      {
        name: 'waits',
        version: 1,
        tasks: [{ name: 's', taskReferenceName: 's', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'go' } }],
      },
      {
        name: 'keyed',
        version: 1,
        tasks: [{ name: 'work', taskReferenceName: 'work' }],
        flowControl: { concurrency: [{ key: '${workflow.input.tenant}', limit: 1 }] },
      },
    ]);
    await call('POST', '/api/event', {
      name: 'h',
      event: 'conductor:bench',
      actions: [{ action: 'start_workflow', start_workflow: { name: 'on_event', input: { n: '${n}' } } }],
    });
    out(`store: ${server.engine.store.kind}; n = ${N}`);

    let t = Date.now();
    for (let i = 0; i < N; i++) await call('POST', '/api/events', { name: 'bench', data: { n: i } });
    const published = Date.now() - t;
    await until('events processed', async () => (await count('workflowType IN (on_event) AND status IN (COMPLETED)')) === N);
    const events = Date.now() - t;
    out(
      `events:  ${N} published in ${published} ms (${Math.round((N * 1000) / published)}/s, stored before each 202); all ${N} runs started and completed after ${events} ms (${Math.round((N * 1000) / events)}/s)`,
    );

    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push(await call('POST', '/api/workflow/waits', {}));
    await until('waits armed', async () => (await server.engine.store.signalWaits(ids[N - 1] as string, 'go')).length === 1);
    t = Date.now();
    for (const id of ids) await call('POST', `/api/workflow/${id}/signal/go`, { ok: true });
    const sent = Date.now() - t;
    await until('signalled runs completed', async () => (await count('workflowType IN (waits) AND status IN (COMPLETED)')) === N);
    const signals = Date.now() - t;
    out(
      `signals: ${N} sent in ${sent} ms (${Math.round((N * 1000) / sent)}/s, each stored and delivered before its 202); all ${N} runs completed after ${signals} ms`,
    );

    t = Date.now();
    for (let i = 0; i < N; i++) await call('POST', '/api/workflow/keyed', { tenant: 'A', i });
    const queued = Date.now() - t;
    const grants = server.engine.reactions.admission.grants;
    const before = grants.get('keyed/concurrency0/A') ?? 0;
    const tb = Date.now();
    const b = await call('POST', '/api/workflow/keyed', { tenant: 'B' });
    await until('B let in', async () => (await call('GET', `/api/workflow/${b}`)).tasks.length === 1);
    const bMs = Date.now() - tb;
    const slots = (grants.get('keyed/concurrency0/A') ?? 0) - before;
    t = Date.now();
    let done = 0;
    while (done < N + 1) {
      const tasks: any[] = await call('GET', '/api/tasks/poll/batch/work?count=10&timeout=200');
      for (const task of tasks) {
        await call('POST', '/api/tasks', {
          taskId: task.taskId,
          workerId: task.workerId,
          attemptToken: task.attemptToken,
          status: 'COMPLETED',
        });
        done++;
      }
    }
    const drained = Date.now() - t;
    out(
      `flow:    ${N} runs of key A queued in ${queued} ms (${Math.round((N * 1000) / queued)}/s); a run of key B let in after ${bMs} ms, ` +
        `${slots} A slots granted meanwhile; key A drained one at a time in ${drained} ms (${Math.round((N * 1000) / drained)} runs/s, each end letting the next in)`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
