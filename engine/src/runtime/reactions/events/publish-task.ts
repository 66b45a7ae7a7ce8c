import type { TaskRecord } from '../../../domain/records';
import { TaskStatus } from '../../../domain/status';
import { BatonError } from '../../../errors';
import type { Engine } from '../../engine';

export const isEventTask = (t: { workflowTaskType: string }): boolean => t.workflowTaskType === 'EVENT';

/**
 * The runtime half of the EVENT task (decider/operators/reactions.ts): publishes the step's input
 * as an event, with the id the decider derived from the attempt, then completes the step. Run
 * after the commit and again by the task's timer if the engine stopped first: the event is stored
 * once (its id), and the completion is fenced on the step still being open. The data is the
 * step's input plus the fields Conductor adds to an EVENT task's message (workflowInstanceId,
 * workflowType, workflowVersion, correlationId).
 */
export async function publishFromTask(engine: Engine, t: TaskRecord): Promise<void> {
  const name = String(t.outputData.eventName ?? '');
  const eventId = String(t.outputData.eventId ?? '');
  const wf = await engine.store.getWorkflow(t.workflowInstanceId);
  const data = {
    ...t.inputData,
    workflowInstanceId: t.workflowInstanceId,
    workflowType: t.workflowType,
    ...(wf ? { workflowVersion: wf.workflowVersion, correlationId: wf.correlationId } : {}),
  };
  let status: TaskStatus = TaskStatus.COMPLETED;
  let reason: string | null = null;
  try {
    await engine.reactions.events.publish({ name, data, id: eventId, source: `task:${t.taskId}` });
  } catch (err) {
    if (!(err instanceof BatonError) || err.retryable) throw err;
    status = TaskStatus.FAILED_WITH_TERMINAL_ERROR;
    reason = `could not publish event '${name}': ${err.message}`;
  }
  const done = await engine.store.completeEngineTask(
    t.taskId,
    {},
    { status, outputData: t.outputData, reasonForIncompletion: reason },
    engine.clock.now(),
  );
  if (!done) return;
  try {
    await engine.advance(t.workflowInstanceId, [done]);
  } catch (err) {
    engine.log.warn(
      { err, workflowId: t.workflowInstanceId, taskId: t.taskId },
      'decide after an EVENT task failed; the sweeper will retry',
    );
  }
}
