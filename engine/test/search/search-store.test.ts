import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredWorkflow as WorkflowRecord, TaskRecord } from '../../src/domain/records';
import { resolverOf, taskFields, workflowFields } from '../../src/search/fields';
import { parseFreeText, parseQuery } from '../../src/search/query';
import type { SearchRequest, SortKey } from '../../src/search/request';
import { MongoStore } from '../../src/store/mongo';
import type { Store } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { taskColumns, toSql, workflowColumns } from '../../src/store/sqlite/search';
import { uniqueDbName } from '../helpers/server';
import { taskRecord, workflowRecord } from '../helpers/records';

const wfFields = resolverOf(workflowFields, 'workflow');
const tFields = resolverOf(taskFields, 'task');
const request = (
  query: string,
  opts: { text?: string; sort?: SortKey[]; start?: number; size?: number; tasks?: boolean } = {},
): SearchRequest => ({
  filter: parseQuery(query, opts.tasks ? tFields : wfFields),
  text: parseFreeText(opts.text),
  sort: opts.sort ?? [{ field: opts.tasks ? 'updateTime' : 'startTime', desc: true }],
  start: opts.start ?? 0,
  size: opts.size ?? 100,
});

/** 12 workflows: names a/b/c in turn, every third FAILED, start times 1000..12000, an input word per run. */
function seed(): WorkflowRecord[] {
  return Array.from({ length: 12 }, (_, i) => {
    const n = i + 1;
    return workflowRecord({
      workflowId: `wf-${String(n).padStart(2, '0')}`,
      workflowName: ['a', 'b', 'c'][i % 3]!,
      workflowVersion: 1 + (i % 2),
      status: n % 3 === 0 ? 'FAILED' : n % 4 === 0 ? 'COMPLETED' : 'RUNNING',
      correlationId: n <= 4 ? 'order-1' : null,
      priority: n % 5,
      createTime: n * 1000,
      startTime: n * 1000,
      updateTime: n * 1000 + 500,
      endTime: n % 3 === 0 || n % 4 === 0 ? n * 1000 + 900 : 0,
      reasonForIncompletion: n % 3 === 0 ? 'card declined' : null,
      input: { customer: n % 2 ? 'Ada Lovelace' : 'Grace Hopper', city: n === 7 ? 'New York' : 'London', n },
    });
  });
}

const ids = (page: { results: Array<{ workflowId?: string; taskId?: string }> }): string[] =>
  page.results.map((r) => (r.workflowId ?? r.taskId)!);

type Make = () => Promise<{ store: Store; done: () => Promise<void> }>;
const kinds: Array<[string, Make]> = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-test-search-'));
      const store = new SqliteStore({ file: join(dir, 'baton.sqlite') });
      await store.init();
      return { store, done: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
];
if (process.env.MONGODB_URI) {
  const uri = process.env.MONGODB_URI;
  kinds.push([
    'mongodb',
    async () => {
      const store = new MongoStore({ uri, dbName: uniqueDbName('baton_search') });
      await store.init();
      return { store, done: async () => (await store.dropDatabase(), await store.close()) };
    },
  ]);
}

