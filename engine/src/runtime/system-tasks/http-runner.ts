import type { Logger } from 'pino';
import { HTTP_QUEUE } from '../../decider/operators/http';
import type { TaskRecord } from '../../domain/records';
import type { Engine } from '../engine';
import type { DestinationPolicy } from './http/destination-policy';
import { HttpClient, HttpTaskInputError, type HttpLimits } from './http/http-call';
import { QueueRunner, type TaskOutcome } from './queue-runner';

export { requestOf, type HttpResponse } from './http/http-call';

export interface HttpRunnerOptions {
  /** Requests in flight at most (BATON_HTTP_CONCURRENCY): slow endpoints cannot take more. */
  concurrency: number;
  workerId: string;
  /** Where requests may go (BATON_HTTP_TASK_ALLOW opens more than the default). */
  policy: DestinationPolicy;
  limits: Omit<HttpLimits, 'maxSockets'>;
}

/**
 * Runs HTTP system tasks inside the engine from the internal HTTP queue (queue-runner.ts: the
 * worker protocol, so leases, fencing, time limits and the retry policy apply). At most
 * `concurrency` requests run at once, through the destination policy and limits of HttpClient.
 * 2xx completes the attempt with output.response {statusCode, headers, body (parsed when JSON),
 * reasonPhrase}; any other status, a connection error or a timeout fails it (FAILED, so the task
 * definition's retry policy decides); a request that can never succeed as given (a refused
 * destination, an invalid URI, a timeout above its bound) fails for good
 * (FAILED_WITH_TERMINAL_ERROR). Reasons never show URL credentials (http/redact.ts).
 */
export class HttpRunner extends QueueRunner {
  private readonly client: HttpClient;

  constructor(engine: Engine, log: Logger, options: HttpRunnerOptions) {
    const client = new HttpClient(options.policy, { ...options.limits, maxSockets: options.concurrency });
    super(engine, log, {
      queue: HTTP_QUEUE,
      concurrency: options.concurrency,
      workerId: options.workerId,
      execute: (t, signal) => runHttpTask(client, t, signal),
    });
    this.client = client;
  }

  override async stop(): Promise<void> {
    await super.stop();
    this.client.close();
  }
}

export async function runHttpTask(client: HttpClient, t: TaskRecord, signal: AbortSignal): Promise<TaskOutcome> {
  try {
    const response = await client.call(t.inputData, signal);
    return response.statusCode >= 200 && response.statusCode < 300
      ? { status: 'COMPLETED', output: { response }, reason: null }
      : { status: 'FAILED', output: { response }, reason: `HTTP ${response.statusCode} ${response.reasonPhrase}`.trim() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: err instanceof HttpTaskInputError ? 'FAILED_WITH_TERMINAL_ERROR' : 'FAILED', output: {}, reason: message };
  }
}
