import type { Task, Workflow, WorkflowSummary } from '@baton/protocol';
import type { Command } from 'commander';
import { UsageError } from '../exit-codes';
import type { Context } from '../context';
import { intArg, objectArg, timeArg } from '../input';
import { duration, time } from '../output';
import { watchRun } from '../watch';

const STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED', 'PAUSED'];

/** Starting, reading, searching and following runs. */
export function runCommands(program: Command, ctx: Context): void {
  program
    .command('start')
    .description('start a run of a workflow; prints its id')
    .argument('<name>', 'workflow name')
    .option('-i, --input <json|@file>', 'the input: inline JSON, @file (JSON or YAML) or @- for stdin', '{}')
    .option('--version <n>', 'definition version (default: the latest)')
    .option('--correlation-id <id>', 'correlation id')
    .option('--priority <n>', 'priority, 0-99')
    .option('--idempotency-key <key>', 'one run per key and workflow name')
    .option('-w, --watch', 'then follow it until it ends (exit status as for `watch`)')
    .action(
      async (
        name: string,
        opts: { input: string; version?: string; correlationId?: string; priority?: string; idempotencyKey?: string; watch?: boolean },
      ) => {
        const body = {
          name,
          input: objectArg('--input', opts.input),
          ...(opts.version !== undefined ? { version: intArg('--version', opts.version, 1, 2_147_483_647) } : {}),
          ...(opts.correlationId !== undefined ? { correlationId: opts.correlationId } : {}),
          ...(opts.priority !== undefined ? { priority: intArg('--priority', opts.priority, 0, 99) } : {}),
          ...(opts.idempotencyKey !== undefined ? { idempotencyKey: opts.idempotencyKey } : {}),
        };
        const { body: id } = await ctx.client().post<string>('/workflow', body);
        const workflowId = String(id).trim();
        if (opts.watch) {
          if (!ctx.out.json) ctx.out.line(workflowId);
          return watchRun(ctx, workflowId, 1000);
        }
        if (ctx.out.json) ctx.out.data({ workflowId });
        else ctx.out.line(workflowId);
      },
    );

  program
    .command('get')
    .description('a run: its status, and a tree of its steps with every attempt')
    .argument('<id>', 'workflow id')
    .action(async (id: string) => {
      const { body: wf } = await ctx.client().get<Workflow>(`/workflow/${encodeURIComponent(id)}`, { includeTasks: 'true' });
      if (ctx.out.json) return ctx.out.data(wf);
      for (const line of runTree(wf)) ctx.out.line(line);
    });

  program
    .command('search')
    .description('find runs, newest first')
    .option('-s, --status <list>', `comma-separated: ${STATUSES.join(', ')}`)
    .option('-n, --name <list>', 'workflow names, comma-separated')
    .option('--since <time>', 'started at or after: ISO 8601, epoch ms, or an age (15m, 2h, 7d)')
    .option('--until <time>', 'started before (same forms)')
    .option('--correlation-id <id>', 'correlation id')
    .option('--text <words>', 'words in the input or output (every word must occur)')
    .option('--limit <n>', 'at most this many (1-1000)', '20')
    .action(
      async (opts: {
        status?: string;
        name?: string;
        since?: string;
        until?: string;
        correlationId?: string;
        text?: string;
        limit: string;
      }) => {
        const query = searchQuery(opts, Date.now());
        const size = intArg('--limit', opts.limit, 1, 1000);
        const { body } = await ctx.client().get<{ totalHits: number; results: WorkflowSummary[] }>('/workflow/search', {
          query: query || undefined,
          freeText: opts.text,
          sort: 'startTime:DESC',
          size,
        });
        if (ctx.out.json) return ctx.out.data(body);
        ctx.out.table(
          ['id', 'name', 'version', 'status', 'started (UTC)', 'took', 'correlation id'],
          body.results.map((w) => [
            w.workflowId,
            w.workflowType,
            String(w.version),
            String(w.status),
            time(Date.parse(w.startTime)),
            w.status === 'RUNNING' || w.status === 'PAUSED' ? '-' : duration(w.executionTime),
            w.correlationId ?? '',
          ]),
          'no runs match',
        );
        if (body.totalHits > body.results.length) ctx.out.line(`(${body.results.length} of ${body.totalHits}; --limit for more)`);
      },
    );

  program
    .command('watch')
    .description('follow a run live until it ends; exits 0 if it COMPLETED, 1 otherwise')
    .argument('<id>', 'workflow id')
    .option('--interval <ms>', 'how often to ask the engine', '1000')
    .action(async (id: string, opts: { interval: string }) => watchRun(ctx, id, intArg('--interval', opts.interval, 50, 60_000)));
}

