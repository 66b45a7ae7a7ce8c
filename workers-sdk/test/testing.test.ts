import { existsSync } from 'node:fs';
import { BatonClient, IllegalStateError, SchemaMismatchError, Type, taskDefOf, type Static } from '../src';
import { BatonTestKit, TestClock } from '../src/testing';

/** The test kit itself, and typed tasks end to end, against a real in-process engine. */
// Starting an engine (and compiling it, on the first test of a run) takes seconds on a loaded machine.
jest.setTimeout(120_000);

const Input = Type.Object({ amount: Type.Number({ minimum: 0 }), country: Type.String({ minLength: 2, maxLength: 2 }) });
const Output = Type.Object({ tax: Type.Number() });

describe('BatonTestKit', () => {
  let kit: BatonTestKit;
  beforeAll(async () => {
    kit = await BatonTestKit.start();
  });
  afterAll(async () => {
    await kit.close();
  });

  it('runs a typed handler to completion, with its types inferred from the schemas', async () => {
    const seen: Array<Static<typeof Input>> = [];
    const run = await kit.runTask(
      {
        taskType: 'tax_ok',
        inputSchema: Input,
        outputSchema: Output,
        handler: async (input) => {
          seen.push(input);
          const amount: number = input.amount;
          // @ts-expect-error country is a string, not a number
          const wrong: number = input.country;
          void wrong;
          return { tax: amount * 0.19 };
        },
      },
      { amount: 100, country: 'DE' },
    );
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toEqual({ tax: 19 });
    expect(run.workflow.status).toBe('COMPLETED');
    expect(seen).toEqual([{ amount: 100, country: 'DE' }]);
  });

  it('registers the schemas, so the engine itself refuses a bad input before any worker sees it', async () => {
    let calls = 0;
    const run = await kit.runTask(
      { taskType: 'tax_refused', inputSchema: Input, outputSchema: Output, handler: () => ({ tax: calls++ }) },
      { amount: -1, country: 'Germany' },
    );
    expect(run.status).toBe('FAILED_WITH_TERMINAL_ERROR');
    expect(run.reason).toContain('input does not match tax_refused_input v1');
    expect(run.output.schemaErrors).toEqual([
      { pointer: '/amount', message: 'must be >= 0' },
      { pointer: '/country', message: 'must NOT have more than 2 characters' },
    ]);
    expect(run.workflow.status).toBe('FAILED');
    expect(calls).toBe(0);
    const def = await kit.client.getTaskDef('tax_refused');
    expect(def).toMatchObject({ enforceSchema: true, inputSchema: { name: 'tax_refused_input', version: 1, type: 'JSON' } });
  });

  it('checks on the worker side too: without enforcement a bad input never reaches the handler, and a bad output fails the attempt', async () => {
    let calls = 0;
    const refused = await kit.runTask(
      { taskType: 'tax_unenforced_in', inputSchema: Input, outputSchema: Output, enforceSchema: false, handler: () => ({ tax: calls++ }) },
      { amount: 'ten', country: 'DE' },
    );
    expect(refused.status).toBe('FAILED_WITH_TERMINAL_ERROR');
    expect(refused.reason).toMatch(/^input does not match tax_unenforced_in_input v1: \/amount /);
    expect(calls).toBe(0);

    const badOutput = await kit.runTask(
      {
        taskType: 'tax_bad_out',
        inputSchema: Input,
        outputSchema: Output,
        taskDef: { retryCount: 1, retryDelaySeconds: 0 },
        handler: () => ({ tax: 'lots' }) as unknown as { tax: number },
      },
      { amount: 1, country: 'DE' },
    );
    // FAILED (retried per the definition: a handler may answer differently next time), then given up.
    expect(badOutput.attempts.map((a) => a.status)).toEqual(['FAILED', 'FAILED']);
    expect(badOutput.reason).toBe('output does not match tax_bad_out_output v1: /tax Expected number');
  });

  it('puts the schemas on an existing definition at start, keeping its policy, and changes nothing the second time', async () => {
    await kit.client.registerTaskDefs([{ name: 'tax_existing', retryCount: 7, responseTimeoutSeconds: 120 }]);
    const registration = { taskType: 'tax_existing', inputSchema: Input, outputSchema: Output, handler: () => ({ tax: 1 }) };
    for (let i = 0; i < 2; i++) {
      const worker = kit.worker();
      worker.register(registration);
      await worker.start();
      await worker.stop();
    }
    const def = await kit.client.getTaskDef('tax_existing');
    expect(def).toMatchObject({ retryCount: 7, responseTimeoutSeconds: 120, enforceSchema: true });
    expect(def?.inputSchema).toEqual(taskDefOf(registration).inputSchema);
    const changes = (await (await fetch(`${kit.url}/api/metadata/taskdefs/tax_existing/changes`)).json()) as unknown[];
    expect(changes).toHaveLength(2); // created, then the schemas set once
  });

  it('moves the engine clock ahead: an hour-long retry delay passes at once', async () => {
    await kit.client.registerTaskDefs([{ name: 'flaky', retryCount: 1, retryDelaySeconds: 3600, responseTimeoutSeconds: 60 }]);
    await kit.client.registerWorkflowDef(
      { name: 'flaky_flow', version: 1, tasks: [{ name: 'flaky', taskReferenceName: 'f', type: 'SIMPLE' }] },
      { overwrite: true },
    );
    let calls = 0;
    const worker = kit.worker();
    worker.register({
      taskType: 'flaky',
      handler: () => {
        if (++calls === 1) throw new Error('first try fails');
        return { ok: true };
      },
    });
    await worker.start();
    const id = await kit.client.startWorkflow('flaky_flow');
    const waiting = await until(
      async () => (await kit.client.getWorkflow(id)).tasks,
      (tasks) => tasks.length === 2,
    );
    const retry = waiting[1];
    expect(retry?.status).toBe('SCHEDULED');
    const before = kit.clock.now();
    await kit.advance(3600 * 1000);
    expect(kit.clock.now() - before).toBeGreaterThanOrEqual(3600 * 1000);
    const done = await kit.client.waitForWorkflow(id, { timeoutMs: 30_000, intervalMs: 50 });
    expect(done.status).toBe('COMPLETED');
    expect(calls).toBe(2);
    await worker.stop();
  });

  it('refuses a schema library mismatch at registration: a typed task needs both schemas', () => {
    const worker = kit.worker();
    expect(() => worker.register({ taskType: 'half', inputSchema: Input, handler: () => ({}) } as never)).toThrow(
      /needs both inputSchema and outputSchema/,
    );
  });
});

