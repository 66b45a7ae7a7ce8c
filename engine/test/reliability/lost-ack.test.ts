import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { StoreUnavailableError } from '../../src/errors';
import { startServer } from '../../src/server';
import { SqliteStore } from '../../src/store/sqlite';
import { withSqliteErrors } from '../../src/store/sqlite/errors';
import { waitFor } from '../helpers/engine-process';
import { TestServer, testEnv } from '../helpers/server';

/**
 * A decision committed whose acknowledgement was lost (the store wrote it, then the call failed):
 * the engine must not keep deciding from its cached copy of the workflow, which is now behind the
 * store. Found by the store fault injection (docs/reliability.md, "Found and fixed"): on SQLite,
 * where a decision that changes nothing on a cached record is trusted, the next result was
 * ignored for ever and the workflow stayed RUNNING with every step done. Two guards now cover it:
 * the engine evicts the cached workflow when a commit's outcome is unknown, and every decision
 * commits fenced by the revision it was decided from, so a stale copy loses its next commit and is
 * re-read (docs/architecture.md, "Invariants"). The test shows the end result either way.
 */
describe('a commit whose acknowledgement is lost (sqlite)', () => {
  it('does not leave the engine deciding from a stale cached workflow', async () => {
    let loseNextCommitAck = false;
    const inner = withSqliteErrors(new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'baton-lost-ack-')), 'baton.sqlite') }));
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        // The path under test records a report, then commits the decision on its own (the store's
        // one-transaction fast path, completeAndDecide, never calls commitDecision): hide it.
        if (prop === 'completeAndDecide') return undefined;
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'commitDecision' || typeof value !== 'function') {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (...args: unknown[]) => {
          const done: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (!loseNextCommitAck) return done;
          loseNextCommitAck = false;
          throw new StoreUnavailableError('the acknowledgement of this commit was lost (test)');
        };
      },
    });
    const env = testEnv('sqlite', { BATON_SWEEP_INTERVAL_MS: '50' });
    const s = new TestServer(await startServer(loadConfig([], env), { store, log: pino({ level: 'silent' }) }), env);
    try {
      await s.req('POST', '/api/metadata/taskdefs', [
        { name: 'first', retryCount: 0 },
        { name: 'second', retryCount: 0 },
      ]);
      // The INLINE step between the two makes the decision after the first report wait for a
      // script, so it commits on its own (commitDecision), not in the report's transaction.
      await s.req('POST', '/api/metadata/workflow', {
        name: 'two_steps',
        tasks: [
          { name: 'first', taskReferenceName: 'first' },
          {
            name: 'calc',
            taskReferenceName: 'calc',
            type: 'INLINE',
            inputParameters: { evaluatorType: 'javascript', expression: '1 + 1' },
          },
          { name: 'second', taskReferenceName: 'second' },
        ],
      });
      const id = (await s.req('POST', '/api/workflow/two_steps', {})).text;
      const [a] = (await s.req('GET', '/api/tasks/poll/batch/first?workerid=w&count=1&timeout=5000')).body;
      loseNextCommitAck = true;
      // The result and the decision after it are durable, but the commit's call "fails"; the report
      // succeeds (or answers 503, and the worker's retry is accepted).
      const result = { taskId: a.taskId, workflowInstanceId: id, workerId: 'w', status: 'COMPLETED', outputData: {} };
      const first = await s.req('POST', '/api/tasks', result);
      expect(loseNextCommitAck).toBe(false);
      if (first.status !== 200) {
        expect(first.status).toBe(503);
        expect((await s.req('POST', '/api/tasks', result)).status).toBe(200);
      }
      const [b] = (await s.req('GET', '/api/tasks/poll/batch/second?workerid=w&count=1&timeout=5000')).body;
      expect(b.referenceTaskName).toBe('second');
      expect(
        (
          await s.req('POST', '/api/tasks', {
            taskId: b.taskId,
            workflowInstanceId: id,
            workerId: 'w',
            status: 'COMPLETED',
            outputData: { done: true },
          })
        ).status,
      ).toBe(200);
      // Watched through search, not GET /workflow/{id}: a GET reads the store and refreshes the
      // cache, which would hide the stale entry (the sweeper decides unapplied results after 2 s).
      const q = encodeURIComponent('workflowType IN (two_steps) AND status IN (COMPLETED)');
      await waitFor(
        'the workflow to complete',
        async () => (await s.req('GET', `/api/workflow/search?query=${q}&size=1`)).body.totalHits === 1,
        15_000,
      );
      const wf = (await s.req('GET', `/api/workflow/${id}`)).body;
      expect(wf.tasks.map((t: { referenceTaskName: string; status: string }) => [t.referenceTaskName, t.status])).toEqual([
        ['first', 'COMPLETED'],
        ['calc', 'COMPLETED'],
        ['second', 'COMPLETED'],
      ]);
    } finally {
      await s.close();
    }
  }, 60_000);
});
