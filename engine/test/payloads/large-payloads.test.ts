import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BatonClient, BatonWorker } from '@baton/workers-sdk';
import { EngineProcess, freePort, waitFor } from '../helpers/engine-process';
import { storeKinds, testEnv } from '../helpers/server';

/**
 * External payload storage end to end (docs/payloads.md): a worker's 50 MB output goes to the
 * payload store (files beside SQLite, GridFS on MongoDB), the next step reads fields of it by
 * expression (one of them, 1 MB, becomes an external input the SDK fetches), and the engine (a
 * child process, so its resident memory is its own) never holds the payload more than a few
 * times over. The bound is generous on purpose: it is about what the engine keeps, not how fast
 * it runs.
 */
const MB = 1024 * 1024;
const ROWS = 5000;
const ROW = 'r'.repeat(10 * 1024);
/** About 50 MB of JSON: 5,000 strings of 10 KiB, with a count, a tag and a 1 MB sample the next step reads by expression. */
const bigOutput = (tag: string): Record<string, unknown> => ({
  count: ROWS,
  tag,
  rows: Array.from({ length: ROWS }, (_, i) => `${i}:${ROW}`),
  sample: Array.from({ length: 100 }, (_, i) => `${i}:${ROW}`),
  last: `${ROWS - 1}`,
});
/**
 * Peak RSS allowed to the engine: reading fields of the output, it holds the payload about three
 * times while it reads and parses it (a buffer, its text, the parsed value). A bound, not a
 * figure: the figures are printed (and in docs/payloads.md).
 */
const RSS_BOUND = 500 * MB;

const workflow = (name: string, producer: string) => ({
  name,
  version: 1,
  schemaVersion: 2,
  tasks: [
    { name: producer, taskReferenceName: 'produce', type: 'SIMPLE' },
    {
      name: `${name}_consume`,
      taskReferenceName: 'consume',
      type: 'SIMPLE',
      // Fields of the output, by expression; the 1 MB sample is over the test's threshold, so this step's input is external too.
      inputParameters: { count: '${produce.output.count}', tag: '${produce.output.tag}', sample: '${produce.output.sample}' },
    },
  ],
  outputParameters: { count: '${consume.output.count}', rows: '${consume.output.rows}', tag: '${consume.output.tag}' },
});

