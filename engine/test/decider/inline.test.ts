import { loadTestScripts as loadSandbox, type TestScripts as ScriptEvaluator } from '../helpers/scripts';
import { DeciderHarness, simple } from '../helpers/decider-harness';

let scripts: ScriptEvaluator;
beforeAll(async () => {
  scripts = await loadSandbox();
});

const inline = (inputParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'in',
  tasks: [
    { name: 'calc', taskReferenceName: 'calc', type: 'INLINE', inputParameters, ...extra },
    simple('after', { r: '${calc.output.result}' }),
  ],
});

describe('INLINE', () => {
  const results: Array<[string, Record<string, unknown>, Record<string, unknown>, unknown]> = [
    [
      'Conductor form: evaluatorType and expression in inputParameters',
      { evaluatorType: 'javascript', expression: '$.a + $.b', a: '${workflow.input.a}', b: 2 },
      {},
      42,
    ],
    ['graaljs', { evaluatorType: 'graaljs', expression: 'function e() { return $.a * 2 } e();', a: '${workflow.input.a}' }, {}, 80],
    ['the evaluator defaults to javascript', { expression: '$.a', a: '${workflow.input.a}' }, {}, 40],
    [
      'the top-level fields work too',
      { a: '${workflow.input.a}' },
      { evaluatorType: 'javascript', expression: '[$.a, typeof $.expression]' },
      [40, 'undefined'],
    ],
    [
      '$ holds the whole resolved input',
      { evaluatorType: 'javascript', expression: 'Object.keys($).sort()', a: 1 },
      {},
      ['a', 'evaluatorType', 'expression'],
    ],
    ['an object result', { expression: '({ total: $.a, tags: ["x"] })', a: 5 }, {}, { total: 5, tags: ['x'] }],
    ['undefined is null', { expression: 'undefined' }, {}, null],
  ];
  it.each(results)('%s', (_name, params, extra, expected) => {
    const h = new DeciderHarness(inline(params, extra), { a: 40 }, {}, scripts);
    const calc = h.last.decision.newTasks[0];
    expect(calc).toMatchObject({
      refName: 'calc',
      taskType: 'INLINE',
      status: 'COMPLETED',
      queued: false,
      outputData: { result: expected },
    });
    expect(h.open('after').inputData).toEqual({ r: expected });
  });

  const failures: Array<[string, Record<string, unknown>, string | RegExp]> = [
    ['a script error', { expression: 'throw new Error("no stock")' }, 'Error: no stock'],
    ['an infinite loop', { expression: 'while (true) {}' }, 'script exceeded its 100 ms time limit'],
    ['a huge allocation', { expression: 'let s = "x"; for (;;) s += s;' }, 'script exceeded its 32 MB memory limit'],
    ['an unknown evaluator', { evaluatorType: 'python', expression: '1' }, "unknown evaluator 'python' in INLINE task"],
    ['no expression', { evaluatorType: 'javascript' }, /empty 'expression'/],
  ];
  it.each(failures)('fails the task on %s, with a clear reason, and no retry by default', (_name, params, reason) => {
    const h = new DeciderHarness(inline(params), {}, {}, scripts);
    const attempts = h.last.decision.newTasks.filter((t) => t.refName === 'calc');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.status).toMatch(/^FAILED/);
    expect(attempts[0]?.reasonForIncompletion).toMatch(reason);
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(reason);
  });

  it('puts the error in the output as Conductor does', () => {
    const h = new DeciderHarness(inline({ expression: 'nope()' }), {}, {}, scripts);
    expect(h.last.decision.newTasks[0]?.outputData).toEqual({ error: expect.stringMatching(/^ReferenceError/) });
  });

  it('retries per a registered task definition, at once', () => {
    const h = new DeciderHarness(inline({ expression: 'throw 1' }), {}, { calc: { retryCount: 2 } }, scripts);
    expect(h.last.decision.newTasks.filter((t) => t.refName === 'calc').map((t) => [t.retryCount, t.status])).toEqual([
      [0, 'FAILED'],
      [1, 'FAILED'],
      [2, 'FAILED'],
    ]);
    expect(h.wf.status).toBe('FAILED');
  });

  it('lets the flow go on past an optional INLINE that failed', () => {
    const h = new DeciderHarness(inline({ expression: 'throw 1' }, { optional: true }), {}, {}, scripts);
    expect(h.wf.state.steps.calc?.status).toBe('COMPLETED_WITH_ERRORS');
    expect(h.open('after').inputData).toEqual({ r: null });
  });

  it('gives the same result when the decision is replayed (clock and random from the decision)', () => {
    const def = inline({ expression: '[Date.now(), Math.random()]' });
    const a = new DeciderHarness(def, {}, {}, scripts).last.decision.newTasks[0]?.outputData;
    const b = new DeciderHarness(def, {}, {}, scripts).last.decision.newTasks[0]?.outputData;
    expect(a).toEqual(b);
    expect((a?.result as number[])[0]).toBe(1_000_000);
  });

  it('fails clearly when the engine has no sandbox', () => {
    const h = new DeciderHarness(inline({ expression: '1' }));
    expect(h.wf.reasonForIncompletion).toBe('the script sandbox is not loaded in this engine');
  });
});
