import type { Document, Filter, IndexDescription, Sort } from 'mongodb';
import type { TaskRecord } from '../../domain/records';
import type { WorkflowSummaryRecord } from '../port';
import type { TaskField, WorkflowField } from '../../search/fields';
import type { Expr } from '../../search/query';
import type { SearchPage, SearchRequest } from '../../search/request';
import { docToTask, docToWorkflow, type TaskDoc, type WorkflowDoc } from './codec';
import type { Collections } from './collections';

/** Document fields of each search field: the records' own top-level BSON fields (codec.ts). */
const workflowFields: Record<WorkflowField, string> = {
  workflowId: '_id',
  workflowType: 'workflowName',
  version: 'workflowVersion',
  status: 'status',
  correlationId: 'correlationId',
  createTime: 'createTime',
  startTime: 'startTime',
  updateTime: 'updateTime',
  endTime: 'endTime',
  reasonForIncompletion: 'reasonForIncompletion',
  priority: 'priority',
  parentWorkflowId: 'parentWorkflowId',
};

const taskFields: Record<TaskField, string> = {
  taskId: '_id',
  workflowId: 'workflowInstanceId',
  workflowType: 'workflowType',
  taskType: 'taskType',
  taskDefName: 'taskDefName',
  referenceTaskName: 'referenceTaskName',
  status: 'status',
  workerId: 'workerId',
  retryCount: 'retryCount',
  scheduledTime: 'scheduledTime',
  startTime: 'startTime',
  updateTime: 'updateTime',
  endTime: 'endTime',
  reasonForIncompletion: 'reasonForIncompletion',
};

/**
 * The indexes search relies on, one per common filter + sort (equality fields first, then the
 * sort field, as MongoDB's planner needs). The coverage test (engine/test/search/mongo-coverage)
 * checks every query this module generates against this list, because the test server ignores
 * non-unique indexes and so cannot show a missing one. The text indexes serve freeText on servers
 * with `$text`; payloads are JSON strings (codec.ts), which the text tokenizer splits on punctuation.
 */
export const searchIndexes: { workflows: IndexDescription[]; tasks: IndexDescription[] } = {
  workflows: [
    { key: { startTime: -1 }, name: 'search_start' },
    { key: { workflowName: 1, startTime: -1 }, name: 'search_name' },
    { key: { status: 1, startTime: -1 }, name: 'search_status' },
    { key: { workflowName: 1, status: 1, startTime: -1 }, name: 'search_name_status' },
    { key: { correlationId: 1, startTime: -1 }, name: 'search_correlation' },
    { key: { updateTime: -1 }, name: 'search_update' },
    { key: { endTime: -1 }, name: 'search_end' },
    { key: { parentWorkflowId: 1, startTime: -1 }, name: 'search_parent' },
    { key: { inputJson: 'text', outputJson: 'text' }, name: 'search_text', default_language: 'none' },
  ],
  tasks: [
    { key: { updateTime: -1 }, name: 'search_update' },
    { key: { taskType: 1, updateTime: -1 }, name: 'search_type' },
    { key: { status: 1, updateTime: -1 }, name: 'search_status' },
    { key: { inputJson: 'text', outputJson: 'text' }, name: 'search_text', default_language: 'none' },
  ],
};

export async function ensureSearchIndexes(c: Collections): Promise<void> {
  await Promise.all([c.workflows.createIndexes(searchIndexes.workflows), c.tasks.createIndexes(searchIndexes.tasks)]);
}

export interface MongoQuery {
  filter: Filter<Document>;
  sort: Sort & Record<string, 1 | -1>;
}

/** How freeText is matched: the text index, or (servers without `$text`) a regex per word over the payloads. */
export type TextMode = 'text-index' | 'regex';

export function workflowQuery(req: SearchRequest, mode: TextMode): MongoQuery {
  return toQuery(req, workflowFields, mode);
}

export function taskQuery(req: SearchRequest, mode: TextMode): MongoQuery {
  return toQuery(req, taskFields, mode);
}

