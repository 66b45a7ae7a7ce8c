import type { PayloadCodec } from '../codec/payload-codec';
import { decodeObject, encodeObject } from '../codec/payload-codec';
import type { Logger } from '../logger';
import { scopeLogger } from '../logger';
import type { JsonObject, Task } from '../protocol/types';
import { LeaseKeeper, leaseExtensionIntervalMs } from './lease-keeper';
import type { TaskOutcome } from './outcome';
import { outcomeOfError, outcomeOfReturn, toTaskResult } from './outcome';
import type { TaskContext } from './task-context';
import type { TaskProtocol } from './task-protocol';
import { ReportOutcome } from './task-protocol';

/** A registered handler with its input type erased; the worker stores handlers of many types. */
export type ErasedHandler = (input: JsonObject, ctx: TaskContext) => unknown;

export interface ExecutionDeps {
  readonly handler: ErasedHandler;
  readonly protocol: TaskProtocol;
  readonly workerId: string;
  readonly logger: Logger;
  /** Aborted when the worker stops: from then on a report claims no next task. */
  readonly stopSignal?: AbortSignal;
  /** Report and take the next task in one call (BatonWorkerOptions.reportAndPoll). */
  readonly reportAndPoll?: boolean;
  /** Decodes inputs, and encodes outputs of workflows that ask for it (task.payloadCodec). */
  readonly codec?: PayloadCodec | undefined;
}

/**
 * Runs a claimed task to its report, then, in the same slot, each next task the server handed
 * over with the report (update-v2): one round trip per step instead of a report and a poll.
 * Never rejects: every failure ends as a log line.
 */
export async function executeTask(task: Task, deps: ExecutionDeps): Promise<void> {
  let current: Task | undefined = task;
  while (current) current = await executeOne(current, deps);
}

async function executeOne(task: Task, deps: ExecutionDeps): Promise<Task | undefined> {
  const logger = scopeLogger(deps.logger, {
    taskId: task.taskId,
    workflowInstanceId: task.workflowInstanceId,
    taskType: task.taskType,
  });
  const lease = new AbortController();
  const keeper = new LeaseKeeper({
    taskId: task.taskId,
    intervalMs: leaseExtensionIntervalMs(task.responseTimeoutSeconds),
    extend: (signal, retryBudgetMs) => deps.protocol.extendLease(task, signal, retryBudgetMs),
    onLost: (error) => lease.abort(error),
    logger,
  });
  const ctx: TaskContext = {
    taskId: task.taskId,
    workflowInstanceId: task.workflowInstanceId,
    taskType: task.taskType,
    referenceTaskName: task.referenceTaskName,
    retryCount: task.retryCount,
    pollCount: task.pollCount,
    attemptToken: task.attemptToken,
    signal: lease.signal,
    extendLease: () => keeper.extendNow(),
    logger,
  };

  logger.debug({ retryCount: task.retryCount, pollCount: task.pollCount }, 'task started');
  let outcome: TaskOutcome;
  keeper.start();
  try {
    const raw = await deps.protocol.payloads.inputOf(task);
    const input = deps.codec ? await decodeObject(raw, deps.codec) : raw;
    outcome = outcomeOfReturn(await deps.handler(input, ctx));
  } catch (error) {
    outcome = outcomeOfError(error);
    logger.warn({ err: error, status: outcome.status }, 'task handler failed');
  } finally {
    keeper.stop();
  }

  if (lease.signal.aborted) {
    // The server already refused this attempt; another attempt owns the task now.
    logger.warn({ status: outcome.status }, 'lease was lost while the handler ran; result dropped');
    return undefined;
  }

  try {
    outcome = await encodeOutcome(task, outcome, deps.codec);
  } catch (error) {
    logger.warn({ err: error }, 'could not encode the output');
    outcome = outcomeOfError(error);
  }
  let result = toTaskResult(task, deps.workerId, outcome, Date.now());
  // A terminal result may bring the next task along; an IN_PROGRESS one keeps this task, and a
  // stopping worker takes no new work.
  const chain =
    deps.reportAndPoll !== false && result.status !== 'IN_PROGRESS' && deps.stopSignal !== undefined && !deps.stopSignal.aborted;
  try {
    result = await deps.protocol.payloads.externalize(result);
    const { outcome: reported, next } = chain
      ? await deps.protocol.reportAndClaimNext(result, task.taskType)
      : { outcome: await deps.protocol.report(result), next: undefined };
    if (reported === ReportOutcome.STALE) {
      logger.warn({ status: result.status }, 'server refused the report: attempt expired or superseded; result dropped');
    } else {
      logger.debug({ status: result.status, next: next?.taskId }, 'task reported');
    }
    return next;
  } catch (error) {
    logger.error(
      { err: error, status: result.status },
      'could not report the task; the server will hand it out again when its lease expires',
    );
    return undefined;
  }
}

/** The workflow asked for encoded payloads (its definition's payloadCodec): every output field but its clear ones is encoded. */
async function encodeOutcome(task: Task, outcome: TaskOutcome, codec: PayloadCodec | undefined): Promise<TaskOutcome> {
  const clearFields = task.payloadCodec?.clearFields;
  if (!codec || clearFields === undefined || Object.keys(outcome.outputData).length === 0) return outcome;
  return { ...outcome, outputData: await encodeObject(outcome.outputData, codec, clearFields) };
}
