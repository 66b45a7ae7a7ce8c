// On start, a worker puts the schemas of its typed task types on their task definitions, so the
// server enforces what the handlers declare. Policy fields an operator set are left alone.
import { HttpError } from '../errors';
import type { HttpTransport } from '../http/transport';
import { parseJsonBody } from '../http/transport';
import { RetryMode } from '../http/retry-policy';
import { isJsonObject } from '../protocol/parse';
import type { TaskDefLike } from '../protocol/types';

export type TaskDefSyncResult = 'created' | 'updated' | 'unchanged';

/** Creates the definition (with `wanted`'s fields) when missing, else sets the schema fields on the stored one. */
export async function syncTaskDef(http: HttpTransport, wanted: TaskDefLike): Promise<TaskDefSyncResult> {
  const path = `/api/metadata/taskdefs/${encodeURIComponent(wanted.name)}`;
  let stored: TaskDefLike | undefined;
  try {
    const response = await http.send({ method: 'GET', path, retry: RetryMode.IDEMPOTENT });
    const body = parseJsonBody(response, `GET task definition ${wanted.name}`);
    if (isJsonObject(body)) stored = body as TaskDefLike;
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 404)) throw error;
  }
  if (stored === undefined) {
    await http.send({ method: 'POST', path: '/api/metadata/taskdefs', body: [wanted], retry: RetryMode.IDEMPOTENT });
    return 'created';
  }
  const fields = ['inputSchema', 'outputSchema', 'enforceSchema'] as const;
  if (fields.every((f) => JSON.stringify(stored[f]) === JSON.stringify(wanted[f]))) return 'unchanged';
  const merged: TaskDefLike = {
    ...stored,
    inputSchema: wanted.inputSchema,
    outputSchema: wanted.outputSchema,
    enforceSchema: wanted.enforceSchema,
  };
  await http.send({ method: 'PUT', path: '/api/metadata/taskdefs', body: merged, retry: RetryMode.IDEMPOTENT });
  return 'updated';
}