/**
 * Search reads: a count and a page from one filter. `$text` is only known to fail on servers that
 * lack it (mongo-java-server): then this store switches, once, to the regex form.
 */
export class MongoSearch {
  private mode: TextMode = 'text-index';

  constructor(
    private readonly c: Collections,
    private readonly onFallback: (reason: string) => void,
  ) {}

  async workflows(req: SearchRequest): Promise<SearchPage<WorkflowSummaryRecord>> {
    return this.run(
      req,
      (mode) => workflowQuery(req, mode),
      this.c.workflows,
      (d) => docToWorkflow(d as WorkflowDoc),
    );
  }

  async tasks(req: SearchRequest): Promise<SearchPage<TaskRecord>> {
    return this.run(
      req,
      (mode) => taskQuery(req, mode),
      this.c.tasks,
      (d) => docToTask(d as TaskDoc),
    );
  }

  private async run<T, D extends Document>(
    req: SearchRequest,
    build: (mode: TextMode) => MongoQuery,
    coll: import('mongodb').Collection<D>,
    map: (d: Document) => T,
  ): Promise<SearchPage<T>> {
    const once = async (mode: TextMode): Promise<SearchPage<T>> => {
      const q = build(mode);
      const filter = q.filter as Filter<D>;
      // limit(0) would mean "no limit" to MongoDB: a page of size 0 asks only for totalHits.
      const [totalHits, docs] = await Promise.all([
        coll.countDocuments(filter),
        req.size === 0 ? Promise.resolve([]) : coll.find(filter).sort(q.sort).skip(req.start).limit(req.size).toArray(),
      ]);
      return { totalHits, results: docs.map((d) => map(d)) };
    };
    if (req.text.length === 0 || this.mode === 'regex') return once(this.mode);
    try {
      return await once('text-index');
    } catch (err) {
      if (!/\$search|\$text|text index/i.test((err as Error).message ?? '')) throw err;
      this.mode = 'regex';
      this.onFallback((err as Error).message);
      return once('regex');
    }
  }
}

function toQuery(req: SearchRequest, fields: Record<string, string>, mode: TextMode): MongoQuery {
  const clauses: Array<Filter<Document>> = [];
  if (req.filter) clauses.push(exprFilter(req.filter, fields));
  if (req.text.length) {
    if (mode === 'text-index') {
      // Quoted words: MongoDB ANDs phrases (bare words would be ORed).
      clauses.push({ $text: { $search: req.text.map((t) => `"${t.replace(/\*$/, '').replace(/"/g, '')}"`).join(' ') } });
    } else {
      for (const t of req.text) {
        const re = new RegExp(escapeRegex(t.replace(/\*$/, '')), 'i');
        clauses.push({ $or: [{ inputJson: re }, { outputJson: re }] });
      }
    }
  }
  const filter = clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0]! : { $and: clauses };
  const sort: Record<string, 1 | -1> = {};
  for (const s of req.sort) sort[field(fields, s.field)] = s.desc ? -1 : 1;
  return { filter, sort };
}

function exprFilter(e: Expr, fields: Record<string, string>): Filter<Document> {
  switch (e.kind) {
    case 'and':
      return { $and: e.items.map((i) => exprFilter(i, fields)) };
    case 'or':
      return { $or: e.items.map((i) => exprFilter(i, fields)) };
    case 'in':
      return { [field(fields, e.field)]: { [e.negate ? '$nin' : '$in']: e.values } };
    case 'cmp': {
      const f = field(fields, e.field);
      const ops = { '=': '$eq', '!=': '$ne', '>': '$gt', '<': '$lt', '>=': '$gte', '<=': '$lte' } as const;
      return { [f]: { [ops[e.op]]: e.value } };
    }
  }
}

function field(fields: Record<string, string>, name: string): string {
  const f = fields[name];
  if (!f) throw new Error(`no document field for search field '${name}'`);
  return f;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