describe.each(storeKinds())('external payloads, 50 MB, on %s', (kind) => {
  let engine: EngineProcess;
  let env: Record<string, string>;
  let client: BatonClient;
  const baseRss: number[] = [];

  beforeAll(async () => {
    env = testEnv(kind, { BATON_EXTERNAL_PAYLOAD_THRESHOLD_BYTES: String(256 * 1024) });
    engine = new EngineProcess(await freePort(), env);
    await engine.start();
    baseRss.push(engine.peakRssBytes() ?? 0);
    client = new BatonClient({ serverUrl: engine.url });
  }, 120_000);

  afterAll(async () => {
    process.stdout.write(`[payloads ${kind}] engine peak RSS after start ${((baseRss[0] ?? 0) / MB).toFixed(0)} MB; ${peaks.join('; ')}\n`);
    await engine.kill('SIGTERM');
  });

  /** The consumer step reports what it saw; the sample (an external input, fetched by the SDK) must have arrived intact. */
  const consumer = (input: Record<string, unknown>): Record<string, unknown> => {
    const sample = (input.sample as string[] | undefined) ?? [];
    const intact = sample.length === 100 && sample.every((r, i) => r === `${i}:${ROW}`);
    return { count: input.count, tag: input.tag, rows: intact ? sample.length : -1 };
  };
  const peaks: string[] = [];
  const notePeak = (what: string): number => {
    const peak = engine.peakRssBytes() ?? 0;
    peaks.push(`${what}: ${(peak / MB).toFixed(0)} MB`);
    return peak;
  };

  test('a Conductor-style worker uploads to a WRITE location and reports the path; the next step reads fields of it', async () => {
    await client.registerTaskDefs([{ name: 'raw_big_produce' }, { name: 'raw_flow_consume' }]);
    await client.registerWorkflowDef(workflow('raw_flow', 'raw_big_produce'), { overwrite: true });
    const worker = new BatonWorker({ serverUrl: engine.url, pollTimeoutMs: 1000 }).register({
      taskType: 'raw_flow_consume',
      handler: (input) => consumer(input),
    });
    await worker.start();
    try {
      const id = await client.startWorkflow('raw_flow', {});
      const task = await waitFor(
        'the producer task',
        async () =>
          (
            (await (await fetch(`${engine.url}/api/tasks/poll/batch/raw_big_produce?workerid=raw&count=1&timeout=1000`)).json()) as Array<
              Record<string, unknown>
            >
          )[0],
        60_000,
      );
      const loc = (await (
        await fetch(`${engine.url}/api/tasks/external-storage-location?path=&operation=WRITE&payloadType=TASK_OUTPUT`)
      ).json()) as { uri: string; path: string };
      expect(loc.path).toMatch(/^uploads\//);
      const put = await fetch(loc.uri, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bigOutput('raw')),
      });
      expect(put.status).toBe(200);
      const report = await fetch(`${engine.url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          taskId: task.taskId,
          workflowInstanceId: id,
          status: 'COMPLETED',
          externalOutputPayloadStoragePath: loc.path,
          outputData: {},
        }),
      });
      expect(report.status).toBe(200);
      const wf = await client.waitForWorkflow(id, { timeoutMs: 240_000 });
      expect(wf.status).toBe('COMPLETED');
      expect(wf.output).toEqual({ count: ROWS, rows: 100, tag: 'raw' });
      expect(notePeak('50 MB uploaded over the Conductor route, fields read by the next step')).toBeLessThan(RSS_BOUND);
    } finally {
      await worker.stop();
    }
  }, 300_000);

  test('a worker using the SDK uploads its output; the next step gets fields of it, one as an external input; the run completes', async () => {
    await client.registerTaskDefs([{ name: 'sdk_big_produce' }, { name: 'sdk_flow_consume' }]);
    await client.registerWorkflowDef(workflow('sdk_flow', 'sdk_big_produce'), { overwrite: true });
    const worker = new BatonWorker({ serverUrl: engine.url, pollTimeoutMs: 1000 })
      .register({ taskType: 'sdk_big_produce', handler: () => bigOutput('sdk') })
      .register({ taskType: 'sdk_flow_consume', handler: (input) => consumer(input) });
    await worker.start();
    try {
      const id = await client.startWorkflow('sdk_flow', {});
      const wf = await client.waitForWorkflow(id, { timeoutMs: 240_000 });
      expect(wf.status).toBe('COMPLETED');
      expect(wf.output).toEqual({ count: ROWS, rows: 100, tag: 'sdk' });
      const run = (await (await fetch(`${engine.url}/api/workflow/${id}?includeTasks=true`)).json()) as {
        tasks: Array<Record<string, unknown>>;
      };
      const produce = run.tasks.find((t) => t.referenceTaskName === 'produce') as Record<string, unknown>;
      const consume = run.tasks.find((t) => t.referenceTaskName === 'consume') as Record<string, unknown>;
      // Kept by reference, shown as Conductor shows it: an empty payload and its path.
      expect(produce.outputData).toEqual({});
      expect(produce.externalOutputPayloadStoragePath).toMatch(new RegExp(`^${id}/`));
      expect(consume.externalInputPayloadStoragePath).toMatch(new RegExp(`^${id}/`));
      // Readable through a signed READ location, whole.
      const loc = (await (
        await fetch(
          `${engine.url}/api/workflow/external-storage-location?path=${encodeURIComponent(String(produce.externalOutputPayloadStoragePath))}&operation=READ&payloadType=TASK_OUTPUT`,
        )
      ).json()) as { uri: string };
      const body = (await (await fetch(loc.uri)).json()) as { rows: string[]; last: string };
      expect(body.rows).toHaveLength(ROWS);
      expect(body.last).toBe(String(ROWS - 1));
      if (kind === 'sqlite') {
        const files = readdirSync(join(env.BATON_DATA_DIR as string, 'baton.sqlite.payloads', id));
        expect(files.filter((f) => !f.startsWith('.tmp-'))).toHaveLength(2); // produce's output, consume's input
      }
      expect(notePeak('then 50 MB uploaded by the SDK, fields read by the next step')).toBeLessThan(RSS_BOUND);
    } finally {
      await worker.stop();
    }
  }, 300_000);
});
