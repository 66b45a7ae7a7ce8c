/** One run of an attempt by a worker, as chaos-worker.ts appends it. */
export interface Effect {
  workflowId: string;
  ref: string;
  taskId: string;
  retryCount: number;
  pid: number;
  at: number;
}

/** What the harness read back of one run. */
export interface Run {
  workflowId: string;
  workflowType: string;
  status: string;
  correlationId: string | null;
  tasks: Array<{ taskId: string; ref: string; status: string; retryCount: number; workflowTaskType: string }>;
}

export interface Kill {
  target: string;
  at: number;
  /** Engines: from the kill until its replacement answered /health (ms). */
  restartMs?: number;
  /** From the kill until the number of completed workflows next grew (ms); undefined if it never did before the end. */
  progressMs?: number;
}

export interface ChaosReport {
  config: Record<string, unknown>;
  startAttempts: number;
  /** Starts answered 2xx. */
  started: number;
  completed: number;
  /** Acknowledged starts whose workflow the store does not have. */
  lost: string[];
  /** Runs (any, children included) not ended after the drain. */
  stuck: string[];
  /** Runs that ended otherwise than COMPLETED. */
  failed: string[];
  /** Runs whose start was not acknowledged (the request failed with its engine) but which exist: completed like any. */
  extraRuns: number;
  /** Steps with more than one COMPLETED attempt. */
  completedTwice: string[];
  sideEffects: number;
  /** Side effects that ran again for a step that had already run one: each explained by a lapsed lease, or not. */
  duplicateEffects: number;
  unexplainedDuplicates: string[];
  /** From a side effect whose lease lapsed to the next run of the same step (ms). */
  redeliveryMs: { count: number; median: number; max: number };
  /** Requests engines answered 500 (from their logs). */
  serverErrors: number;
  /** Attempts that timed out on a lapsed lease (a dead worker's, or an engine's claim lost with it). */
  lapsedLeases: number;
  kills: Kill[];
  recovery: { engineRestartMs: Stats; progressMs: Stats };
  durationMs: number;
  ok: boolean;
}

export interface Stats {
  count: number;
  median: number;
  p90: number;
  max: number;
}

export function stats(values: number[]): Stats {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => (v.length ? (v[Math.min(v.length - 1, Math.floor(q * v.length))] as number) : 0);
  return { count: v.length, median: at(0.5), p90: at(0.9), max: v.length ? (v[v.length - 1] as number) : 0 };
}

/**
 * Checks the runs and side effects: no step completed twice, and every repeated side effect of a
 * step matched by an earlier attempt of it that timed out on its lease (the worker died, or its
 * claim was lost with an engine). The same attempt (taskId) run twice is never explained.
 */
export function analyseEffects(
  effects: readonly Effect[],
  runs: ReadonlyMap<string, Run>,
): Pick<ChaosReport, 'completedTwice' | 'duplicateEffects' | 'unexplainedDuplicates' | 'redeliveryMs' | 'lapsedLeases'> {
  const completedTwice: string[] = [];
  let lapsedLeases = 0;
  for (const run of runs.values()) {
    const done = new Map<string, number>();
    for (const t of run.tasks) {
      if (t.status === 'COMPLETED') done.set(t.ref, (done.get(t.ref) ?? 0) + 1);
      if (t.status === 'TIMED_OUT') lapsedLeases++;
    }
    for (const [ref, n] of done) if (n > 1) completedTwice.push(`${run.workflowId}/${ref} x${n}`);
  }
  const byStep = new Map<string, Effect[]>();
  const byTask = new Map<string, number>();
  for (const e of effects) {
    const key = `${e.workflowId}\u0000${e.ref}`;
    const list = byStep.get(key);
    if (list) list.push(e);
    else byStep.set(key, [e]);
    byTask.set(e.taskId, (byTask.get(e.taskId) ?? 0) + 1);
  }
  const unexplained: string[] = [];
  for (const [taskId, n] of byTask) if (n > 1) unexplained.push(`attempt ${taskId} ran ${n} times`);
  let duplicates = 0;
  const redelivery: number[] = [];
  for (const [key, list] of byStep) {
    if (list.length < 2) continue;
    duplicates += list.length - 1;
    const [workflowId, ref] = key.split('\u0000') as [string, string];
    const run = runs.get(workflowId);
    const lapsed = new Set(run?.tasks.filter((t) => t.ref === ref && t.status === 'TIMED_OUT').map((t) => t.taskId) ?? []);
    const sorted = [...list].sort((a, b) => a.at - b.at);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const e = sorted[i] as Effect;
      if (!lapsed.has(e.taskId)) unexplained.push(`${workflowId}/${ref}: attempt ${e.taskId} ran, did not lapse, and the step ran again`);
      else redelivery.push((sorted[i + 1] as Effect).at - e.at);
    }
  }
  const r = stats(redelivery);
  return {
    completedTwice,
    duplicateEffects: duplicates,
    unexplainedDuplicates: unexplained,
    redeliveryMs: { count: r.count, median: r.median, max: r.max },
    lapsedLeases,
  };
}

export function printReport(r: ChaosReport, out: (line: string) => void): void {
  const s = (x: Stats): string => (x.count ? `median ${x.median} ms, p90 ${x.p90} ms, max ${x.max} ms (${x.count})` : 'none');
  out('');
  out(`chaos: ${JSON.stringify(r.config)}`);
  out(`  duration                     ${(r.durationMs / 1000).toFixed(1)} s`);
  out(`  start requests               ${r.startAttempts}`);
  out(`  started (2xx)                ${r.started}`);
  out(`  completed                    ${r.completed}`);
  out(`  lost                         ${r.lost.length}`);
  out(`  stuck                        ${r.stuck.length}`);
  out(`  ended otherwise              ${r.failed.length}`);
  out(`  extra runs (unacked starts)  ${r.extraRuns}`);
  out(`  steps completed twice        ${r.completedTwice.length}`);
  out(`  side effects                 ${r.sideEffects}`);
  out(
    `  side effects run again       ${r.duplicateEffects} (after a lapsed lease: ${r.duplicateEffects - r.unexplainedDuplicates.length}; unexplained: ${r.unexplainedDuplicates.length})`,
  );
  out(
    `  lapsed leases                ${r.lapsedLeases}; redelivered after median ${r.redeliveryMs.median} ms, max ${r.redeliveryMs.max} ms`,
  );
  out(`  500 answers                  ${r.serverErrors}`);
  out(
    `  kills                        ${r.kills.length} (engines ${r.kills.filter((k) => k.target.startsWith('engine')).length}, workers ${r.kills.filter((k) => k.target.startsWith('worker')).length})`,
  );
  out(`  engine restart               ${s(r.recovery.engineRestartMs)}`);
  out(`  progress after a kill        ${s(r.recovery.progressMs)}`);
  for (const [label, list] of [
    ['lost', r.lost],
    ['stuck', r.stuck],
    ['ended otherwise', r.failed],
    ['completed twice', r.completedTwice],
    ['unexplained duplicates', r.unexplainedDuplicates],
  ] as const) {
    if (list.length) out(`  ${label}: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ' ...' : ''}`);
  }
  out(`  verdict                      ${r.ok ? 'OK' : 'FAILED'}`);
}
