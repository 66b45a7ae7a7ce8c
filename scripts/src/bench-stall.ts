import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  histogramBuckets,
  histogramPercentile,
  http,
  metricsText,
  pct,
  sleep,
  startEngine,
  startWorker,
  type EngineUnderTest,
} from './bench-support';

/**
 * Can one workflow stall the engine? (docs/limits.md, "Measured".) A steady stream of normal
 * workflows runs throughout; beside it, one at a time, each of these runs for a window:
 *   baseline      nothing else;
 *   fork-10k      a dynamic fork of 10,000 branches, which workers complete;
 *   self-start    a workflow that starts itself as a sub-workflow (until the depth limit);
 *   endless-loop  a DO_WHILE whose condition is always true over an INLINE step;
 *   busy-scripts  40 workflows whose INLINE script is `while (true) {}`.
 * For each window it prints the engine's event-loop lag (p50/p99, from its
 * baton_event_loop_lag_seconds histogram), /health latency seen from outside (p50/p99/max), and
 * how many normal workflows started and completed in the window (and their start-to-end p50).
 *
 *   npm run bench:stall -- [--window-s 20] [--rate 20] [--mongodb]
 */
const { values: opt } = parseArgs({
  options: {
    'window-s': { type: 'string', default: '20' },
    rate: { type: 'string', default: '20' },
    mongodb: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const WINDOW_MS = Number(opt['window-s']) * 1000;
const RATE = Number(opt.rate);

interface Scenario {
  name: string;
  start(url: string): Promise<void>;
}

const scenarios: Scenario[] = [
  { name: 'baseline', start: async () => undefined },
  {
    name: 'fork-10k',
    start: async (url) => void (await http(url, 'POST', '/api/workflow/wide', { items: Array.from({ length: 10_000 }, (_, i) => i) })),
  },
  { name: 'self-start', start: async (url) => void (await http(url, 'POST', '/api/workflow/matryoshka', {})) },
  { name: 'endless-loop', start: async (url) => void (await http(url, 'POST', '/api/workflow/endless', {})) },
  {
    name: 'busy-scripts',
    start: async (url) => {
      await Promise.all(Array.from({ length: 40 }, () => http(url, 'POST', '/api/workflow/spin', {})));
    },
  },
];

async function main(): Promise<void> {
  const engine = await startEngine({ mongodb: opt.mongodb });
  const workers: ChildProcess[] = [];
  try {
    await register(engine.url);
    workers.push(await startWorker(engine.url, 'steady_step', 16, 'steady'));
    workers.push(await startWorker(engine.url, 'leaf', 32, 'leaves'));
    const rows: string[] = [];
    for (const s of scenarios) {
      if (opt.only && !opt.only.split(',').includes(s.name)) continue;
      rows.push(await runWindow(engine, s));
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
    process.stdout.write(
      [
        `store=${opt.mongodb ? 'mongodb' : 'sqlite'} window=${WINDOW_MS / 1000}s normal workflows=${RATE}/s (3 SIMPLE steps each)`,
        'scenario       | loop lag p50 / p99 | /health p50 / p99 / max | normal started / completed, start->end p50',
        ...rows,
      ].join('\n') + '\n',
    );
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    engine.stop();
  }
}

async function register(url: string): Promise<void> {
  await http(url, 'POST', '/api/metadata/taskdefs', [
    { name: 'steady_step', retryCount: 0, responseTimeoutSeconds: 60 },
    { name: 'leaf', retryCount: 0, responseTimeoutSeconds: 600 },
  ]);
  const defs = [
    {
      name: 'steady',
      tasks: ['a', 'b', 'c'].map((r) => ({ name: 'steady_step', taskReferenceName: r, type: 'SIMPLE' })),
    },
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
    {
      name: 'matryoshka',
      tasks: [{ name: 'me', taskReferenceName: 'me', type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'matryoshka' } }],
    },
    {
      name: 'endless',
      tasks: [
        {
          name: 'loop',
          taskReferenceName: 'loop',
          type: 'DO_WHILE',
          loopCondition: 'true',
          loopOver: [
            {
              name: 'tick',
              taskReferenceName: 'tick',
              type: 'INLINE',
              inputParameters: { evaluatorType: 'javascript', expression: '1 + 1' },
            },
          ],
        },
      ],
    },
    {
      name: 'spin',
      tasks: [
        {
          name: 'spin',
          taskReferenceName: 'spin',
          type: 'INLINE',
          inputParameters: { evaluatorType: 'javascript', expression: 'while (true) {}' },
        },
      ],
    },
  ];
  await http(url, 'PUT', '/api/metadata/workflow', defs);
}

async function runWindow(engine: EngineUnderTest, s: Scenario): Promise<string> {
  const { url } = engine;
  const lagBefore = histogramBuckets(await metricsText(url), 'baton_event_loop_lag_seconds');
  const started: Array<{ id: string; at: number }> = [];
  const health: number[] = [];
  const t0 = Date.now();
  let stop = false;
  // The steady stream: RATE starts per second.
  const stream = (async () => {
    let n = 0;
    while (!stop) {
      const due = t0 + (n * 1000) / RATE;
      if (Date.now() < due) await sleep(due - Date.now());
      n++;
      http(url, 'POST', '/api/workflow/steady', { n })
        .then((id) => started.push({ id: String(id), at: Date.now() }))
        .catch(() => undefined);
    }
  })();
  const probe = (async () => {
    while (!stop) {
      const t = performance.now();
      await fetch(`${url}/health`).then((r) => r.text());
      health.push(performance.now() - t);
      await sleep(50);
    }
  })();
  await s.start(url);
  await sleep(WINDOW_MS);
  stop = true;
  await Promise.all([stream, probe]);
  const lagAfter = histogramBuckets(await metricsText(url), 'baton_event_loop_lag_seconds');
  // Which of the window's normal workflows completed, and how long each took.
  const durations: number[] = [];
  let completed = 0;
  for (const w of started) {
    const wf = (await http(url, 'GET', `/api/workflow/${w.id}?includeTasks=false`)) as {
      status: string;
      startTime: number;
      endTime: number;
    };
    if (wf.status === 'COMPLETED') {
      completed++;
      durations.push(wf.endTime - wf.startTime);
    }
  }
  const ms = (x: number): string => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms` : x === Infinity ? '>10 s' : 'n/a');
  const lag = (p: number): string => ms(histogramPercentile(lagBefore, lagAfter, p) * 1000);
  await drain(url);
  return [
    s.name.padEnd(14),
    `${lag(50)} / ${lag(99)}`.padEnd(18),
    `${ms(pct(health, 50))} / ${ms(pct(health, 99))} / ${ms(Math.max(...health))}`.padEnd(23),
    `${started.length} / ${completed}, ${ms(pct(durations, 50))}`,
  ].join(' | ');
}

/** Ends what a scenario left running (terminating its workflows), so the next window starts clean. */
async function drain(url: string): Promise<void> {
  for (const name of ['wide', 'matryoshka', 'endless', 'spin']) {
    const q = encodeURIComponent(`workflowType IN (${name}) AND status IN (RUNNING)`);
    const found = (await http(url, 'GET', `/api/workflow/search?query=${q}&size=1000`)) as { results: Array<{ workflowId: string }> };
    for (const w of found.results) await http(url, 'DELETE', `/api/workflow/${w.workflowId}?reason=bench`).catch(() => undefined);
  }
  await sleep(2000);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
