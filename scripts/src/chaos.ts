import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { childFlow, flow, STEPS, taskDefs } from './chaos/flow';
import { EngineProc, freePort, root, WorkerProc } from './chaos/processes';
import { analyseEffects, printReport, stats, type ChaosReport, type Effect, type Kill, type Run } from './chaos/report';

/**
 * The chaos harness (docs/reliability.md, "Chaos"): real engine processes and real worker
 * processes, engines and workers killed with SIGKILL at random, workers that die mid-task (after
 * their side effect, before their report) so that leases lapse and attempts are delivered again,
 * and every side effect recorded. It prints (and with --json writes) a report: started,
 * completed, lost, stuck, steps completed twice, side effects run twice (and whether a lapsed
 * lease explains each), 500s, and recovery after each kill. Exits 1 when a guarantee broke.
 *
 *   npm run chaos -- --store sqlite|mongo --engines N --workflows N --kill-every 2s --duration 60s
 *     [--workers N] [--die 0.02] [--drain 180s] [--json FILE]
 *
 * SQLite is one engine per file: --store sqlite runs one engine, restarted after each kill. On
 * MongoDB, several engines share one database; without MONGODB_URI the harness starts the
 * in-memory mongo-java-server the tests use (scripts/mongo-test-server.js).
 */
const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    engines: { type: 'string', default: '1' },
    workers: { type: 'string' },
    workflows: { type: 'string', default: '200' },
    'kill-every': { type: 'string', default: '2s' },
    duration: { type: 'string', default: '60s' },
    die: { type: 'string', default: '0.02' },
    drain: { type: 'string', default: '300s' },
    json: { type: 'string' },
  },
});

