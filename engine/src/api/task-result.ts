import { TaskResult as TaskResultSchema, type TaskResult } from '@baton/protocol';
import type { Request } from 'express';
import type { Engine, TaskResultInput } from '../runtime/engine';
import { check, compile } from './validate';

const validateResult = compile<TaskResult>(TaskResultSchema);

/** A TaskResult body (`POST /tasks`, `POST /tasks/update-v2`), checked against @baton/protocol's schema. */
export function taskResultOf(engine: Engine, req: Request): TaskResultInput {
  const b = check(validateResult, req.body ?? {}, 'TaskResult');
  return {
    taskId: b.taskId,
    ...(b.workflowInstanceId ? { workflowInstanceId: b.workflowInstanceId } : {}),
    workerId: b.workerId ?? null,
    attemptToken: b.attemptToken ?? null,
    status: b.status,
    outputData: b.outputData ?? {},
    reasonForIncompletion: b.reasonForIncompletion ?? null,
    callbackAfterSeconds: b.callbackAfterSeconds ?? 0,
    extendLease: b.extendLease ?? false,
    logs: (b.logs ?? []).map((l) => ({ log: l.log, createdTime: l.createdTime ?? engine.clock.now() })),
    // Over REST: the engine's own queues' tasks are refused (in the store's fenced write).
    external: true,
    ...(b.externalOutputPayloadStoragePath ? { externalOutputPayloadStoragePath: b.externalOutputPayloadStoragePath } : {}),
  };
}
