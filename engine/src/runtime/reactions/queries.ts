import type { JsonObject } from '../../domain/records';
import { NotFoundError, QueryFailedError } from '../../errors';
import type { Engine } from '../engine';
import type { JqPool } from '../system-tasks/jq';

const own = (o: Record<string, string> | undefined, k: string): string | undefined =>
  o && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;

/**
 * Workflow queries (`GET /api/workflow/{id}/query/{name}`): a definition's `queries: {name: "<jq>"}`
 * evaluated over the run's state on the engine's jq threads (system-tasks/jq.ts: one query per
 * thread, time- and memory-limited, never on the event loop). Reads only: nothing is written.
 * The state a query sees: the run's fields (workflowId, workflowType, version, status, input,
 * output, variables, correlationId, times, reasonForIncompletion) and `tasks`: each step's latest
 * attempt by reference name, with its status, output and retry count.
 */
export class Queries {
  constructor(
    private readonly engine: Engine,
    private readonly jq: () => JqPool,
  ) {}

  async run(workflowId: string, name: string): Promise<unknown> {
    const wf = await this.engine.getWorkflow(workflowId);
    const expression = own(wf.definition.queries, name);
    if (expression === undefined) {
      const known = Object.keys(wf.definition.queries ?? {});
      throw new NotFoundError(
        `workflow '${wf.workflowName}' version ${wf.workflowVersion} has no query '${name}'` +
          (known.length ? ` (it has: ${known.join(', ')})` : ' (its definition declares no queries)'),
      );
    }
    const steps = Object.entries(wf.state.steps);
    const payloads = await this.engine.loadPayloads(steps.map(([, s]) => s.taskId));
    const tasks: Record<string, JsonObject> = {};
    for (const [ref, s] of steps) {
      tasks[ref] = {
        status: s.status,
        output: payloads.get(s.taskId)?.outputData ?? {},
        retryCount: s.retryCount,
        iteration: s.iteration,
        reasonForIncompletion: s.reason,
        taskType: s.taskType,
      };
    }
    const state: JsonObject = {
      workflowId: wf.workflowId,
      workflowType: wf.workflowName,
      version: wf.workflowVersion,
      status: wf.status,
      input: wf.input,
      output: wf.output,
      variables: wf.variables,
      correlationId: wf.correlationId,
      createTime: wf.createTime,
      startTime: wf.startTime,
      endTime: wf.endTime,
      reasonForIncompletion: wf.reasonForIncompletion,
      tasks,
    };
    try {
      const values = await this.jq().run(state, expression);
      return values[0] ?? null;
    } catch (err) {
      throw new QueryFailedError(`query '${name}' failed on workflow '${workflowId}': ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
