import { checkPayload, enforcedSchema, type TaskDef, type WorkflowDef } from '@baton/definitions';
import { definitionIndex } from '../decider/positions';
import type { TaskRecord } from '../domain/records';
import { ValidationError } from '../errors';
import type { Store } from '../store/port';
import type { TaskDefCache } from './task-defs';

/** Whether a definition has a step with an inline task definition enforcing an outputSchema; walked once per definition. */
const inlineEnforced = new WeakMap<WorkflowDef, boolean>();

function enforcesInline(def: WorkflowDef): boolean {
  let known = inlineEnforced.get(def);
  if (known === undefined) {
    const index = definitionIndex(def);
    known = [...index.refs()].some((ref) => enforcedSchema(index.position(ref)?.wt.taskDefinition, 'output') !== undefined);
    inlineEnforced.set(def, known);
  }
  return known;
}

export interface OutputSchemaDeps {
  store: Store;
  taskDefs: TaskDefCache;
  /** The definition of a workflow this engine holds in its cache, without I/O; undefined when not cached. */
  cachedDefinition(workflowId: string): WorkflowDef | undefined;
  /** The definition of any workflow (a store read when it is not cached). */
  loadDefinition(workflowId: string): Promise<WorkflowDef | null>;
}

/**
 * Refuses a COMPLETED report whose output does not match its task definition's enforced
 * `outputSchema` (docs/typed-tasks.md): a 400 naming each problem's pointer under /outputData,
 * before anything is recorded, so the worker can fix the output and report again. The common
 * case (nothing enforced) costs no store read: only when a registered definition enforces an
 * output schema, or the workflow's definition has an inline one (or is not cached), is the
 * reported task read to find its definition.
 */
export class OutputSchemaGuard {
  constructor(private readonly deps: OutputSchemaDeps) {}

  async check(report: { taskId: string; workflowInstanceId?: string; status: string; outputData: Record<string, unknown> }): Promise<void> {
    if (report.status !== 'COMPLETED') return;
    const cached = report.workflowInstanceId ? this.deps.cachedDefinition(report.workflowInstanceId) : undefined;
    if (!this.deps.taskDefs.enforcesOutput() && cached && !enforcesInline(cached)) return;
    const task = await this.deps.store.getTask(report.taskId);
    // Unknown tasks and engine-held ones are answered by the report path as before.
    if (!task || task.workflowTaskType !== 'SIMPLE') return;
    const sameWorkflow = task.workflowInstanceId === report.workflowInstanceId;
    const schema = enforcedSchema(await this.definitionOf(task, sameWorkflow ? cached : undefined), 'output');
    if (!schema) return;
    const problems = checkPayload(schema, report.outputData, '/outputData');
    if (problems.length === 0) return;
    const what = `${schema.name} v${schema.version}`;
    throw new ValidationError(`outputData does not match ${what}; nothing was recorded, report again with a valid output`, problems);
  }

  private async definitionOf(task: TaskRecord, cached: WorkflowDef | undefined): Promise<TaskDef | undefined> {
    const wf = cached ?? (await this.deps.loadDefinition(task.workflowInstanceId));
    const inline = wf ? definitionIndex(wf).position(task.refName)?.wt.taskDefinition : undefined;
    return inline ?? this.deps.taskDefs.get(task.taskDefName);
  }
}