function ms(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`--${name} must be a duration like 500ms, 2s or 1m, got '${text}'`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

const store = values.store === 'mongo' || values.store === 'mongodb' ? 'mongodb' : values.store === 'sqlite' ? 'sqlite' : null;
if (!store) throw new Error(`--store must be sqlite or mongo, got '${values.store}'`);
const engineCount = store === 'sqlite' ? 1 : Math.max(1, Number(values.engines));
if (store === 'sqlite' && Number(values.engines) > 1)
  process.stderr.write('chaos: SQLite is one engine per file; running 1 engine (restarted after each kill)\n');
const workerCount = Number(values.workers ?? Math.max(2, engineCount * 2));
const workflows = Number(values.workflows);
const killEvery = ms(values['kill-every'] ?? '2s', 'kill-every');
const duration = ms(values.duration ?? '60s', 'duration');
const drain = ms(values.drain ?? '300s', 'drain');
const dieShare = Number(values.die);
const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));
const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'baton-chaos-'));
  const effectsFile = join(work, 'effects.jsonl');
  writeFileSync(effectsFile, '');
  let mongo: { uri: string; stop(): Promise<void> } | null = null;
  const env: Record<string, string> = { LOG_LEVEL: 'warn', BATON_SWEEP_INTERVAL_MS: '200', BATON_POLL_RECHECK_MS: '100' };
  if (store === 'mongodb') {
    let uri = process.env.MONGODB_URI;
    if (!uri) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startMongoTestServer } = require(join(root, 'scripts/mongo-test-server.js')) as {
        startMongoTestServer(o: { log(m: string): void }): Promise<{ uri: string; stop(): Promise<void> }>;
      };
      mongo = await startMongoTestServer({ log: (m) => process.stderr.write(`${m}\n`) });
      uri = mongo.uri;
    }
    Object.assign(env, { MONGODB_URI: uri, BATON_MONGODB_DB: `baton_chaos_${process.pid}_${Date.now().toString(36)}` });
  } else {
    Object.assign(env, { MONGODB_URI: '', BATON_DATA_DIR: join(work, 'data') });
  }
  const engines: EngineProc[] = [];
  for (let i = 0; i < engineCount; i++) engines.push(new EngineProc(`engine-${i}`, await freePort(), env));
  const workers: WorkerProc[] = [];
  const kills: Kill[] = [];
  let startAttempts = 0;
  const acked = new Map<string, string>(); // workflowId -> correlationId
  let completedCount = 0;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    stopping = true;
    process.stderr.write(`chaos: ${signal}: stopping every process it started\n`);
    void Promise.all([...workers.map((w) => w.kill('SIGKILL')), ...engines.map((e) => e.kill('SIGKILL'))])
      .then(() => mongo?.stop())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const restarting = new Set<EngineProc>();
  const restarts: Array<Promise<void>> = [];
  try {
    await Promise.all(engines.map((e) => e.start()));
    const live = (): EngineProc[] => engines.filter((e) => e.alive);
    const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
      const candidates = live();
      const e = candidates[Math.floor(Math.random() * candidates.length)] ?? engines[0];
      if (!e) throw new Error('no engine');
      try {
        const res = await fetch(`${e.url}${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        return { status: res.status, text: await res.text() };
      } catch (err) {
        return { status: 0, text: String(err) };
      }
    };
    const until2xx = async (method: string, path: string, body?: unknown): Promise<string> => {
      for (let i = 0; ; i++) {
        const r = await api(method, path, body);
        if (r.status >= 200 && r.status < 300) return r.text;
        if (i > 600) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
        await sleep(100);
      }
    };
    await until2xx('POST', '/api/metadata/taskdefs', taskDefs);
    await until2xx('PUT', '/api/metadata/workflow', [childFlow, flow]);
    for (let i = 0; i < workerCount; i++) {
      const w = new WorkerProc(`worker-${i}`, [
        (engines[i % engines.length] as EngineProc).url,
        effectsFile,
        String(dieShare),
        STEPS.join(','),
      ]);
      w.start();
      workers.push(w);
    }

    // Workers that died (killed, or by their own hand mid-task) come back after a moment.
    const respawn = setInterval(() => {
      if (stopping) return;
      for (const w of workers) if (!w.alive) w.start();
    }, 250);

    // Completed workflows, counted through any live engine: "progress" after a kill.
    const progress = setInterval(() => {
      void api(
        'GET',
        `/api/workflow/search?query=${encodeURIComponent('workflowType IN (chaos_flow) AND status IN (COMPLETED)')}&size=1`,
      ).then((r) => {
        if (r.status !== 200) return;
        const n = Number((JSON.parse(r.text) as { totalHits: number }).totalHits);
        if (n > completedCount) {
          const now = Date.now();
          for (const k of kills) if (k.progressMs === undefined && k.at < now) k.progressMs = now - k.at;
          completedCount = n;
        }
      });
    }, 250);

    const status = setInterval(() => {
      if (!stopping)
        log(`chaos: ${((Date.now() - t0) / 1000).toFixed(0)} s: ${acked.size} started, ${completedCount} completed, ${kills.length} kills`);
    }, 10_000);

    // The starts, spread over the first 60% of the run (8 at a time at most), each with its own correlation id.
    let startsDone = false;
    const starting = (async () => {
      const spread = duration * 0.6;
      let next = 0;
      const lane = async (): Promise<void> => {
        for (let i = next++; i < workflows; i = next++) {
          const due = t0 + (spread * i) / workflows;
          if (Date.now() < due) await sleep(due - Date.now());
          const correlationId = `chaos-${i}`;
          for (let tries = 0; tries < 600; tries++) {
            startAttempts++;
            const r = await api('POST', `/api/workflow/chaos_flow?correlationId=${correlationId}`, {
              n: i * 10,
              speed: i % 2 ? 'express' : 'standard',
            });
            if (r.status === 200) {
              acked.set(r.text, correlationId);
              break;
            }
            await sleep(100);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, lane));
      startsDone = true;
    })();

    // The kills: an engine or a worker at random, every killEvery, until the duration ends and every start was made.
    const chaosGoesOn = (): boolean => Date.now() - t0 < duration || !startsDone;
    const killing = (async () => {
      while (chaosGoesOn()) {
        await sleep(killEvery);
        if (!chaosGoesOn()) break;
        const pickEngine = Math.random() < 0.5;
        if (pickEngine) {
          const e = engines[Math.floor(Math.random() * engines.length)] as EngineProc;
          if (!e.alive || restarting.has(e)) continue;
          const kill: Kill = { target: e.name, at: Date.now() };
          kills.push(kill);
          await e.kill('SIGKILL');
          // Restarted at once on the same port, as a supervisor would, while the kills go on.
          restarting.add(e);
          restarts.push(
            (async () => {
              for (;;) {
                try {
                  await e.start();
                  break;
                } catch (err) {
                  process.stderr.write(`chaos: restart of ${e.name} failed, again: ${String(err).slice(0, 300)}\n`);
                }
              }
              kill.restartMs = Date.now() - kill.at;
              restarting.delete(e);
            })(),
          );
        } else {
          const w = workers[Math.floor(Math.random() * workers.length)] as WorkerProc;
          if (!w.alive) continue;
          kills.push({ target: w.name, at: Date.now() });
          await w.kill('SIGKILL');
        }
      }
    })();
    await Promise.all([starting, killing]);
    await Promise.all(restarts);
    log(`chaos: ${acked.size} started, ${kills.length} kills in ${((Date.now() - t0) / 1000).toFixed(1)} s; draining`);

    // Drain: no more kills; wait until every run ended, or the drain time is up.
    const drainUntil = Date.now() + drain;
    const listAll = async (): Promise<
      Array<{ workflowId: string; status: string; workflowType: string; correlationId: string | null }>
    > => {
      const out: Array<{ workflowId: string; status: string; workflowType: string; correlationId: string | null }> = [];
      for (const type of ['chaos_flow', 'chaos_child']) {
        for (let start = 0; ; start += 1000) {
          const q = encodeURIComponent(`workflowType IN (${type})`);
          const page = JSON.parse(await until2xx('GET', `/api/workflow/search?query=${q}&size=1000&start=${start}`)) as {
            results: typeof out;
          };
          out.push(...page.results);
          if (page.results.length < 1000) break;
        }
      }
      return out;
    };
    // Counted, not listed, while waiting: a listing of every run is heavy on a large store.
    const count = async (query: string): Promise<number> =>
      (JSON.parse(await until2xx('GET', `/api/workflow/search?query=${encodeURIComponent(query)}&size=1`)) as { totalHits: number })
        .totalHits;
    while (Date.now() < drainUntil) {
      const running = await count('workflowType IN (chaos_flow, chaos_child) AND status IN (RUNNING)');
      if (running === 0 && (await count('workflowType IN (chaos_flow)')) >= acked.size) break;
      await sleep(2000);
    }
    const all = await listAll();
    clearInterval(progress);
    clearInterval(status);
    stopping = true;
    clearInterval(respawn);

    const runs = new Map<string, Run>();
    for (const w of all) {
      const wf = JSON.parse(await until2xx('GET', `/api/workflow/${w.workflowId}?includeTasks=true`)) as {
        status: string;
        tasks: Array<{
          taskId: string;
          referenceTaskName: string;
          status: string;
          retryCount: number;
          workflowTask?: { type?: string };
          taskType: string;
        }>;
      };
      runs.set(w.workflowId, {
        workflowId: w.workflowId,
        workflowType: w.workflowType,
        status: wf.status,
        correlationId: w.correlationId,
        tasks: wf.tasks.map((t) => ({
          taskId: t.taskId,
          ref: t.referenceTaskName,
          status: t.status,
          retryCount: t.retryCount,
          workflowTaskType: t.taskType,
        })),
      });
    }
    const effects = readFileSync(effectsFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Effect];
        } catch {
          return []; // a line cut by a SIGKILL mid-write: that side effect did not finish recording
        }
      });
    const lost = [...acked.keys()].filter((id) => !runs.has(id));
    const stuck = [...runs.values()].filter((r) => r.status === 'RUNNING').map((r) => `${r.workflowType} ${r.workflowId}`);
    const failed = [...runs.values()]
      .filter((r) => r.status !== 'RUNNING' && r.status !== 'COMPLETED')
      .map((r) => `${r.workflowType} ${r.workflowId} ${r.status}`);
    const flowRuns = [...runs.values()].filter((r) => r.workflowType === 'chaos_flow');
    const analysed = analyseEffects(effects, runs);
    const serverErrors = engines.reduce((n, e) => n + e.serverErrors, 0);
    const report: ChaosReport = {
      config: { store, engines: engineCount, workers: workerCount, workflows, killEveryMs: killEvery, durationMs: duration, dieShare },
      startAttempts,
      started: acked.size,
      completed: [...acked.keys()].filter((id) => runs.get(id)?.status === 'COMPLETED').length,
      lost,
      stuck,
      failed,
      extraRuns: flowRuns.filter((r) => !acked.has(r.workflowId)).length,
      sideEffects: effects.length,
      ...analysed,
      serverErrors,
      kills,
      recovery: {
        engineRestartMs: stats(kills.flatMap((k) => (k.restartMs !== undefined ? [k.restartMs] : []))),
        progressMs: stats(kills.flatMap((k) => (k.progressMs !== undefined ? [k.progressMs] : []))),
      },
      durationMs: Date.now() - t0,
      ok: false,
    };
    report.ok =
      lost.length === 0 &&
      stuck.length === 0 &&
      failed.length === 0 &&
      analysed.completedTwice.length === 0 &&
      analysed.unexplainedDuplicates.length === 0 &&
      serverErrors === 0;
    printReport(report, log);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  } finally {
    stopping = true;
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await Promise.all(engines.map((e) => e.kill('SIGKILL')));
    if (mongo) await mongo.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