/** Conductor's query language (README "Search") from the flags; each value checked before it is sent. */
export function searchQuery(
  opts: { status?: string; name?: string; since?: string; until?: string; correlationId?: string },
  now: number,
): string {
  const clauses: string[] = [];
  const list = (flag: string, raw: string): string[] => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) throw new UsageError(`${flag} needs at least one value`);
    for (const i of items) if (!/^[\w.:-]+$/.test(i)) throw new UsageError(`${flag}: '${i}' is not a name (letters, digits, _ . : -)`);
    return items;
  };
  if (opts.name !== undefined) clauses.push(`workflowType IN (${list('--name', opts.name).join(', ')})`);
  if (opts.status !== undefined) {
    const statuses = list('--status', opts.status).map((s) => s.toUpperCase());
    for (const s of statuses) if (!STATUSES.includes(s)) throw new UsageError(`--status: '${s}' is not one of ${STATUSES.join(', ')}`);
    clauses.push(`status IN (${statuses.join(', ')})`);
  }
  if (opts.since !== undefined) clauses.push(`startTime >= ${timeArg('--since', opts.since, now)}`);
  if (opts.until !== undefined) clauses.push(`startTime < ${timeArg('--until', opts.until, now)}`);
  if (opts.correlationId !== undefined) clauses.push(`correlationId = ${JSON.stringify(opts.correlationId)}`);
  return clauses.join(' AND ');
}

/**
 * The run as a tree: a line for the run, one per step (in the order steps were scheduled), and under
 * each step one per attempt, with why it failed. Loop iterations are steps of their own (`ref__2`).
 */
export function runTree(wf: Workflow): string[] {
  const ended = wf.endTime ? ` took ${duration(wf.endTime - (wf.startTime ?? wf.endTime))}` : '';
  const lines = [`${wf.workflowName} v${wf.workflowVersion}  ${wf.status}  ${wf.workflowId}  started ${time(wf.startTime)}${ended}`];
  if (wf.reasonForIncompletion) lines.push(`  reason: ${wf.reasonForIncompletion}`);
  const steps = new Map<string, Task[]>();
  for (const t of [...(wf.tasks ?? [])].sort((a, b) => a.seq - b.seq)) {
    const attempts = steps.get(t.referenceTaskName) ?? [];
    attempts.push(t);
    steps.set(t.referenceTaskName, attempts);
  }
  const entries = [...steps.entries()];
  if (entries.length === 0) lines.push('└─ (no steps yet)');
  entries.forEach(([ref, attempts], i) => {
    const lastStep = i === entries.length - 1;
    const last = attempts[attempts.length - 1] as Task;
    // A worker task's taskType is its definition's name; the step's type says what kind of step it is.
    const kind = last.workflowTask?.type ?? last.taskType;
    const sub = typeof last.outputData.subWorkflowId === 'string' ? `  sub-workflow ${last.outputData.subWorkflowId}` : '';
    lines.push(
      `${lastStep ? '└─' : '├─'} ${ref} (${kind})  ${last.status}${attempts.length > 1 ? `  ${attempts.length} attempts` : ''}${sub}`,
    );
    const indent = lastStep ? '   ' : '│  ';
    attempts.forEach((a, j) => {
      const took = a.endTime && a.startTime ? `  ran ${duration(a.endTime - a.startTime)}` : '';
      const waited = a.startTime && a.scheduledTime ? `  waited ${duration(Math.max(0, a.startTime - a.scheduledTime))}` : '';
      const worker = a.workerId ? `  worker ${a.workerId}` : '';
      const reason = a.reasonForIncompletion ? `  "${a.reasonForIncompletion}"` : '';
      lines.push(
        `${indent}${j === attempts.length - 1 ? '└─' : '├─'} attempt ${a.retryCount}  ${a.status}${waited}${took}${worker}  ${a.taskId}${reason}`,
      );
    });
  });
  return lines;
}
