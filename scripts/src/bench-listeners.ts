import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { http, pct, sleep, startEngine, startWorker } from './bench-support';

/**
 * What status listeners cost (docs/alerts.md). The same load twice, on one engine: `runs` runs of a
 * three-step workflow (worker tasks), first with listeners off, then with every workflow and task
 * change going to a local webhook (answering 200 at once) and to the event bus. Prints the runs'
 * throughput in each phase, and for the listened phase how many deliveries the webhook got, their
 * latency from commit to arrival (p50/p99) and how long the outbox took to drain after the last run.
 *
 *   npm run bench:listeners -- [--runs 300] [--mongodb]
 */
const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '300' }, mongodb: { type: 'boolean', default: false } } });
const RUNS = Number(opt.runs);

async function main(): Promise<void> {
  const arrivals: number[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { occurredAt: number };
      arrivals.push(Date.now() - body.occurredAt);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const addr = receiver.address();
  const hookPort = typeof addr === 'object' && addr ? addr.port : 0;
  const engine = await startEngine({ mongodb: opt.mongodb, env: { BATON_WEBHOOK_ALLOW: '127.0.0.1' } });
  const workers: ChildProcess[] = [];
  try {
    const url = engine.url;
    await http(url, 'PUT', '/api/listeners/webhooks/bench', { url: `http://127.0.0.1:${hookPort}/`, secret: 'bench-secret-0123456789' });
    for (const listened of [false, true]) {
      const suffix = listened ? 'on' : 'off';
      const type = `lbench_${suffix}`;
      await http(url, 'POST', '/api/metadata/taskdefs', [
        { name: type, retryCount: 0, responseTimeoutSeconds: 60, taskStatusListenerEnabled: listened },
      ]);
      await http(url, 'POST', '/api/metadata/workflow', {
        name: `lbench_${suffix}`,
        version: 1,
        schemaVersion: 2,
        workflowStatusListenerEnabled: listened,
        statusListener: { webhooks: ['bench'], events: true },
        tasks: [1, 2, 3].map((i) => ({ name: type, taskReferenceName: `t${i}`, type: 'SIMPLE' })),
      });
      workers.push(await startWorker(url, type, 20, `lbench-${suffix}`));
      arrivals.length = 0;
      const started = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < RUNS; i += 20) {
        ids.push(
          ...((await Promise.all(
            Array.from({ length: Math.min(20, RUNS - i) }, () => http(url, 'POST', `/api/workflow/lbench_${suffix}`, {})),
          )) as string[]),
        );
      }
      for (;;) {
        const page = (await http(
          url,
          'GET',
          `/api/workflow/search?query=${encodeURIComponent(`workflowType IN (lbench_${suffix}) AND status IN (RUNNING)`)}&size=1`,
        )) as { totalHits: number };
        if (page.totalHits === 0) break;
        await sleep(100);
      }
      const ranMs = Date.now() - started;
      console.log(
        `listeners ${suffix}: ${RUNS} runs of 3 steps in ${(ranMs / 1000).toFixed(1)} s = ${((RUNS * 1000) / ranMs).toFixed(0)} runs/s`,
      );
      if (!listened) continue;
      const expected = RUNS * 8; // 3 x (SCHEDULED, COMPLETED), RUNNING, COMPLETED
      for (;;) {
        const pending = (await http(url, 'GET', '/api/listeners/deliveries?status=PENDING&limit=1')) as unknown[];
        if (pending.length === 0 && arrivals.length >= expected) break;
        await sleep(100);
      }
      const drainedMs = Date.now() - started - ranMs;
      console.log(
        `  webhook deliveries ${arrivals.length} (expected ${expected}), commit-to-arrival p50 ${pct(arrivals, 50).toFixed(0)} ms, ` +
          `p99 ${pct(arrivals, 99).toFixed(0)} ms; outbox drained ${(drainedMs / 1000).toFixed(1)} s after the last run ended`,
      );
      void ids;
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    engine.stop();
    receiver.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
