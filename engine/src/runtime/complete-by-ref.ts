import type { JsonObject, TaskRecord } from '../domain/records';
import { TaskStatus } from '../domain/status';
import { ConflictError, NotFoundError } from '../errors';
import type { Engine } from './engine';
import { Lifecycle } from './lifecycle';

type TerminalReport = 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR';

/**
 * Conductor's `POST /tasks/{workflowId}/{taskRefName}/{status}`: ends the step's open attempt.
 * Engine-held tasks (WAIT, HUMAN) and claimed worker attempts go through the report path
 * (system-tasks/index.ts); a worker attempt no worker has claimed yet (SCHEDULED) is completed
 * directly, as Conductor allows, fenced so that a claim landing first wins.
 */
export async function completeByRef(
  engine: Engine,
  workflowId: string,
  ref: string,
  status: TerminalReport,
  output: JsonObject,
  reason: string | null,
): Promise<string> {
  const wf = await engine.store.getWorkflow(workflowId);
  if (!wf) throw new NotFoundError(`workflow '${workflowId}' not found`);
  const tasks = (await engine.store.getTasks(workflowId)).filter((t) => t.referenceTaskName === ref || t.refName === ref);
  const open = latest(tasks.filter((t) => t.status === TaskStatus.IN_PROGRESS || t.status === TaskStatus.SCHEDULED));
  if (open && open.queued && open.status === TaskStatus.SCHEDULED) {
    await new Lifecycle(engine).completeWorkerTask(open, status, output, reason);
    return open.taskId;
  }
  if (tasks.length > 0 && !open)
    throw new ConflictError(`task '${ref}' of workflow '${workflowId}' is not open (it is ${latest(tasks)?.status ?? 'unknown'})`);
  return engine.systemTasks.completeByRef(workflowId, ref, status, output, reason);
}

const latest = (ts: TaskRecord[]): TaskRecord | undefined =>
  ts.reduce<TaskRecord | undefined>((a, t) => (!a || t.seq > a.seq ? t : a), undefined);
