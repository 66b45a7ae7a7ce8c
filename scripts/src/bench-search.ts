import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { emptyDeciderState, loadConfig, startServer, type StoredWorkflow, type TaskRecord } from '@baton/engine';
import pino from 'pino';

/**
 * Search benchmark: fills the store with N finished runs (through the store port, as decisions
 * would leave them: a workflow record and its tasks), then times searches over HTTP, the way the
 * UI and the SDKs call them: each query 30 times, median and 95th percentile. Target: a filtered
 * search over 100,000 finished runs answers in under 100 ms. Prints numbers; asserts nothing.
 *
 *   npm run bench:search                             # 100,000 runs, embedded store
 *   npm run bench:search -- --runs 20000 --mongodb   # MONGODB_URI (a real server: the test server has no indexes)
 */
const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '30' },
    mongodb: { type: 'boolean', default: false },
  },
});
const RUNS = Number(opt.runs);
const REPEAT = Number(opt.repeat);
const NAMES = Array.from({ length: 20 }, (_, i) => `flow_${i}`);
const CITIES = ['London', 'Paris', 'Berlin', 'Lisbon', 'Madrid', 'Rome', 'Vienna', 'Prague', 'Oslo', 'Dublin'];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-search-'));
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', BATON_SWEEP_INTERVAL_MS: '60000' };
  if (opt.mongodb) {
    if (!process.env.MONGODB_URI) throw new Error('--mongodb needs MONGODB_URI');
    Object.assign(env, { MONGODB_URI: process.env.MONGODB_URI, BATON_MONGODB_DB: `baton_bench_search_${Date.now()}` });
  } else Object.assign(env, { MONGODB_URI: '', BATON_DATA_DIR: dir });
  const server = await startServer(loadConfig([], env), { log: pino({ level: 'warn' }) });
  const url = `http://127.0.0.1:${server.port}`;
  try {
    const t0 = Date.now();
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < RUNS; i++) {
      const { wf, task } = finishedRun(i, base);
      await server.engine.store.createWorkflow(wf, [task]);
      if ((i + 1) % 20000 === 0) process.stdout.write(`  filled ${i + 1} runs (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    const fillS = (Date.now() - t0) / 1000;
    console.log(
      `filled ${RUNS} finished runs (${RUNS} workflows + ${RUNS} tasks) on ${server.engine.store.kind} in ${fillS.toFixed(1)} s (${Math.round(RUNS / fillS)}/s)`,
    );
    const mid = base + Math.floor(RUNS / 2) * 60_000;
    const queries: Array<[string, string]> = [
      [
        "name + status (the issue's example)",
        `/api/workflow/search?query=${enc('workflowType IN (flow_3) AND status IN (FAILED)')}&size=100`,
      ],
      ['status + time range, newest first', `/api/workflow/search?query=${enc(`status = COMPLETED AND startTime > ${mid}`)}&size=100`],
      [
        'names + statuses + time range',
        `/api/workflow/search?query=${enc(`workflowType IN (flow_1, flow_2) AND status IN (FAILED, TIMED_OUT) AND startTime < ${mid}`)}&size=100`,
      ],
      ['correlation id', `/api/workflow/search?query=${enc('correlationId = order-77777')}`],
      ['no filter, newest first', '/api/workflow/search?size=100'],
      ['no filter, page 50 (start=5000)', '/api/workflow/search?size=100&start=5000'],
      ['freeText (rare word)', `/api/workflow/search?freeText=${enc('customer-4242')}&size=100`],
      ['freeText + name', `/api/workflow/search?query=${enc('workflowType = flow_7')}&freeText=Dublin&size=100`],
      ['tasks: type + status', `/api/tasks/search?query=${enc('taskType = step_3 AND status = FAILED')}&size=100`],
    ];
    console.log(`\n${'query'.padEnd(40)} ${'hits'.padStart(7)} ${'median ms'.padStart(10)} ${'p95 ms'.padStart(8)}`);
    for (const [label, path] of queries) {
      let hits = 0;
      const times: number[] = [];
      await fetch(url + path).then((r) => r.text()); // warm
      for (let k = 0; k < REPEAT; k++) {
        const start = performance.now();
        const res = await fetch(url + path);
        const body = (await res.json()) as { totalHits: number };
        times.push(performance.now() - start);
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
        hits = body.totalHits;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      const p95 = times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]!;
      console.log(`${label.padEnd(40)} ${String(hits).padStart(7)} ${median.toFixed(1).padStart(10)} ${p95.toFixed(1).padStart(8)}`);
    }
    console.log('\ntarget: a filtered search over 100,000 finished runs under 100 ms (median, over HTTP, 100 summaries per page)');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function finishedRun(i: number, base: number): { wf: StoredWorkflow; task: TaskRecord } {
  const name = NAMES[i % NAMES.length]!;
  const status = i % 7 === 0 ? 'FAILED' : i % 37 === 0 ? 'TIMED_OUT' : 'COMPLETED';
  const start = base + i * 60_000;
  const workflowId = `bench-${String(i).padStart(7, '0')}`;
  const input = {
    order: {
      id: `order-${i}`,
      customer: `customer-${i % 10_000}`,
      city: CITIES[(i * 7) % CITIES.length],
      items: [{ sku: `sku-${i % 500}`, qty: 1 + (i % 3) }],
    },
  };
  const output = status === 'COMPLETED' ? { shipped: true, tracking: `TRK${i}` } : {};
  const taskType = `step_${i % 10}`;
  const wf: StoredWorkflow = {
    workflowId,
    workflowName: name,
    workflowVersion: 1,
    status,
    input,
    output,
    variables: {},
    correlationId: `order-${i}`,
    priority: i % 5,
    createTime: start,
    startTime: start,
    endTime: start + 1500,
    updateTime: start + 1500,
    reasonForIncompletion: status === 'COMPLETED' ? null : 'card declined',
    failedReferenceTaskNames: status === 'COMPLETED' ? [] : ['s'],
    parentWorkflowId: null,
    parentWorkflowTaskId: null,
    definitionId: 'bench-search',
    depth: 0,
    state: { ...emptyDeciderState(), seq: 1 },
    wakeAt: 0,
    revision: 3,
  };
  const task: TaskRecord = {
    taskId: `${workflowId}-s`,
    workflowInstanceId: workflowId,
    workflowType: name,
    workflowPriority: i % 5,
    taskType,
    workflowTaskType: 'SIMPLE',
    taskDefName: taskType,
    referenceTaskName: 's',
    refName: 's',
    iteration: 0,
    retryCount: 0,
    seq: 1,
    status: status === 'COMPLETED' ? 'COMPLETED' : 'FAILED',
    inputData: input,
    outputData: output,
    reasonForIncompletion: wf.reasonForIncompletion,
    queued: true,
    scheduledTime: start,
    startTime: start + 100,
    endTime: start + 1400,
    updateTime: start + 1400,
    visibleAt: start,
    rank: start,
    leaseUntil: 0,
    attemptToken: null,
    workerId: 'bench',
    pollCount: 1,
    callbackAfterSeconds: 0,
    wakeAt: 0,
    applied: true,
    logs: [],
    pollDeadlineAt: 0,
    timeoutAt: 0,
    totalDeadlineAt: 0,
    deadlineAt: 0,
    timeoutPolicy: 'TIME_OUT_WF',
    timedOutBy: null,
    timeoutAlerts: [],
    exhausted: false,
  };
  return { wf, task };
}

const enc = encodeURIComponent;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
