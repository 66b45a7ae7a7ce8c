import { parseArgs } from 'node:util';
import { engineCpuSeconds, http, sleep, startEngine } from './bench-support';

/**
 * Fork scaling (docs/limits.md, "Measured"): for dynamic forks of 10, 1,000 and 10,000 branches,
 * on a fresh engine each, the time until every branch is claimable and the engine CPU it took,
 * then the engine CPU per branch report while the branches are completed one report at a time
 * (the JOIN's completion included). A decision costs what changed, so the per-report figure
 * should stay flat as the fork widens.
 *
 *   npm run bench:fork -- [--sizes 10,1000,10000] [--mongodb]
 */
const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,1000,10000' },
    mongodb: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '8' },
    /** Report only this many branches (to measure an engine whose reports are slow); 0: all of them. */
    sample: { type: 'string', default: '0' },
    /** Another engine build to measure (e.g. an older checkout's engine/dist/main.js). */
    engine: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const rows: string[] = [];
  let base: number | null = null;
  for (const n of opt.sizes.split(',').map(Number)) {
    const r = await measure(n);
    base ??= r.cpuPerReportMs;
    rows.push(
      [
        String(n).padStart(7),
        `${r.startMs.toFixed(0)} ms`.padStart(10),
        `${r.startCpuMs.toFixed(0)} ms`.padStart(11),
        `${r.cpuPerReportMs.toFixed(3)} ms`.padStart(13),
        `${(r.cpuPerReportMs / base).toFixed(2)}x`.padStart(7),
      ].join(' | '),
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  process.stdout.write(
    [
      `store=${opt.mongodb ? 'mongodb' : 'sqlite'}: dynamic fork + JOIN; branches reported over HTTP, ${opt.concurrency} at a time`,
      'branches | start (all claimable) | start CPU | CPU per report | vs first',
      ...rows,
    ].join('\n') + '\n',
  );
}

async function measure(n: number): Promise<{ startMs: number; startCpuMs: number; cpuPerReportMs: number }> {
  const engine = await startEngine({ mongodb: opt.mongodb, ...(opt.engine ? { engine: opt.engine } : {}) });
  const { url } = engine;
  try {
    await http(url, 'POST', '/api/metadata/taskdefs', [{ name: 'leaf', retryCount: 0, responseTimeoutSeconds: 3600 }]);
    await http(url, 'PUT', '/api/metadata/workflow', [
      {
        name: 'wide',
        tasks: [
          {
            name: 'fan',
            taskReferenceName: 'fan',
            type: 'FORK_JOIN_DYNAMIC',
            inputParameters: { forkTaskName: 'leaf', forkTaskInputs: '${workflow.input.items}' },
          },
          { name: 'join', taskReferenceName: 'join', type: 'JOIN' },
        ],
      },
    ]);
    const items = Array.from({ length: n }, (_, i) => ({ i }));
    const cpu0 = await engineCpuSeconds(url);
    const t0 = performance.now();
    const id = String(await http(url, 'POST', '/api/workflow/wide', { items }));
    for (;;) {
      const sizes = (await http(url, 'GET', '/api/tasks/queue/sizes?taskType=leaf')) as Record<string, number>;
      if ((sizes.leaf ?? 0) >= n) break;
      await sleep(5);
    }
    const startMs = performance.now() - t0;
    const cpu1 = await engineCpuSeconds(url);
    const toReport = Number(opt.sample) > 0 ? Math.min(n, Number(opt.sample)) : n;
    let reported = 0;
    while (reported < toReport) {
      const batch = (await http(
        url,
        'GET',
        `/api/tasks/poll/batch/leaf?workerid=bench&count=${Math.min(100, toReport - reported)}&timeout=1000`,
      )) as Array<{ taskId: string; attemptToken: string; workflowInstanceId: string }>;
      for (let k = 0; k < batch.length; k += Number(opt.concurrency)) {
        await Promise.all(
          batch.slice(k, k + Number(opt.concurrency)).map((t) =>
            http(url, 'POST', '/api/tasks', {
              taskId: t.taskId,
              workflowInstanceId: t.workflowInstanceId,
              workerId: 'bench',
              attemptToken: t.attemptToken,
              status: 'COMPLETED',
              outputData: { ok: true },
            }),
          ),
        );
      }
      reported += batch.length;
    }
    for (;;) {
      if (toReport < n) break;
      const wf = (await http(url, 'GET', `/api/workflow/${id}?includeTasks=false`)) as { status: string };
      if (wf.status === 'COMPLETED') break;
      if (wf.status !== 'RUNNING') throw new Error(`the fork ended ${wf.status}`);
      await sleep(20);
    }
    const cpu2 = await engineCpuSeconds(url);
    // The polls themselves (n/100 of them) are in the figure too: a few per cent at most.
    return { startMs, startCpuMs: (cpu1 - cpu0) * 1000, cpuPerReportMs: ((cpu2 - cpu1) * 1000) / toReport };
  } finally {
    engine.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
