import type { Decision } from '../decider';
import type { JsonObject, TaskRecord } from '../domain/records';
import type { ExternalPayloads } from '../payloads/external';
import type { LoadedPayload, Store } from '../store/port';
import { isEngineQueue } from './system-tasks/engine-queues';

/**
 * The runtime's side of external payload storage (docs/payloads.md, "External payload storage"):
 * what goes to the payload store before a commit, and what decisions read back. Only workers'
 * tasks have their input kept externally (a worker fetches it); tasks the engine runs itself
 * (HTTP, jq, sub-workflows...) read their input from the record.
 */

/** Do any of a decision's payloads go external? (Then it cannot commit inside a synchronous store transaction.) */
export function decisionGoesExternal(ext: ExternalPayloads, d: Decision): boolean {
  for (const t of d.newTasks) if (externalInput(t) && ext.over(t.inputData) !== null) return true;
  return d.workflow.output !== undefined && ext.over(d.workflow.output) !== null;
}

/**
 * Writes a decision's large payloads to the payload store and puts references in their place,
 * before the decision commits. Paths are named by task id and content hash, so a decision that is
 * redone after a conflict writes the same files; one that never commits leaves files that the
 * retention sweep removes once their run is found missing.
 */
export async function externalizeDecision(ext: ExternalPayloads, d: Decision, workflowId: string): Promise<void> {
  for (const t of d.newTasks) {
    if (!externalInput(t)) continue;
    const json = ext.over(t.inputData);
    if (json !== null) t.inputData = await ext.externalize(t.inputData, workflowId, `${t.taskId}.input`, json);
  }
  const output = d.workflow.output;
  if (output !== undefined) {
    const json = ext.over(output);
    if (json !== null) d.workflow.output = await ext.externalize(output, workflowId, 'workflow.output', json);
  }
}

const externalInput = (t: { queued: boolean; taskType: string }): boolean => t.queued && !isEngineQueue(t.taskType);

/**
 * Task payloads for a decision, with references resolved. A resolved payload is weighed as
 * unbounded, so the payload cache (which keeps ended attempts' payloads) never holds one: large
 * payloads are read again when a later decision needs them, rather than kept in memory.
 */
export async function loadPayloads(
  store: Pick<Store, 'getTaskPayloads'>,
  ext: ExternalPayloads | null,
  ids: readonly string[],
): Promise<Map<string, LoadedPayload>> {
  const found = await store.getTaskPayloads(ids);
  if (!ext) return found;
  for (const [id, p] of found) {
    const input = await ext.resolved(p.inputData);
    const output = await ext.resolved(p.outputData);
    if (input.external || output.external) {
      found.set(id, { inputData: input.value, outputData: output.value, final: p.final, bytes: Number.MAX_SAFE_INTEGER });
    }
  }
  return found;
}

/** A worker's reported output as the run keeps it: a reference when it was uploaded or is over the threshold. */
export async function reportedOutput(
  ext: ExternalPayloads,
  r: { taskId: string; workflowInstanceId?: string; outputData: JsonObject; externalOutputPayloadStoragePath?: string },
  workflowId: string,
): Promise<JsonObject> {
  if (r.externalOutputPayloadStoragePath) {
    return ext.attachUpload(r.externalOutputPayloadStoragePath, workflowId, `${r.taskId}.output`, '/externalOutputPayloadStoragePath');
  }
  ext.refuseLookalike(r.outputData, '/outputData');
  const json = ext.over(r.outputData);
  return json === null ? r.outputData : ext.externalize(r.outputData, workflowId, `${r.taskId}.output`, json);
}

/** Results a decision folds in, with payloads in the payload store read back (the decider reads a result's own payloads). */
export async function resolvedResults(ext: ExternalPayloads, results: readonly TaskRecord[]): Promise<readonly TaskRecord[]> {
  if (!results.some((t) => ext.refOf(t.outputData) || ext.refOf(t.inputData))) return results;
  const out: TaskRecord[] = [];
  for (const t of results) {
    const input = await ext.resolved(t.inputData);
    const output = await ext.resolved(t.outputData);
    out.push(input.external || output.external ? { ...t, inputData: input.value, outputData: output.value } : t);
  }
  return out;
}
