import { EngineProcess, call, freePort, waitFor } from '../helpers/engine-process';
import { storeKinds, testEnv } from '../helpers/server';

const EVENTS = 60;
const SIGNALLED = 30;

/** Sends until answered 2xx, across the engine's death and restart (a client retrying with the same id). */
async function deliver(url: () => string, method: string, path: string, body: unknown): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(`${url()}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 200 && res.status < 300) return;
      if (res.status < 500) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
    } catch (err) {
      if (err instanceof Error && /->/.test(err.message)) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The engine is killed with SIGKILL while events, signals and schedule ticks arrive; clients retry
 * what was not answered (with the same event id or signal id, as a client must). After a restart,
 * every event acknowledged has started exactly one run, every signal was taken by exactly one
 * step in order, and every due time of the schedule started exactly one run, none skipped.
 */
describe.each(storeKinds())('events, signals and schedules across kill -9 (%s)', (kind) => {
  it('acts on each exactly once', async () => {
    const port = await freePort();
    const env = testEnv(kind, { BATON_SWEEP_INTERVAL_MS: '200', LOG_LEVEL: 'warn' });
    const engine = new EngineProcess(port, env);
    await engine.start();
    const url = engine.url;
    try {
      await call(url, 'PUT', '/api/metadata/workflow', [
        { name: 'on_order', version: 1, tasks: [{ name: 'noop', taskReferenceName: 'noop', type: 'NOOP' }] },
        { name: 'tick_run', version: 1, tasks: [{ name: 'noop', taskReferenceName: 'noop', type: 'NOOP' }] },
        {
          name: 'two_signals',
          version: 1,
          tasks: [
            { name: 's1', taskReferenceName: 's1', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'go' } },
            { name: 's2', taskReferenceName: 's2', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'go' } },
          ],
          outputParameters: { first: '${s1.output.payload.n}', second: '${s2.output.payload.n}' },
        },
      ]);
      await call(url, 'POST', '/api/event', {
        name: 'start_order',
        event: 'conductor:orders',
        actions: [{ action: 'start_workflow', start_workflow: { name: 'on_order', input: { n: '${n}' } } }],
      });
      await call(url, 'POST', '/api/scheduler/schedules', {
        name: 'every_second',
        cronExpression: '* * * * * *',
        runCatchupScheduleInstances: true,
        startWorkflowRequest: { name: 'tick_run' },
      });
      const waiting: string[] = [];
      for (let i = 0; i < SIGNALLED; i++) waiting.push(await call(url, 'POST', '/api/workflow/two_signals', {}));

      const executed = async (): Promise<number[]> =>
        (await call(url, 'GET', '/api/scheduler/search/executions?size=1000&sort=scheduledTime:ASC')).results.map(
          (e: any) => e.scheduledTime,
        );
      await waitFor('the schedule ticking', async () => (await executed()).length >= 2, 60_000, 100);

      // Events and signals stream in; the engine dies in the middle and comes back.
      const sends: Array<() => Promise<void>> = [];
      for (let i = 0; i < EVENTS; i++)
        sends.push(() => deliver(() => url, 'POST', '/api/events', { name: 'orders', id: `order-${i}`, data: { n: i } }));
      waiting.forEach((id, i) => {
        sends.push(() => deliver(() => url, 'POST', `/api/workflow/${id}/signal/go?signalId=${i}-a`, { n: 1 }));
        sends.push(() => deliver(() => url, 'POST', `/api/workflow/${id}/signal/go?signalId=${i}-b`, { n: 2 }));
      });
      let sent = 0;
      const streaming = (async () => {
        // Signals of one workflow go in order (a client's second send follows its first).
        for (const send of sends) {
          await send();
          sent++;
        }
      })();
      await waitFor('half of the messages sent', async () => sent >= sends.length / 2, 120_000, 20);
      const killedAt = Date.now();
      await engine.kill('SIGKILL');
      const atKill = sent;
      await new Promise((r) => setTimeout(r, 1500));
      await engine.start();
      const restartedAt = Date.now();
      await streaming;
      expect(atKill).toBeLessThan(sends.length);

      // Every event started one run; every workflow took its two signals, in order, once each.
      await waitFor(
        'every event processed',
        async () => {
          const events: any[] = await call(url, 'GET', '/api/events?name=orders&limit=1000');
          return events.length === EVENTS && events.every((e) => e.status === 'PROCESSED');
        },
        120_000,
        500,
      );
      const runs = await call(url, 'GET', '/api/workflow/search?query=workflowType%20IN%20(on_order)&size=1000');
      expect(runs.totalHits).toBe(EVENTS);
      const ns = new Set<number>();
      for (const r of runs.results) ns.add(JSON.parse(r.input).n);
      expect(ns.size).toBe(EVENTS);
      const events: any[] = await call(url, 'GET', '/api/events?name=orders&limit=1000');
      for (const e of events) expect(e.started).toHaveLength(1);

      await waitFor(
        'every signalled workflow completed',
        async () =>
          (
            await call(
              url,
              'GET',
              '/api/workflow/search?query=workflowType%20IN%20(two_signals)%20AND%20status%20IN%20(COMPLETED)&size=1000',
            )
          ).totalHits === SIGNALLED,
        120_000,
        500,
      );
      for (const id of waiting) {
        const wf = await call(url, 'GET', `/api/workflow/${id}`);
        expect(wf.output).toEqual({ first: 1, second: 2 });
        const inbox: any[] = await call(url, 'GET', `/api/workflow/${id}/signals`);
        expect(inbox.map((s) => [s.seq, s.consumedAt > 0])).toEqual([
          [1, true],
          [2, true],
        ]);
        expect(new Set(inbox.map((s) => s.takenBy)).size).toBe(2);
      }

      // The schedule: stopped, then every due time from the first to the last fired once, none skipped
      // (runCatchupScheduleInstances: the second the engine was down is fired after the restart).
      await waitFor(
        'the schedule ticking after the restart',
        async () => (await executed()).some((t) => t > restartedAt + 2000),
        60_000,
        200,
      );
      await call(url, 'PUT', '/api/scheduler/schedules/every_second/pause');
      await new Promise((r) => setTimeout(r, 1000));
      const executions = await waitFor(
        'executions settled',
        async () => {
          const x = await call(url, 'GET', '/api/scheduler/search/executions?size=1000&sort=scheduledTime:ASC');
          return x.results.every((e: any) => e.state === 'EXECUTED') ? x : undefined;
        },
        60_000,
        500,
      );
      const times: number[] = executions.results.map((e: any) => e.scheduledTime);
      expect(times.some((t) => t < killedAt - 1000) && times.some((t) => t > restartedAt + 1000)).toBe(true);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000);
      const ticks = await call(url, 'GET', '/api/workflow/search?query=workflowType%20IN%20(tick_run)&size=1000');
      expect(ticks.totalHits).toBe(times.length);
      expect(new Set(executions.results.map((e: any) => e.workflowId)).size).toBe(times.length);
    } catch (err) {
      throw new Error(`${String(err)}\nengine log tail:\n${engine.output.slice(-3000)}`, { cause: err });
    } finally {
      await engine.kill('SIGTERM');
    }
  }, 300_000);
});
