import type { Task } from '@baton/protocol';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../exit-codes';
import type { Context } from '../context';
import { intArg } from '../input';
import { time } from '../output';

/** Poison tasks: the attempts after which their step gave up (docs/policies.md, "Poison tasks"). */
export function poisonCommands(program: Command, ctx: Context): void {
  const poison = program.command('poison').description('attempts after which their step gave up, and retrying them after a fix');
  poison
    .command('list')
    .description('poison tasks, newest first')
    .option('-t, --type <taskType>', 'only this task type')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (opts: { type?: string; limit: string }) => {
      const limit = intArg('--limit', opts.limit, 1, 1000);
      const { body } = await ctx.client().get<Task[]>('/tasks/failed', { taskType: opts.type, limit });
      if (ctx.out.json) return ctx.out.data(body);
      ctx.out.table(
        ['task type', 'step', 'status', 'ended (UTC)', 'workflow', 'reason'],
        body.map((t) => [
          t.taskType,
          t.referenceTaskName,
          t.status,
          time(t.endTime || t.updateTime),
          t.workflowInstanceId,
          t.reasonForIncompletion ?? '',
        ]),
        'no poison tasks',
      );
    });

  poison
    .command('retry')
    .description(
      'retry every FAILED or TIMED_OUT run that gave up on this task type (or only the given runs); exits 1 if a given run was skipped',
    )
    .argument('<taskType>')
    .argument('[workflowIds...]', 'only these runs')
    .action(async (taskType: string, workflowIds: string[]) => {
      const body = { taskType, ...(workflowIds.length ? { workflowIds } : {}) };
      const { body: result } = await ctx
        .client()
        .post<{ retried: string[]; skipped: Array<{ workflowId: string; reason: string }> }>('/tasks/failed/retry', body);
      if (ctx.out.json) ctx.out.data(result);
      else {
        ctx.out.line(
          `retried ${result.retried.length} run${result.retried.length === 1 ? '' : 's'}${result.retried.length ? `: ${result.retried.join(', ')}` : ''}`,
        );
        for (const s of result.skipped) ctx.out.line(`skipped ${s.workflowId}: ${s.reason}`);
      }
      if (workflowIds.length && result.skipped.length) {
        throw new CliError(`${result.skipped.length} of the given runs were not retried`, ExitCode.FAILED, [], 'NOT_RETRIED');
      }
    });
}
