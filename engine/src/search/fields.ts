import { TaskStatus, WorkflowStatus } from '../domain/status';
import type { FieldResolver, Scalar } from './query';

/** How values of a field are typed in a query. */
type FieldType = 'string' | 'int' | 'time' | 'workflowStatus' | 'taskStatus';

interface FieldSpec {
  type: FieldType;
  aliases?: string[];
}

/**
 * The fields a search may filter and sort on: the records' own top-level fields (never their
 * payloads, which only freeText reaches). Names are Conductor's summary fields; the canonical name
 * is what the stores map to their columns (store/sqlite/search.ts, store/mongo/search.ts).
 */
export const workflowFields = {
  workflowId: { type: 'string' },
  workflowType: { type: 'string', aliases: ['workflowName', 'name'] },
  version: { type: 'int', aliases: ['workflowVersion'] },
  status: { type: 'workflowStatus' },
  correlationId: { type: 'string' },
  createTime: { type: 'time' },
  startTime: { type: 'time' },
  updateTime: { type: 'time' },
  endTime: { type: 'time' },
  reasonForIncompletion: { type: 'string' },
  priority: { type: 'int' },
  parentWorkflowId: { type: 'string' },
} as const satisfies Record<string, FieldSpec>;
export type WorkflowField = keyof typeof workflowFields;

export const taskFields = {
  taskId: { type: 'string' },
  workflowId: { type: 'string', aliases: ['workflowInstanceId'] },
  workflowType: { type: 'string' },
  taskType: { type: 'string' },
  taskDefName: { type: 'string' },
  referenceTaskName: { type: 'string', aliases: ['taskRefName'] },
  status: { type: 'taskStatus' },
  workerId: { type: 'string' },
  retryCount: { type: 'int' },
  scheduledTime: { type: 'time' },
  startTime: { type: 'time' },
  updateTime: { type: 'time' },
  endTime: { type: 'time' },
  reasonForIncompletion: { type: 'string' },
} as const satisfies Record<string, FieldSpec>;
export type TaskField = keyof typeof taskFields;

export type FieldCatalog = Record<string, FieldSpec>;

function converter(type: FieldType, field: string): (raw: string) => Scalar {
  switch (type) {
    case 'string':
      return (raw) => raw;
    case 'int':
      return (raw) => {
        const n = Number(raw);
        if (!Number.isSafeInteger(n)) throw new Error(`${field} takes an integer, got '${raw}'`);
        return n;
      };
    case 'time':
      // Epoch milliseconds as Conductor's clients send them, or an ISO 8601 date.
      return (raw) => {
        const n = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
        if (!Number.isSafeInteger(n)) throw new Error(`${field} takes epoch milliseconds or an ISO 8601 date, got '${raw}'`);
        return n;
      };
    case 'workflowStatus':
    case 'taskStatus': {
      const allowed: readonly string[] = Object.values(type === 'workflowStatus' ? WorkflowStatus : TaskStatus);
      return (raw) => {
        const v = raw.toUpperCase();
        if (!allowed.includes(v)) throw new Error(`status must be one of ${allowed.join(', ')}, got '${raw}'`);
        return v;
      };
    }
  }
}

export function resolverOf(catalog: FieldCatalog, what: string): FieldResolver {
  const byName = new Map<string, string>();
  for (const [name, spec] of Object.entries(catalog)) {
    byName.set(name.toLowerCase(), name);
    for (const a of spec.aliases ?? []) byName.set(a.toLowerCase(), name);
  }
  return {
    resolve(name) {
      const field = byName.get(name.toLowerCase());
      if (!field) return `unknown ${what} field '${name}'; known: ${Object.keys(catalog).join(', ')}`;
      return { field, convert: converter(catalog[field]!.type, field) };
    },
  };
}
