import { HTTP_QUEUE } from '../../decider/operators/http';
import { JQ_QUEUE } from '../../decider/operators/json-jq';
import { EngineQueueError } from '../../security-errors';

/**
 * The queues of task types the engine runs itself (http-runner.ts, jq.ts). They are the engine's:
 * no REST client may poll them or report their tasks (their input carries other workflows'
 * requests and credentials, and a forged result would complete a workflow), and their attempts
 * get the short, renewed lease of EngineOptions.engineTaskLeaseMs instead of a task definition's.
 */
export const engineQueues: ReadonlySet<string> = new Set([HTTP_QUEUE, JQ_QUEUE]);

export function isEngineQueue(taskType: string): boolean {
  return engineQueues.has(taskType);
}

export function refuseEnginePoll(taskType: string): void {
  if (isEngineQueue(taskType)) {
    throw new EngineQueueError(`task type '${taskType}' is run by the engine itself: its queue cannot be polled over REST`);
  }
}

export function refuseEngineReport(task: { taskId: string; taskType: string } | null): void {
  if (task && isEngineQueue(task.taskType)) {
    throw new EngineQueueError(
      `task '${task.taskId}' is a ${task.taskType} task run by the engine itself: its result cannot be reported over REST`,
    );
  }
}
