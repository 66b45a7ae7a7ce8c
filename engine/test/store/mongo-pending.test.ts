import { MongoStore } from '../../src/store/mongo';
import { taskToDoc } from '../../src/store/mongo/codec';
import { PENDING_COMMIT } from '../../src/store/mongo/commit-decision';
import type { Collections } from '../../src/store/mongo/collections';
import { taskRecord, workflowRecord } from '../helpers/records';
import { uniqueDbName } from '../helpers/server';

/**
 * MongoDB commits a decision in three writes (insert pending, fence, publish: see
 * store/mongo/commit-decision.ts). A crash between the fence and the publication leaves tasks of a
 * committed decision pending; recoverPendingTasks publishes those (the workflow's step names them)
 * and deletes what losing or unfinished decisions left.
 */
describe('MongoDB: decisions interrupted between their writes', () => {
  let store: MongoStore;
  let c: Collections;
  beforeEach(async () => {
    // `npm test` always provisions a MongoDB test server; without one this suite fails loudly.
    const uri = process.env.MONGODB_URI;
    if (!uri) throw new Error('MONGODB_URI is not set: run through `npm test`');
    store = new MongoStore({ uri, dbName: uniqueDbName('baton_pending') });
    await store.init();
    c = (store as unknown as { c: Collections }).c;
  });
  afterEach(async () => {
    await store.dropDatabase();
    await store.close();
  });

  const pending = (
    taskId: string,
    decidedRevision: number,
    over: Parameters<typeof taskRecord>[0] extends infer T ? Partial<T> : never = {},
  ) => ({
    ...taskToDoc(taskRecord({ taskId, workflowInstanceId: 'w1', refName: taskId, referenceTaskName: taskId, updateTime: 10, ...over })),
    status: PENDING_COMMIT,
    commitStatus: 'SCHEDULED',
    decidedRevision,
  });

  it('publishes the tasks of a decision that passed its fence, and deletes those of one that did not', async () => {
    // The workflow is at revision 1 and its step names `kept`: that decision committed.
    await store.createWorkflow(
      workflowRecord({
        workflowId: 'w1',
        revision: 1,
        state: {
          seq: 1,
          steps: {
            kept: {
              taskId: 'kept',
              seq: 1,
              status: 'SCHEDULED',
              retryCount: 0,
              iteration: 0,
              taskType: 'work',
              reason: null,
              scheduledTime: 1,
              startTime: 0,
              endTime: 0,
              firstScheduledTime: 1,
            },
          },
          open: 1,
          running: 1,
          rootDone: false,
          resume: [],
        },
      }),
      [],
    );
    await c.tasks.insertMany([pending('kept', 1) as never, pending('lost', 1) as never, pending('future', 2) as never]);
    // Nothing pending can be claimed before the sweeper settles it.
    expect(await store.claimTasks({ taskType: 'work', count: 5, workerId: 'x', now: 1_000, leaseMs: 1000, newToken: () => 't' })).toEqual(
      [],
    );
    // Too young to settle: a decision may still be between its writes.
    expect(await store.recoverPendingTasks(5, 100)).toBe(0);
    expect(await store.recoverPendingTasks(1_000, 100)).toBe(3);
    expect((await store.getTask('kept'))?.status).toBe('SCHEDULED');
    expect(await store.getTask('lost')).toBeNull();
    expect(await store.getTask('future')).toBeNull();
    const claimed = await store.claimTasks({ taskType: 'work', count: 5, workerId: 'x', now: 1_000, leaseMs: 1000, newToken: () => 't' });
    expect(claimed.map((t) => t.taskId)).toEqual(['kept']);
  });

  it('cancels a committed but unpublished task when its workflow has ended since', async () => {
    await store.createWorkflow(
      workflowRecord({
        workflowId: 'w1',
        status: 'TERMINATED',
        revision: 3,
        state: {
          seq: 1,
          steps: {
            kept: {
              taskId: 'kept',
              seq: 1,
              status: 'CANCELED',
              retryCount: 0,
              iteration: 0,
              taskType: 'work',
              reason: null,
              scheduledTime: 1,
              startTime: 0,
              endTime: 0,
              firstScheduledTime: 1,
            },
          },
          open: 0,
          running: 0,
          rootDone: false,
          resume: [],
        },
      }),
      [],
    );
    await c.tasks.insertOne(pending('kept', 2) as never);
    expect(await store.recoverPendingTasks(1_000, 100)).toBe(1);
    expect((await store.getTask('kept'))?.status).toBe('CANCELED');
  });
});
