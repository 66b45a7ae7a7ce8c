import type { Document, IndexDescription } from 'mongodb';
import { resolverOf, taskFields, workflowFields } from '../../src/search/fields';
import { parseFreeText, parseQuery } from '../../src/search/query';
import type { SearchRequest, SortKey } from '../../src/search/request';
import { MongoStore } from '../../src/store/mongo';
import { searchIndexes, taskQuery, workflowQuery, type MongoQuery, type TextMode } from '../../src/store/mongo/search';
import { uniqueDbName } from '../helpers/server';

/**
 * The MongoDB test server ignores non-unique indexes (every query scans), so it cannot show a
 * missing index. This checks, statically, that every query shape the API generates is served by an
 * index declared in store/mongo/search.ts: its equality fields lead a declared index (any order)
 * and the sort field follows them, so MongoDB neither scans the collection nor sorts in memory.
 * Against a real MongoDB (MONGODB_URI not provisioned by npm test), explain() confirms each plan.
 */

/** Equality ($eq, $in) fields of the top-level AND of a filter, and its $or branches. */
function shape(filter: Document): { eq: Set<string>; ors: Document[][]; text: boolean } {
  const eq = new Set<string>();
  const ors: Document[][] = [];
  let text = false;
  const visit = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and') (v as Document[]).forEach(visit);
      else if (k === '$or') ors.push(v as Document[]);
      else if (k === '$text') text = true;
      else if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegExp)) {
        const ops = Object.keys(v as Document);
        if (ops.every((o) => o === '$eq' || o === '$in')) eq.add(k);
      } else eq.add(k);
    }
  };
  visit(filter);
  return { eq, ors, text };
}

export function coveredBy(q: MongoQuery, indexes: IndexDescription[]): string | null {
  const { eq, ors, text } = shape(q.filter);
  if (text) return indexes.find((i) => Object.values(i.key).includes('text'))?.name ?? null;
  // Each $or branch is planned on its own, with the AND around it.
  if (ors.length) {
    for (const branches of ors) {
      for (const b of branches) {
        const rest = { ...q.filter };
        delete (rest as Document).$or;
        if (!coveredBy({ filter: { $and: [rest, b] }, sort: q.sort }, indexes)) return null;
      }
    }
    return 'each $or branch';
  }
  const [sortField] = Object.keys(q.sort);
  for (const idx of indexes) {
    const keys = Object.keys(idx.key);
    if (Object.values(idx.key).includes('text')) continue;
    let p = 0;
    while (p < keys.length && eq.has(keys[p]!)) p++;
    const leads = p > 0 || eq.size === 0;
    const sorted = sortField === undefined ? p > 0 : keys.slice(0, p + 1).includes(sortField);
    if (leads && sorted) return idx.name ?? keys.join(',');
  }
  return null;
}

const wf = resolverOf(workflowFields, 'workflow');
const tk = resolverOf(taskFields, 'task');
const req = (q: string, sort: SortKey, text = ''): SearchRequest => ({
  filter: parseQuery(q, sort.field in taskFields && !(sort.field in workflowFields) ? tk : wf),
  text: parseFreeText(text),
  sort: [sort],
  start: 0,
  size: 10,
});
const newest: SortKey = { field: 'startTime', desc: true };

/** The workflow query shapes the routes generate: the UI's filters, the correlation and running lookups. */
const workflowShapes: Array<[string, SearchRequest]> = [
  ['everything, newest first', req('', newest)],
  ['by updateTime', req('', { field: 'updateTime', desc: true })],
  ['by endTime', req('', { field: 'endTime', desc: true })],
  ['by createTime (oldest first)', req('', { field: 'startTime', desc: false })],
  ['one name', req('workflowType = a', newest)],
  ['names and statuses', req('workflowType IN (a, b) AND status IN (FAILED, TIMED_OUT)', newest)],
  ['statuses', req('status IN (FAILED)', newest)],
  ['time range', req('startTime > 1 AND startTime < 2', newest)],
  ['name and time range', req('workflowType = a AND startTime > 1 AND startTime < 2', newest)],
  ['status and time range', req('status = RUNNING AND startTime > 1', newest)],
  ['correlation lookup', req('workflowType IN (a) AND correlationId = c AND status IN (RUNNING, PAUSED)', newest)],
  ['running ids', req('workflowType = a AND version = 1 AND status = RUNNING AND startTime >= 1 AND startTime <= 2', newest)],
  ['children of a workflow', req('parentWorkflowId = p', newest)],
  ['either of two statuses', req('status = FAILED OR status = TIMED_OUT', newest)],
  ['name with free text', req('workflowType = a', newest, 'ada')],
];
const updated: SortKey = { field: 'updateTime', desc: true };
const taskReq = (q: string, text = ''): SearchRequest => ({
  filter: parseQuery(q, tk),
  text: parseFreeText(text),
  sort: [updated],
  start: 0,
  size: 10,
});
const taskShapes: Array<[string, SearchRequest]> = [
  ['every task, latest update first', taskReq('')],
  ['one type', taskReq('taskType = charge')],
  ['type and status', taskReq('taskType = charge AND status IN (FAILED, TIMED_OUT)')],
  ['statuses', taskReq('status IN (FAILED)')],
  ['free text', taskReq('', 'ticket')],
];

describe('MongoDB search queries are served by declared indexes', () => {
  it.each(workflowShapes)('workflows: %s', (_name, r) => {
    expect(coveredBy(workflowQuery(r, 'text-index'), searchIndexes.workflows)).not.toBeNull();
  });
  it.each(taskShapes)('tasks: %s', (_name, r) => {
    expect(coveredBy(taskQuery(r, 'text-index'), searchIndexes.tasks)).not.toBeNull();
  });
  it('the checker itself refuses an uncovered query', () => {
    expect(
      coveredBy(workflowQuery(req('reasonForIncompletion = x', newest), 'text-index'), [{ key: { updateTime: -1 }, name: 'u' }]),
    ).toBeNull();
    expect(
      coveredBy(workflowQuery(req('workflowType = a', { field: 'updateTime', desc: true }), 'text-index'), searchIndexes.workflows),
    ).toBeNull();
  });
});

const uri = process.env.MONGODB_URI;
const realMongo = uri && process.env.BATON_TEST_MONGO_PROVISIONED !== '1';
(realMongo ? describe : describe.skip)('explain() on the MongoDB given by MONGODB_URI', () => {
  let store: MongoStore;
  beforeAll(async () => {
    store = new MongoStore({ uri: uri!, dbName: uniqueDbName('baton_explain') });
    await store.init();
  });
  afterAll(async () => {
    await store.dropDatabase();
    await store.close();
  });
  const explainOf = async (coll: 'workflows' | 'tasks', q: MongoQuery): Promise<string> => {
    const c = (store as unknown as { c: Record<string, import('mongodb').Collection> }).c[coll]!;
    return JSON.stringify((await c.find(q.filter).sort(q.sort).explain('queryPlanner')).queryPlanner.winningPlan);
  };
  const mode: TextMode = 'text-index';
  it.each(workflowShapes)('workflows: %s uses an index', async (_n, r) => {
    const plan = await explainOf('workflows', workflowQuery(r, mode));
    expect(plan).not.toContain('COLLSCAN');
    expect(plan).toMatch(/IXSCAN|TEXT/);
  });
  it.each(taskShapes)('tasks: %s uses an index', async (_n, r) => {
    const plan = await explainOf('tasks', taskQuery(r, mode));
    expect(plan).not.toContain('COLLSCAN');
  });
});
