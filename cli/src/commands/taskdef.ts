import { isDeepStrictEqual } from 'node:util';
import { validateTaskDef } from '@baton/definitions';
import type { Command } from 'commander';
import { fieldChanges, show } from '../diff';
import { CliError, ExitCode, UsageError } from '../exit-codes';
import type { Context } from '../context';
import { intArg } from '../input';
import { time } from '../output';

type Doc = Record<string, unknown>;
interface TaskDefChange {
  name: string;
  changedAt: number;
  changedBy: string;
  before: Doc | null;
  after: Doc | null;
}

/** Task definitions: the policies (retries, timeouts, limits) workers' tasks run under (docs/policies.md). */
export function taskdefCommands(program: Command, ctx: Context): void {
  const taskdef = program.command('taskdef').description('task definitions: retry, timeout and rate policies');
  taskdef
    .command('get')
    .description('a task definition, as JSON')
    .argument('<name>')
    .action(async (name: string) => {
      const { body } = await ctx.client().get<Doc>(`/metadata/taskdefs/${encodeURIComponent(name)}`);
      ctx.out.data(body);
    });

  taskdef
    .command('set')
    .description('change fields of a task definition (values are JSON, else text); shows the change and its audit entry')
    .argument('<name>')
    .argument('<field=value...>', 'e.g. retryCount=5 timeoutSeconds=30 retryLogic=EXPONENTIAL_BACKOFF')
    .action(async (name: string, assignments: string[]) => {
      const assigned = parseAssignments(assignments);
      const client = ctx.client();
      const path = `/metadata/taskdefs/${encodeURIComponent(name)}`;
      const { body: before } = await client.get<Doc>(path);
      const after: Doc = { ...before, ...assigned };
      const checked = validateTaskDef(after);
      if (!checked.ok) {
        ctx.out.problems(`${name}#`, checked.problems);
        throw new CliError(`task definition '${name}' would be invalid; nothing was changed`, ExitCode.FAILED, [], 'INVALID_DEFINITION');
      }
      if (isDeepStrictEqual(before, after)) {
        if (ctx.out.json) return ctx.out.data({ name, changed: false, changes: [] });
        return ctx.out.line(`${name}: no change`);
      }
      const { body: stored } = await client.put<Doc>('/metadata/taskdefs', after);
      const { body: history } = await client.get<TaskDefChange[]>(`${path}/changes`, { limit: 10 });
      // Newest first; another operator may have changed it since, so take the entry that recorded this change.
      const entry = history.find((c) => isDeepStrictEqual(c.after, stored)) ?? history[0];
      const changes = fieldChanges(entry?.before ?? before, entry?.after ?? stored);
      if (ctx.out.json) return ctx.out.data({ name, changed: true, changes, audit: entry ?? null });
      ctx.out.line(`${name}:`);
      ctx.out.table(
        ['field', 'before', 'after'],
        changes.map((c) => [c.field, show(c.before), show(c.after)]),
      );
      if (entry) ctx.out.line(`recorded: changed by ${entry.changedBy} at ${time(entry.changedAt)} (baton taskdef history ${name})`);
    });

  taskdef
    .command('history')
    .description('who changed a task definition, when, and which fields')
    .argument('<name>')
    .option('--limit <n>', 'newest first, at most this many (1-1000)', '20')
    .action(async (name: string, opts: { limit: string }) => {
      const limit = intArg('--limit', opts.limit, 1, 1000);
      const { body } = await ctx.client().get<TaskDefChange[]>(`/metadata/taskdefs/${encodeURIComponent(name)}/changes`, { limit });
      if (ctx.out.json) return ctx.out.data(body);
      ctx.out.table(
        ['changed (UTC)', 'by', 'what'],
        body.map((c) => [
          time(c.changedAt),
          c.changedBy,
          c.before === null
            ? 'created'
            : c.after === null
              ? 'deleted'
              : fieldChanges(c.before, c.after)
                  .map((f) => `${f.field}: ${show(f.before)} -> ${show(f.after)}`)
                  .join(', ') || 'no field changed',
        ]),
        `no recorded changes of '${name}'`,
      );
    });
}

/** `field=value` pairs; a value that parses as JSON is that (5, true, null, {"a":1}), anything else is text. */
export function parseAssignments(assignments: readonly string[]): Doc {
  const changes: Doc = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`'${a}' is not field=value`);
    const field = a.slice(0, eq);
    if (field === 'name') throw new UsageError('the name of a task definition cannot change');
    const raw = a.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      // Text, e.g. retryLogic=FIXED.
    }
    changes[field] = value;
  }
  return changes;
}
