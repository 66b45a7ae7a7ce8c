// External payloads (the engine's docs/payloads.md): a task whose input the server keeps in its
// payload store arrives with externalInputPayloadStoragePath and an empty inputData; an output
// larger than the threshold is uploaded and reported by path. Both go through the server's
// signed locations (GET /api/tasks/external-storage-location), as Conductor's clients do, so a
// handler always sees and returns plain objects.
import { HttpError, InvalidResponseError } from '../errors';
import type { HttpTransport } from '../http/transport';
import { parseJsonBody } from '../http/transport';
import { RetryMode } from '../http/retry-policy';
import type { JsonObject, Task, TaskResult } from '../protocol/types';

interface Location {
  uri: string;
  path: string;
}

export class ExternalPayloadClient {
  constructor(
    private readonly http: HttpTransport,
    /** Outputs whose JSON is larger are uploaded; 0: never. */
    private readonly thresholdBytes: number,
  ) {}

  /** The task's input: inline, or read from its signed location. */
  async inputOf(task: Task): Promise<JsonObject> {
    const path = task.externalInputPayloadStoragePath;
    if (!path) return task.inputData;
    const where = await this.location({ path, operation: 'READ', payloadType: 'TASK_INPUT' });
    const response = await fetch(where.uri);
    if (!response.ok)
      throw new InvalidResponseError(`reading the input of task ${task.taskId} from the payload store: HTTP ${response.status}`);
    const value: unknown = await response.json();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidResponseError(`the input of task ${task.taskId} in the payload store is not a JSON object`);
    }
    return value as JsonObject;
  }

  /** The result as sent: a large output is uploaded first and reported by path. */
  async externalize(result: TaskResult): Promise<TaskResult> {
    const output = result.outputData;
    if (this.thresholdBytes <= 0 || !output) return result;
    const text = JSON.stringify(output);
    if (text.length <= this.thresholdBytes && Buffer.byteLength(text) <= this.thresholdBytes) return result;
    let where: Location;
    try {
      where = await this.location({ operation: 'WRITE', payloadType: 'TASK_OUTPUT', path: '' });
    } catch (error) {
      // A server without external payload storage: the output goes inline, as before.
      if (error instanceof HttpError && error.status === 404) return result;
      throw error;
    }
    const response = await fetch(where.uri, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: Buffer.from(text) });
    if (!response.ok) {
      throw new InvalidResponseError(
        `uploading the output of task ${result.taskId}: HTTP ${response.status} ${(await response.text()).slice(0, 500)}`,
      );
    }
    return { ...result, outputData: {}, externalOutputPayloadStoragePath: where.path };
  }

  private async location(query: Record<string, string>): Promise<Location> {
    const response = await this.http.send({
      method: 'GET',
      path: '/api/tasks/external-storage-location',
      query,
      retry: RetryMode.IDEMPOTENT,
    });
    const body = parseJsonBody(response, 'external-storage-location') as Partial<Location> | null;
    if (!body || typeof body.uri !== 'string' || typeof body.path !== 'string') {
      throw new InvalidResponseError('external-storage-location: the answer has no uri and path');
    }
    return { uri: body.uri, path: body.path };
  }
}