describe('BatonTestKit lifecycle', () => {
  it('removes its store on close, and refuses use afterwards', async () => {
    const kit = await BatonTestKit.start();
    const dir = kit.storeDir;
    expect(existsSync(dir)).toBe(true);
    const worker = kit.worker();
    worker.register({ taskType: 'idle', handler: () => ({}) });
    await worker.start();
    await kit.close();
    expect(existsSync(dir)).toBe(false);
    expect(worker.state).toBe('stopped');
    await expect(new BatonClient({ serverUrl: kit.url, retry: { retries: 0 } }).getTaskDef('idle')).rejects.toThrow();
    await expect(kit.advance(1)).rejects.toBeInstanceOf(IllegalStateError);
    await kit.close(); // idempotent
  });

  it('has a clock that only moves ahead', () => {
    let wall = 1000;
    const clock = new TestClock(() => wall);
    clock.skip(500);
    wall += 10;
    expect(clock.now()).toBe(1510);
    expect(() => clock.skip(-1)).toThrow(RangeError);
    expect(clock.aheadMs).toBe(500);
  });

  it('names both sides of a schema mismatch in its error', () => {
    const e = new SchemaMismatchError('output', [{ pointer: '/a', message: 'is required' }], 's v1');
    expect(e).toMatchObject({ code: 'SCHEMA_MISMATCH', retryable: false, message: 'output does not match s v1: /a is required' });
  });
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
