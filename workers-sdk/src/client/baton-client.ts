import { randomUUID } from 'node:crypto';
import { PayloadCodecs } from './payload-codecs';
import { HttpError, InvalidResponseError, RequestAbortedError, WaitTimeoutError } from '../errors';
import { HttpTransport, parseJsonBody } from '../http/transport';
import { RetryMode } from '../http/retry-policy';
import type { BatonClientOptions } from '../options';
import { compileTransportOptions, nonNegativeInteger, positiveInteger } from '../options';
import { isJsonObject, parseWorkflow } from '../protocol/parse';
import type { JsonObject, StartWorkflowRequest, TaskDefLike, Workflow, WorkflowDefLike } from '../protocol/types';
import { isTerminalWorkflowStatus } from '../protocol/types';
import { sleep } from '../util/sleep';

export interface StartWorkflowOptions {
  /** Definition version; the server picks the latest when left out. */
  version?: number;
  correlationId?: string;
  priority?: number;
  /**
   * One run per key (and workflow name). With RETURN_EXISTING a start resent after a lost answer
   * is safe, so the client retries it like any idempotent request.
   */
  idempotencyKey?: string;
  /** FAIL (the server's default): a second start is a 409 naming the run; RETURN_EXISTING: its id. */
  idempotencyStrategy?: 'FAIL' | 'RETURN_EXISTING';
}

export interface GetWorkflowOptions {
  /** Default true. */
  includeTasks?: boolean;
  /** With a codec: decode the payloads (input, output, variables, tasks' input and output). Default true. */
  decode?: boolean;
}

export interface WaitForWorkflowOptions {
  /** Default 60000 ms. */
  timeoutMs?: number;
  /** Pause between two reads of the workflow. Default 250 ms. */
  intervalMs?: number;
  /** Default true. */
  includeTasks?: boolean;
  /** With a codec: decode the ended workflow's payloads. Default true. */
  decode?: boolean;
  signal?: AbortSignal;
}

/**
 * Typed client of the metadata and workflow REST API. Transient failures (network errors, 429,
 * 5xx) are retried with exponential backoff; other failures throw HttpError with the problem body.
 */
export class BatonClient {
  private readonly http: HttpTransport;
  private readonly codecs: PayloadCodecs | undefined;

  constructor(options: BatonClientOptions) {
    const compiled = compileTransportOptions(options);
    this.http = new HttpTransport(compiled);
    this.codecs = compiled.codec ? new PayloadCodecs(compiled.codec, this.http) : undefined;
  }

  /** Creates or updates task definitions. */
  async registerTaskDefs(defs: readonly TaskDefLike[]): Promise<void> {
    await this.http.send({ method: 'POST', path: '/api/metadata/taskdefs', body: defs, retry: RetryMode.IDEMPOTENT });
  }