describe.each(kinds)('search on the %s store', (_kind, make) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ store, done } = await make());
    for (const w of seed()) {
      const tasks: TaskRecord[] = [
        taskRecord({
          taskId: `${w.workflowId}-t1`,
          workflowInstanceId: w.workflowId,
          workflowType: w.workflowName,
          taskType: w.workflowName === 'a' ? 'charge' : 'ship',
          taskDefName: w.workflowName === 'a' ? 'charge' : 'ship',
          referenceTaskName: 'step1',
          status: w.status === 'FAILED' ? 'FAILED' : 'COMPLETED',
          inputData: { sku: `sku-${w.workflowId}` },
          outputData: { receipt: w.workflowId === 'wf-05' ? 'golden ticket' : 'plain' },
          scheduledTime: w.startTime,
          updateTime: w.startTime + 100,
        }),
      ];
      expect(await store.createWorkflow(w, tasks)).toBe(true);
    }
  });
  afterAll(() => done());

  const search = (q: string, opts: Parameters<typeof request>[1] = {}) => store.searchWorkflows(request(q, opts));

  it('filters with IN, =, AND, newest first, with totalHits', async () => {
    const page = await search('workflowType IN (a) AND status IN (FAILED)');
    expect(ids(page)).toEqual([]);
    const failedB = await search('workflowType IN (c) AND status IN (FAILED)');
    expect(ids(failedB)).toEqual(['wf-12', 'wf-09', 'wf-06', 'wf-03']);
    expect(failedB.totalHits).toBe(4);
    expect((await search('correlationId = order-1')).totalHits).toBe(4);
    expect(ids(await search('workflowId = wf-07'))).toEqual(['wf-07']);
  });

  it('compares numbers and times; OR and parentheses; != and NOT IN', async () => {
    expect(ids(await search('startTime > 9000 AND startTime <= 11000'))).toEqual(['wf-11', 'wf-10']);
    expect(ids(await search('(workflowType = a OR workflowType = b) AND version = 2 AND status != RUNNING'))).toEqual(['wf-08', 'wf-04']);
    expect((await search('status NOT IN (RUNNING, FAILED)')).totalHits).toBe(2);
    expect(ids(await search('priority >= 4'))).toEqual(['wf-09', 'wf-04']);
    expect(ids(await search('reasonForIncompletion = "card declined" AND endTime < 6000'))).toEqual(['wf-03']);
  });

  it('sorts by any field either way, and pages with start and size', async () => {
    const asc = await search('', { sort: [{ field: 'startTime', desc: false }], start: 2, size: 3 });
    expect(ids(asc)).toEqual(['wf-03', 'wf-04', 'wf-05']);
    expect(asc.totalHits).toBe(12);
    const byName = await search('status = FAILED', {
      sort: [
        { field: 'workflowType', desc: false },
        { field: 'startTime', desc: true },
      ],
    });
    expect(ids(byName)).toEqual(['wf-12', 'wf-09', 'wf-06', 'wf-03']);
    expect(ids(await search('', { size: 0 }))).toEqual([]);
  });

  it('freeText: every word in the input or output, case-insensitive, prefixes, phrases', async () => {
    expect((await search('', { text: 'ada' })).totalHits).toBe(6);
    expect(ids(await search('', { text: 'ada "new york"' }))).toEqual(['wf-07']);
    expect(ids(await search('workflowType = b', { text: 'GRACE london' }))).toEqual(['wf-08', 'wf-02']);
    expect((await search('', { text: 'lovel*' })).totalHits).toBe(6);
    expect((await search('', { text: 'nobody' })).totalHits).toBe(0);
    expect((await search('', { text: '*' })).totalHits).toBe(12);
  });

  it('freeText reaches an output written when the workflow ends', async () => {
    const before = (await store.getWorkflow('wf-01'))!;
    const ok = await store.commitDecision({
      workflowId: 'wf-01',
      expectedRevision: before.revision,
      workflow: { status: 'COMPLETED', output: { verdict: 'shipped-by-drone' }, endTime: 1900, updateTime: 1900 },
      newTasks: [],
      appliedTaskIds: [],
      closeTasks: [],
      now: 1900,
    });
    expect(ok).toBe(true);
    expect(ids(await search('status = COMPLETED', { text: 'drone' }))).toEqual(['wf-01']);
  });

  it('searches tasks by their own fields and payloads', async () => {
    const t = (q: string, opts: Parameters<typeof request>[1] = {}) => store.searchTasks(request(q, { ...opts, tasks: true }));
    expect((await t('taskType = charge')).totalHits).toBe(4);
    expect(ids(await t('taskType = ship AND status = FAILED'))).toEqual(['wf-12-t1', 'wf-09-t1', 'wf-06-t1', 'wf-03-t1']);
    expect(ids(await t('workflowId = wf-02'))).toEqual(['wf-02-t1']);
    expect(ids(await t('', { text: 'golden' }))).toEqual(['wf-05-t1']);
    expect(ids(await t('referenceTaskName = step1 AND scheduledTime < 3000', { sort: [{ field: 'scheduledTime', desc: false }] }))).toEqual(
      ['wf-01-t1', 'wf-02-t1'],
    );
  });

  it('forgets removed workflows, their tasks and their text', async () => {
    expect(await store.removeWorkflow('wf-07')).toBe(true);
    expect((await search('', { text: 'york' })).totalHits).toBe(0);
    expect((await store.searchTasks(request('workflowId = wf-07', { tasks: true }))).totalHits).toBe(0);
  });
});

describe('SQLite search plans', () => {
  it('every query shape the API generates is served by an index, never a full scan of workflows or tasks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-test-plan-'));
    const store = new SqliteStore({ file: join(dir, 'baton.sqlite') });
    await store.init();
    const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
    const plan = (table: string, req: SearchRequest, columns: 'workflows' | 'tasks'): string => {
      const q = toSql(
        req,
        columns === 'workflows' ? workflowColumns : taskColumns,
        columns === 'workflows' ? 'workflow_text' : 'task_text',
      );
      const rows = db
        .prepare(`EXPLAIN QUERY PLAN SELECT doc FROM ${table} WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT 10`)
        .all(...q.args) as Array<{ detail: string }>;
      return rows.map((r) => r.detail).join(' | ');
    };
    const workflowQueries = [
      '',
      'workflowType = a',
      'status IN (FAILED)',
      'workflowType IN (a, b) AND status IN (FAILED, TIMED_OUT)',
      'correlationId = x',
      'startTime > 5 AND startTime < 10',
      'workflowType = a AND startTime > 5',
    ];
    for (const q of workflowQueries) {
      const p = plan('workflows', request(q), 'workflows');
      expect({ q, p }).toEqual({ q, p: expect.stringMatching(/USING (COVERING )?INDEX/) });
      expect(p).not.toMatch(/SCAN workflows( |$|\|)(?!USING)/);
    }
    expect(plan('workflows', request('', { sort: [{ field: 'updateTime', desc: true }] }), 'workflows')).toMatch(/workflows_by_update/);
    expect(plan('workflows', request('', { sort: [{ field: 'endTime', desc: true }] }), 'workflows')).toMatch(/workflows_by_end/);
    expect(plan('workflows', request('', { text: 'ada' }), 'workflows')).toMatch(/workflow_text VIRTUAL TABLE INDEX/);
    for (const q of ['', 'taskType = charge', 'status IN (FAILED)', 'taskType = charge AND status = FAILED', 'workflowId = x']) {
      const p = plan('tasks', request(q, { tasks: true }), 'tasks');
      expect({ q, p }).toEqual({ q, p: expect.stringMatching(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/) });
    }
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
