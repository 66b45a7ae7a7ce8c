import type Database from 'better-sqlite3';
import type { TaskRecord } from '../../domain/records';
import type { WorkflowSummaryRecord } from '../port';
import type { TaskField, WorkflowField } from '../../search/fields';
import type { Expr, Scalar } from '../../search/query';
import type { SearchPage, SearchRequest } from '../../search/request';
import { parseTask, parseWorkflowRow, TASK_COLUMNS, type TaskRow } from './rows';

/** Columns of each search field (search-schema.ts adds the generated ones). Fixed names: never user input. */
export const workflowColumns: Record<WorkflowField, string> = {
  workflowId: 'workflow_id',
  workflowType: 'name',
  version: 'version',
  status: 'status',
  correlationId: 'correlation_id',
  createTime: 'create_time',
  startTime: 'start_time',
  updateTime: 'update_time',
  endTime: 'end_time',
  reasonForIncompletion: 'reason',
  priority: 'priority',
  parentWorkflowId: 'parent_workflow_id',
};

export const taskColumns: Record<TaskField, string> = {
  taskId: 'task_id',
  workflowId: 'workflow_id',
  workflowType: 'workflow_type',
  taskType: 'task_type',
  taskDefName: 'task_def_name',
  referenceTaskName: 'reference_name',
  status: 'status',
  workerId: 'worker_id',
  retryCount: 'retry_count',
  scheduledTime: 'scheduled_time',
  startTime: 'start_time',
  updateTime: 'update_time',
  endTime: 'end_time',
  reasonForIncompletion: 'reason',
};

export interface SqlQuery {
  where: string;
  args: Array<string | number>;
  orderBy: string;
}

/**
 * Search reads: one COUNT and one page, both from the same WHERE, each served by the indexes of
 * search-schema.ts (the filter's leading column, or the sort's); freeText is an FTS5 MATCH joined by
 * rowid. Reads only: no transaction needed beyond SQLite's statement-level snapshot.
 */
export function searchWorkflows(db: Database.Database, req: SearchRequest): SearchPage<WorkflowSummaryRecord> {
  const q = toSql(req, workflowColumns, 'workflow_text');
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM workflows WHERE ${q.where}`).get(...q.args) as { n: number }).n;
  const rows = db
    .prepare(`SELECT doc, input, output, variables FROM workflows WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT ? OFFSET ?`)
    .all(...q.args, req.size, req.start) as Array<{ doc: string; input: string; output: string; variables: string }>;
  return { totalHits: total, results: rows.map((r) => parseWorkflowRow(r, {})) };
}

export function searchTasks(db: Database.Database, req: SearchRequest): SearchPage<TaskRecord> {
  const q = toSql(req, taskColumns, 'task_text');
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE ${q.where}`).get(...q.args) as { n: number }).n;
  const rows = db
    .prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT ? OFFSET ?`)
    .all(...q.args, req.size, req.start) as TaskRow[];
  return { totalHits: total, results: rows.map(parseTask) };
}

/** The SQL of a search (exported for the tests that check its query plans). */
export function toSql(req: SearchRequest, columns: Record<string, string>, textTable: string): SqlQuery {
  const args: Array<string | number> = [];
  const parts: string[] = [];
  if (req.filter) parts.push(exprSql(req.filter, columns, args));
  if (req.text.length) {
    parts.push(`rowid IN (SELECT rowid FROM ${textTable} WHERE ${textTable} MATCH ?)`);
    args.push(ftsQuery(req.text));
  }
  const orderBy = req.sort.map((s) => `${column(columns, s.field)} ${s.desc ? 'DESC' : 'ASC'}`).join(', ');
  return { where: parts.length ? parts.join(' AND ') : '1', args, orderBy: orderBy || 'rowid DESC' };
}

function exprSql(e: Expr, columns: Record<string, string>, args: Array<string | number>): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.items.map((i) => exprSql(i, columns, args)).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'cmp':
      args.push(e.value);
      return `${column(columns, e.field)} ${e.op} ?`;
    case 'in':
      args.push(...e.values);
      return `${column(columns, e.field)} ${e.negate ? 'NOT IN' : 'IN'} (${e.values.map(() => '?').join(', ')})`;
  }
}

function column(columns: Record<string, string>, field: string): string {
  const c = columns[field];
  if (!c) throw new Error(`no column for search field '${field}'`);
  return c;
}

/** Every word must occur (FTS5's implicit AND); each is quoted, so no user text is read as FTS syntax. A trailing * is a prefix. */
export function ftsQuery(terms: string[]): string {
  return terms
    .map((t) => {
      const prefix = t.endsWith('*');
      // FTS5 reads its query as a C string: a NUL ends it mid-quote ("unterminated string", a 500). The
      // tokenizer splits indexed text at NUL anyway, so a space matches the same.
      const word = (prefix ? t.slice(0, -1) : t).replaceAll('\u0000', ' ').replace(/"/g, '""');
      return `"${word}"${prefix ? '*' : ''}`;
    })
    .join(' ');
}

export type { Scalar };