  /** The stored task definition, or undefined when there is none (404). */
  async getTaskDef(name: string): Promise<TaskDefLike | undefined> {
    try {
      const response = await this.http.send({
        method: 'GET',
        path: `/api/metadata/taskdefs/${encodeURIComponent(name)}`,
        retry: RetryMode.IDEMPOTENT,
      });
      const body = parseJsonBody(response, `GET task definition ${name}`);
      if (!isJsonObject(body) || typeof body.name !== 'string')
        throw new InvalidResponseError(`task definition ${name}: expected an object with a name`);
      return body as TaskDefLike;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  async updateTaskDef(def: TaskDefLike): Promise<void> {
    await this.http.send({ method: 'PUT', path: '/api/metadata/taskdefs', body: def, retry: RetryMode.IDEMPOTENT });
  }

  /**
   * Without `overwrite` the server rejects a name and version that already exist; with it the
   * definition replaces the stored one (Conductor's bulk update takes an array).
   */
  async registerWorkflowDef(def: WorkflowDefLike, options: { overwrite?: boolean } = {}): Promise<void> {
    if (options.overwrite === true) {
      await this.http.send({ method: 'PUT', path: '/api/metadata/workflow', body: [def], retry: RetryMode.IDEMPOTENT });
    } else {
      // Resending a create that did go through would fail with a conflict, so resend only when the
      // server cannot have seen it.
      await this.http.send({ method: 'POST', path: '/api/metadata/workflow', body: def, retry: RetryMode.IF_NOT_PROCESSED });
    }
  }

  /** Starts a workflow and returns its id. */
  async startWorkflow(name: string, input: JsonObject = {}, options: StartWorkflowOptions = {}): Promise<string> {
    const request: StartWorkflowRequest = {
      name,
      input: this.codecs ? await this.codecs.encodeStartInput(name, options.version, input) : input,
      ...(options.version !== undefined && { version: options.version }),
      ...(options.correlationId !== undefined && { correlationId: options.correlationId }),
      ...(options.priority !== undefined && { priority: options.priority }),
      ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
      ...(options.idempotencyStrategy !== undefined && { idempotencyStrategy: options.idempotencyStrategy }),
    };
    // Without a key a resent start could run the workflow twice; with RETURN_EXISTING it finds the first.
    const retry =
      options.idempotencyKey !== undefined && options.idempotencyStrategy === 'RETURN_EXISTING'
        ? RetryMode.IDEMPOTENT
        : RetryMode.IF_NOT_PROCESSED;
    const response = await this.http.send({ method: 'POST', path: '/api/workflow', body: request, retry });
    return parseWorkflowId(response.text, response.contentType);
  }

  async getWorkflow(workflowId: string, options: GetWorkflowOptions = {}): Promise<Workflow> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/workflow/${encodeURIComponent(workflowId)}`,
      query: { includeTasks: options.includeTasks ?? true },
      retry: RetryMode.IDEMPOTENT,
    });
    const workflow = parseWorkflow(parseJsonBody(response, `GET workflow ${workflowId}`), `workflow ${workflowId}`);
    return this.codecs && options.decode !== false ? this.codecs.decodeWorkflow(workflow) : workflow;
  }

  async terminateWorkflow(workflowId: string, reason?: string): Promise<void> {
    await this.http.send({
      method: 'DELETE',
      path: `/api/workflow/${encodeURIComponent(workflowId)}`,
      query: { reason },
      retry: RetryMode.IDEMPOTENT,
    });
  }

  /**
   * Sends a signal to a workflow's inbox (a WAIT_FOR_SIGNAL step takes the oldest of its name).
   * Each call gets a signal id unless one is given, so a resend after a lost answer is stored once.
   */
  async signal(
    workflowId: string,
    name: string,
    payload: unknown = {},
    options: { signalId?: string } = {},
  ): Promise<{ signalId: string; seq: number }> {
    const signalId = options.signalId ?? randomUUID();
    if (this.codecs) payload = await this.codecs.encodeSignal(workflowId, payload);
    const response = await this.http.send({
      method: 'POST',
      path: `/api/workflow/${encodeURIComponent(workflowId)}/signal/${encodeURIComponent(name)}`,
      query: { signalId },
      body: payload,
      retry: RetryMode.IDEMPOTENT,
    });
    const body = parseJsonBody(response, `signal ${name}`);
    if (!isJsonObject(body) || typeof body.seq !== 'number') throw new InvalidResponseError(`signal ${name}: expected {signalId, seq}`);
    return { signalId, seq: body.seq };
  }

  /** Answers one of the workflow definition's queries (a jq expression over the run's state). */
  async query(workflowId: string, name: string): Promise<unknown> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/workflow/${encodeURIComponent(workflowId)}/query/${encodeURIComponent(name)}`,
      retry: RetryMode.IDEMPOTENT,
    });
    return parseJsonBody(response, `query ${name}`);
  }

  /**
   * Publishes an event; each call gets an event id unless one is given, so a resend is acted on
   * once. With a codec the data is encoded field by field but `clearFields` (what handlers'
   * conditions and mappings read), unless `encode` is false.
   */
  async publishEvent(
    name: string,
    data: unknown = {},
    options: { id?: string; clearFields?: readonly string[]; encode?: boolean } = {},
  ): Promise<string> {
    const id = options.id ?? randomUUID();
    if (this.codecs && options.encode !== false) data = await this.codecs.encode(data, options.clearFields ?? []);
    await this.http.send({ method: 'POST', path: '/api/events', body: { name, data, id }, retry: RetryMode.IDEMPOTENT });
    return id;
  }

  /** Reads the workflow until it is COMPLETED, FAILED, TIMED_OUT or TERMINATED, and returns it. */
  async waitForWorkflow(workflowId: string, options: WaitForWorkflowOptions = {}): Promise<Workflow> {
    const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 60_000);
    const intervalMs = nonNegativeInteger('intervalMs', options.intervalMs, 250);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Decoded once, at the end, rather than on every read.
      const workflow = await this.getWorkflow(workflowId, { includeTasks: options.includeTasks ?? true, decode: false });
      if (isTerminalWorkflowStatus(workflow.status))
        return this.codecs && options.decode !== false ? this.codecs.decodeWorkflow(workflow) : workflow;
      if (options.signal?.aborted === true) throw new RequestAbortedError(`waiting for workflow ${workflowId} was aborted`);
      if (Date.now() + intervalMs > deadline) throw new WaitTimeoutError(workflowId, workflow.status, timeoutMs);
      await sleep(intervalMs, options.signal);
    }
  }

  /** Number of tasks waiting in each task type's queue. */
  async queueSizes(taskTypes: readonly string[]): Promise<Record<string, number>> {
    if (taskTypes.length === 0) return {};
    const response = await this.http.send({
      method: 'GET',
      path: '/api/tasks/queue/sizes',
      query: { taskType: taskTypes },
      retry: RetryMode.IDEMPOTENT,
    });
    const body = parseJsonBody(response, 'GET queue sizes');
    if (!isJsonObject(body)) throw new InvalidResponseError('GET queue sizes: expected an object');
    const sizes: Record<string, number> = {};
    for (const [taskType, size] of Object.entries(body)) {
      if (typeof size !== 'number') throw new InvalidResponseError(`GET queue sizes: size of ${taskType} is not a number`);
      sizes[taskType] = size;
    }
    return sizes;
  }
}

function parseWorkflowId(text: string, contentType: string): string {
  let id = text.trim();
  // Conductor answers text/plain; some proxies and servers send the id as a JSON string.
  if (contentType.includes('json') || id.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(id);
      if (typeof parsed === 'string') id = parsed;
    } catch {
      // not JSON after all: keep the text
    }
  }
  if (id === '') throw new InvalidResponseError('POST /api/workflow: the answer has no workflow id');
  return id;
}
