import type { Task, Workflow } from '@baton/protocol';
import { CliError, ExitCode } from './exit-codes';
import type { Context } from './context';
import { time } from './output';

const ENDED = new Set(['COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED']);
/** An engine restarting (or a network blip) should not end a watch of a long run: keep asking this long. */
const UNREACHABLE_GRACE_MS = 60_000;

/**
 * Follows a run by polling `GET /api/workflow/{id}` (the engine has no push stream): one line per
 * attempt that appears or changes status, one per change of the run's status, until the run ends.
 * With --json each change is one JSON object per line (NDJSON). The exit status tells how the run
 * ended: 0 COMPLETED, 1 anything else.
 */
export async function watchRun(ctx: Context, id: string, intervalMs: number): Promise<void> {
  const client = ctx.client();
  const seen = new Map<string, string>();
  let runStatus = '';
  let unreachableSince: number | null = null;
  for (;;) {
    let wf: Workflow;
    try {
      wf = (await client.get<Workflow>(`/workflow/${encodeURIComponent(id)}`, { includeTasks: 'true' })).body;
      unreachableSince = null;
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode !== ExitCode.UNREACHABLE) throw err;
      if (unreachableSince === null) {
        unreachableSince = Date.now();
        ctx.out.warn(`${err.message}; still trying`);
      } else if (Date.now() - unreachableSince > UNREACHABLE_GRACE_MS) throw err;
      await sleep(intervalMs);
      continue;
    }
    // The run's status first while it runs, last when it ended: the lines read in the order things happened.
    const ended = ENDED.has(wf.status);
    if (!ended && wf.status !== runStatus) runStatus = emitRun(ctx, wf);
    for (const t of [...(wf.tasks ?? [])].sort((a, b) => a.seq - b.seq)) {
      if (seen.get(t.taskId) === t.status) continue;
      seen.set(t.taskId, t.status);
      emitTask(ctx, t);
    }
    if (ended) {
      emitRun(ctx, wf);
      if (wf.status !== 'COMPLETED')
        throw new CliError(`run ${wf.workflowId} ended ${wf.status}`, ExitCode.FAILED, [], 'RUN_NOT_COMPLETED');
      return;
    }
    await sleep(intervalMs);
  }
}

function emitRun(ctx: Context, wf: Workflow): string {
  const at = wf.updateTime ?? Date.now();
  if (ctx.out.json)
    ctx.out.line(JSON.stringify({ at, workflowId: wf.workflowId, status: wf.status, reasonForIncompletion: wf.reasonForIncompletion }));
  else
    ctx.out.line(
      `${time(at)}  ${wf.workflowName} ${wf.workflowId}  ${wf.status}${wf.reasonForIncompletion ? `  "${wf.reasonForIncompletion}"` : ''}`,
    );
  return wf.status;
}

function emitTask(ctx: Context, t: Task): void {
  const at = t.endTime || t.startTime || t.scheduledTime || t.updateTime;
  if (ctx.out.json) {
    ctx.out.line(
      JSON.stringify({
        at,
        taskId: t.taskId,
        referenceTaskName: t.referenceTaskName,
        taskType: t.taskType,
        status: t.status,
        retryCount: t.retryCount,
        reasonForIncompletion: t.reasonForIncompletion,
      }),
    );
    return;
  }
  const reason = t.reasonForIncompletion ? `  "${t.reasonForIncompletion}"` : '';
  ctx.out.line(
    `${time(at)}    ${t.referenceTaskName} (${t.workflowTask?.type ?? t.taskType})  attempt ${t.retryCount}  ${t.status}${t.workerId ? `  worker ${t.workerId}` : ''}${reason}`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
