import { taskIdFor } from '../../src/domain/ids';
import { loadTestScripts as loadSandbox, type TestScripts as ScriptEvaluator } from '../helpers/scripts';
import { DeciderHarness, simple } from '../helpers/decider-harness';

let scripts: ScriptEvaluator;
beforeAll(async () => {
  scripts = await loadSandbox();
});

const loop = (extra: Record<string, unknown>, body: unknown[] = [simple('step', { n: '${loop.output.iteration}' })]) => ({
  name: 'dw',
  tasks: [
    { name: 'loop', taskReferenceName: 'loop', type: 'DO_WHILE', loopOver: body, ...extra },
    simple('after', { iterations: '${loop.output.iteration}' }),
  ],
});
const noop = (ref: string) => ({ name: ref, taskReferenceName: ref, type: 'NOOP' });

describe('DO_WHILE', () => {
  it('runs the body, numbering each iteration in names, ids and inputs', () => {
    const h = new DeciderHarness(loop({ loopCondition: "$.loop['iteration'] < 3" }), {}, {}, scripts);
    for (let n = 1; n <= 3; n++) {
      const t = h.open('step');
      expect(t).toMatchObject({ referenceTaskName: `step__${n}`, refName: 'step', iteration: n, inputData: { n } });
      expect(t.taskId).toBe(taskIdFor('wf-1', 'step', n, 0));
      h.complete('step', { got: n });
    }
    const loopTask = h.tasks.get(h.wf.state.steps.loop!.taskId);
    expect(loopTask).toMatchObject({ status: 'COMPLETED', taskType: 'DO_WHILE', referenceTaskName: 'loop' });
    expect(loopTask?.outputData).toEqual({ iteration: 3, 1: { step: { got: 1 } }, 2: { step: { got: 2 } }, 3: { step: { got: 3 } } });
    expect(h.open('after').inputData).toEqual({ iterations: 3 });
  });

  const conditions: Array<[string, Record<string, unknown>, Record<string, unknown>, number]> = [
    ['reads a body step output directly under its name', { loopCondition: '$.step.more == true' }, {}, 2],
    [
      'reads the loop inputParameters',
      { loopCondition: '$.loop.iteration < $.max', inputParameters: { max: '${workflow.input.max}' } },
      { max: 4 },
      4,
    ],
    ['a number above 0 is true (Conductor)', { loopCondition: '$.max - $.loop.iteration', inputParameters: { max: 2 } }, {}, 2],
    ['a string is not true', { loopCondition: '"true"' }, {}, 1],
    ['a function-style condition', { loopCondition: '(function () { return $.loop.iteration < 2; })()' }, {}, 2],
  ];
  it.each(conditions)('condition %s', (_name, extra, input, iterations) => {
    const h = new DeciderHarness(loop(extra), input, {}, scripts);
    for (let n = 1; n <= iterations; n++) h.complete('step', { more: n < 2 });
    expect(h.tasks.get(h.wf.state.steps.loop!.taskId)?.status).toBe('COMPLETED');
    expect(h.open('after').inputData).toEqual({ iterations });
  });

  it('iterates over items, one iteration per item, with loopItem and loopIndex', () => {
    const body = [simple('ship', { item: '${loop.output.loopItem}', index: '${loop.output.loopIndex}' })];
    const h = new DeciderHarness(loop({ items: '${workflow.input.parcels}' }, body), { parcels: ['p1', { id: 'p2' }, 'p3'] }, {}, scripts);
    const seen: unknown[] = [];
    for (let n = 0; n < 3; n++) {
      seen.push(h.open('ship').inputData);
      h.complete('ship');
    }
    expect(seen).toEqual([
      { item: 'p1', index: 0 },
      { item: { id: 'p2' }, index: 1 },
      { item: 'p3', index: 2 },
    ]);
    expect(h.open('after').inputData).toEqual({ iterations: 3 });
  });

  it('accepts Orkes _items in inputParameters and stops early when a loopCondition fails', () => {
    const h = new DeciderHarness(loop({ inputParameters: { _items: [1, 2, 3, 4] }, loopCondition: '$.loopItem < 2' }), {}, {}, scripts);
    h.complete('step');
    h.complete('step');
    expect(h.open('after').inputData).toEqual({ iterations: 2 });
  });

  it('completes at once over an empty list', () => {
    const h = new DeciderHarness(loop({ items: '${workflow.input.parcels}' }), { parcels: [] }, {}, scripts);
    expect(h.scheduledRefs()).toEqual(['loop', 'after']);
    expect(h.last.decision.newTasks[0]).toMatchObject({ status: 'COMPLETED', outputData: { iteration: 0 } });
  });

  it('keeps only the last keepLastN iterations in its output (10 by default)', () => {
    const h1 = new DeciderHarness(loop({ loopCondition: '$.loop.iteration < 12' }, [noop('tick')]), {}, {}, scripts);
    const out1 = h1.tasks.get(h1.wf.state.steps.loop!.taskId)?.outputData ?? {};
    expect(Object.keys(out1).sort()).toEqual(['10', '11', '12', '3', '4', '5', '6', '7', '8', '9', 'iteration']);
    const h2 = new DeciderHarness(
      loop({ loopCondition: '$.loop.iteration < 12', inputParameters: { keepLastN: 2 } }, [noop('tick')]),
      {},
      {},
      scripts,
    );
    expect(h2.tasks.get(h2.wf.state.steps.loop!.taskId)?.outputData).toEqual({ iteration: 12, 11: { tick: {} }, 12: { tick: {} } });
  });

  it('runs iterations of decide-time steps within one decision up to its budget, then goes on in the next decisions', () => {
    const h = new DeciderHarness(loop({ loopCondition: '$.loop.iteration < 1500' }, [noop('tick')]), {}, {}, scripts);
    expect(h.wf.status).toBe('RUNNING');
    // The condition is a script: 32 per decision by default, so 32 iterations, then a yield.
    expect(h.wf.wakeAt).toBe(h.now);
    expect(h.wf.state.resume).toEqual(['op:loop']);
    expect(h.last.yielded).toBe(true);
    expect(h.task('loop')?.outputData.iteration).toBe(33);
    let decisions = 1;
    while (h.wf.state.resume.length > 0 && decisions < 100) {
      const out = h.run([]);
      expect(out.decision.newTasks.length).toBeLessThanOrEqual(32 + 1);
      decisions++;
    }
    expect(decisions).toBe(Math.ceil(1500 / 32));
    expect(h.open('after').inputData).toEqual({ iterations: 1500 });
    expect([...h.tasks.values()].filter((t) => t.refName === 'tick')).toHaveLength(1500);
  });

  it('yields when a decision has created as many steps as its budget allows', () => {
    const h = new DeciderHarness(
      loop({ items: '${workflow.input.list}' }, [noop('tick')]),
      { list: Array.from({ length: 25 }, (_, i) => i) },
      {},
      scripts,
      {
        stepsPerDecision: 10,
      },
    );
    // The loop itself, then iterations of one NOOP each: an iteration costs 2 (the NOOP and its start).
    expect(h.last.decision.newTasks.length).toBeLessThanOrEqual(11);
    expect(h.wf.state.resume).toEqual(['op:loop']);
    for (let i = 0; i < 10 && h.wf.state.resume.length > 0; i++) h.run([]);
    expect(h.open('after').inputData).toEqual({ iterations: 25 });
  });

  it('fails the loop, naming the limit, when it reaches BATON_MAX_LOOP_ITERATIONS', () => {
    const h = new DeciderHarness(loop({ loopCondition: 'true' }), {}, {}, scripts, { maxLoopIterations: 3 });
    for (let n = 1; n <= 3; n++) h.complete('step', { n });
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe("DO_WHILE 'loop' reached the limit of 3 iterations (BATON_MAX_LOOP_ITERATIONS)");
    expect(h.task('loop')?.status).toBe('FAILED_WITH_TERMINAL_ERROR');
  });

  it('keeps the workflow state bounded however many iterations ran (invariant 6)', () => {
    const h = new DeciderHarness(loop({ loopCondition: 'true' }), {}, {}, scripts);
    const sizes: number[] = [];
    for (let n = 1; n <= 200; n++) {
      h.complete('step', { payload: 'x'.repeat(100), n });
      if (n === 20 || n === 200) sizes.push(JSON.stringify(h.wf.state).length);
    }
    expect(Object.keys(h.wf.state.steps).sort()).toEqual(['loop', 'step']);
    expect(sizes[1]! - sizes[0]!).toBeLessThan(50);
  });

  it('retries a body step within its iteration', () => {
    const h = new DeciderHarness(
      loop({ loopCondition: '$.loop.iteration < 2' }),
      {},
      { step: { retryCount: 1, retryDelaySeconds: 0 } },
      scripts,
    );
    h.complete('step');
    h.report('step', 'FAILED', {}, 'flaky');
    expect(h.open('step')).toMatchObject({
      referenceTaskName: 'step__2',
      iteration: 2,
      retryCount: 1,
      taskId: taskIdFor('wf-1', 'step', 2, 1),
    });
    h.complete('step');
    expect(h.open('after').inputData).toEqual({ iterations: 2 });
  });

  it('ignores a late report for an earlier iteration', () => {
    const h = new DeciderHarness(loop({ loopCondition: 'true' }), {}, {}, scripts);
    const first = h.open('step');
    h.complete('step');
    const out = h.run([{ ...first, status: 'COMPLETED', applied: false }]);
    expect(out.decision.newTasks).toEqual([]);
    expect(h.open('step').iteration).toBe(2);
  });

  it('fails with the body step when it fails for good', () => {
    const h = new DeciderHarness(loop({ loopCondition: 'true' }), {}, { step: { retryCount: 0 } }, scripts);
    h.complete('step');
    h.report('step', 'FAILED', {}, 'broken at 2');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.failedReferenceTaskNames).toEqual(['step']);
    expect(h.tasks.get(h.wf.state.steps.loop!.taskId)).toMatchObject({ status: 'FAILED', reasonForIncompletion: 'broken at 2' });
  });

  it('fails when the condition cannot be evaluated', () => {
    const h = new DeciderHarness(loop({ loopCondition: '$.nope.deeper' }), {}, {}, scripts);
    h.complete('step');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(/^unable to evaluate loopCondition of 'loop': TypeError/);
    expect(h.tasks.get(h.wf.state.steps.loop!.taskId)?.status).toBe('FAILED_WITH_TERMINAL_ERROR');
  });

  it('refuses a DO_WHILE nested in another, as Conductor does', () => {
    const inner = { name: 'inner', taskReferenceName: 'inner', type: 'DO_WHILE', loopCondition: 'false', loopOver: [simple('x')] };
    const h = new DeciderHarness(loop({ loopCondition: 'false' }, [inner]), {}, {}, scripts);
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(/nested in another DO_WHILE/);
  });
});
