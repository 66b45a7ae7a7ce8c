// Turns response bodies into the SDK's wire types. Servers differ in which optional fields they
// send, so the fields the SDK relies on are checked and defaulted here, once, at the boundary.
import { InvalidResponseError } from '../errors';
import type { JsonObject, Task, Workflow, WorkflowStatus } from './types';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Body of a batch poll: an array of tasks. A single task object is accepted too. */
export function parseTaskList(body: unknown, taskType: string): Task[] {
  const items = Array.isArray(body) ? body : isJsonObject(body) ? [body] : undefined;
  if (items === undefined) throw new InvalidResponseError(`poll for ${taskType}: expected an array of tasks`);
  return items.map((item, index) => parseTask(item, `poll for ${taskType}, item ${index}`, taskType));
}

export function parseTask(value: unknown, where: string, fallbackTaskType?: string): Task {
  if (!isJsonObject(value)) throw new InvalidResponseError(`${where}: a task must be an object`);
  const taskId = value['taskId'];
  const workflowInstanceId = value['workflowInstanceId'];
  if (typeof taskId !== 'string' || taskId === '') throw new InvalidResponseError(`${where}: taskId is missing`);
  if (typeof workflowInstanceId !== 'string') {
    throw new InvalidResponseError(`${where}: workflowInstanceId is missing in task ${taskId}`);
  }
  const rest = value as Partial<Task>;
  return {
    ...rest,
    taskId,
    workflowInstanceId,
    taskType: stringOr(value['taskType'], fallbackTaskType ?? ''),
    referenceTaskName: stringOr(value['referenceTaskName'], ''),
    inputData: isJsonObject(value['inputData']) ? value['inputData'] : {},
    retryCount: numberOr(value['retryCount'], 0),
    pollCount: numberOr(value['pollCount'], 0),
    responseTimeoutSeconds: numberOr(value['responseTimeoutSeconds'], 0),
    callbackAfterSeconds: numberOr(value['callbackAfterSeconds'], 0),
    attemptToken: stringOr(value['attemptToken'], ''),
  };
}

export function parseWorkflow(value: unknown, where: string): Workflow {
  if (!isJsonObject(value)) throw new InvalidResponseError(`${where}: a workflow must be an object`);
  const workflowId = value['workflowId'];
  const status = value['status'];
  if (typeof workflowId !== 'string') throw new InvalidResponseError(`${where}: workflowId is missing`);
  if (typeof status !== 'string') throw new InvalidResponseError(`${where}: status is missing`);
  const tasks = Array.isArray(value['tasks']) ? value['tasks'] : [];
  const rest = value as Partial<Workflow>;
  return {
    ...rest,
    workflowId,
    // A newer server may add statuses; they pass through as strings rather than failing the call.
    status: status as WorkflowStatus,
    workflowName: stringOr(value['workflowName'], ''),
    workflowVersion: numberOr(value['workflowVersion'], 0),
    input: isJsonObject(value['input']) ? value['input'] : {},
    output: isJsonObject(value['output']) ? value['output'] : {},
    tasks: tasks.map((task, index) => parseTask(task, `${where}, tasks[${index}]`)),
  };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
