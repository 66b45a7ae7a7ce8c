// The client's side of payload codecs: which payloads a workflow wants encoded (its definition's
// payloadCodec), and decoding what the server hands back (docs/payloads.md, "Codecs").
import type { ClearFields, PayloadCodec } from '../codec/payload-codec';
import { decodeObject, decodePayload, encodeObject, encodePayload } from '../codec/payload-codec';
import { HttpError } from '../errors';
import type { HttpTransport } from '../http/transport';
import { parseJsonBody } from '../http/transport';
import { RetryMode } from '../http/retry-policy';
import { isJsonObject } from '../protocol/parse';
import type { JsonObject, Task, Workflow } from '../protocol/types';

/** How long a definition's clear fields are trusted before they are read again (a new version may change them). */
const DEFINITION_TTL_MS = 10_000;

export class PayloadCodecs {
  private readonly definitions = new Map<string, { at: number; clearFields: string[] | null }>();

  constructor(
    readonly codec: PayloadCodec,
    private readonly http: HttpTransport,
  ) {}

  /** A start's input, encoded when the definition asks for it. */
  async encodeStartInput(name: string, version: number | undefined, input: JsonObject): Promise<JsonObject> {
    const clearFields = await this.clearFieldsOf(name, version);
    return clearFields === null ? input : encodeObject(input, this.codec, clearFields);
  }

  /** A signal's payload, encoded when the workflow's definition asks for it. */
  async encodeSignal(workflowId: string, payload: unknown): Promise<unknown> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/workflow/${encodeURIComponent(workflowId)}`,
      query: { includeTasks: false },
      retry: RetryMode.IDEMPOTENT,
    });
    const body = parseJsonBody(response, `GET workflow ${workflowId}`);
    const clearFields = isJsonObject(body) ? clearFieldsIn(body.workflowDefinition) : null;
    return clearFields === null ? payload : encodePayload(payload, this.codec, clearFields);
  }

  encode(value: unknown, clearFields: ClearFields): Promise<unknown> {
    return encodePayload(value, this.codec, clearFields);
  }

  async decodeWorkflow(workflow: Workflow): Promise<Workflow> {
    const [input, output, variables, tasks] = await Promise.all([
      decodeObject(workflow.input, this.codec),
      decodeObject(workflow.output, this.codec),
      workflow.variables ? decodeObject(workflow.variables, this.codec) : Promise.resolve(undefined),
      Promise.all(workflow.tasks.map((t) => this.decodeTask(t))),
    ]);
    return { ...workflow, input, output, ...(variables !== undefined && { variables }), tasks };
  }

  private async decodeTask(task: Task): Promise<Task> {
    const [inputData, outputData] = await Promise.all([
      decodeObject(task.inputData, this.codec),
      task.outputData ? decodePayload(task.outputData, this.codec) : Promise.resolve(undefined),
    ]);
    return { ...task, inputData, ...(outputData !== undefined && { outputData: outputData as JsonObject }) };
  }

  /** The definition's clear fields; null when it does not ask for encoded payloads (or is not there: the start then fails as usual). */
  private async clearFieldsOf(name: string, version: number | undefined): Promise<string[] | null> {
    const key = `${name}@${version ?? 'latest'}`;
    const cached = this.definitions.get(key);
    if (cached && Date.now() - cached.at < DEFINITION_TTL_MS) return cached.clearFields;
    let clearFields: string[] | null;
    try {
      const response = await this.http.send({
        method: 'GET',
        path: `/api/metadata/workflow/${encodeURIComponent(name)}`,
        query: { version },
        retry: RetryMode.IDEMPOTENT,
      });
      clearFields = clearFieldsIn(parseJsonBody(response, `GET definition ${name}`));
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return null;
      throw error;
    }
    this.definitions.set(key, { at: Date.now(), clearFields });
    return clearFields;
  }
}

function clearFieldsIn(definition: unknown): string[] | null {
  if (!isJsonObject(definition) || !isJsonObject(definition.payloadCodec)) return null;
  const fields = definition.payloadCodec.clearFields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}
