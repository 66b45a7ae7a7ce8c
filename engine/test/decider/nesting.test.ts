import { loadTestScripts as loadSandbox, type TestScripts as ScriptEvaluator } from '../helpers/scripts';
import { DeciderHarness, simple } from '../helpers/decider-harness';

let scripts: ScriptEvaluator;
beforeAll(async () => {
  scripts = await loadSandbox();
});

const fork = (ref: string, branches: unknown[][]) => ({ name: ref, taskReferenceName: ref, type: 'FORK_JOIN', forkTasks: branches });
const join = (ref: string, joinOn: string[]) => ({ name: ref, taskReferenceName: ref, type: 'JOIN', joinOn });
const inline = (ref: string, expression: string, params: Record<string, unknown> = {}) => ({
  name: ref,
  taskReferenceName: ref,
  type: 'INLINE',
  inputParameters: { evaluatorType: 'javascript', expression, ...params },
});
const loop = (ref: string, loopCondition: string, loopOver: unknown[]) => ({
  name: ref,
  taskReferenceName: ref,
  type: 'DO_WHILE',
  loopCondition,
  loopOver,
});
const switchOn = (ref: string, param: string, decisionCases: Record<string, unknown[]>, defaultCase: unknown[] = []) => ({
  name: ref,
  taskReferenceName: ref,
  type: 'SWITCH',
  evaluatorType: 'value-param',
  expression: 'v',
  inputParameters: { v: param },
  decisionCases,
  defaultCase,
});

/** A step of a scenario: complete the open attempt of `ref`, then expect exactly these new tasks. */
type Step = [ref: string, output: Record<string, unknown>, scheduled: string[]];

const forkInLoopInSwitch = {
  name: 'nested',
  tasks: [
    switchOn(
      'route',
      '${workflow.input.mode}',
      {
        batch: [
          loop('rounds', "$.rounds['iteration'] < 2", [
            fork('fan', [[simple('a', { round: '${rounds.output.iteration}' })], [simple('b')]]),
            join('gather', ['a', 'b']),
            inline('sum', '$.a + $.b', { a: '${gather.output.a.n}', b: '${gather.output.b.n}' }),
          ]),
        ],
      },
      [simple('single')],
    ),
    simple('after', { rounds: '${rounds.output}', single: '${single.output.n}' }),
  ],
};

const loopAndSwitchInFork = {
  name: 'nested2',
  tasks: [
    fork('fan', [
      [loop('count', '$.tick.n < 2', [simple('tick')])],
      [simple('pick'), switchOn('which', '${pick.output.v}', { x: [simple('x1')], y: [simple('y1')] })],
    ]),
    join('gather', ['count', 'which']),
    simple('after', { ticks: '${count.output.iteration}', chosen: '${which.output.selectedCase}' }),
  ],
};

const switchPerIteration = {
  name: 'nested3',
  tasks: [
    loop('l', '$.l.iteration < 3', [
      inline('parity', '$.i % 2 === 0 ? "even" : "odd"', { i: '${l.output.iteration}' }),
      switchOn('by_parity', '${parity.output.result}', { odd: [simple('on_odd')], even: [simple('on_even')] }),
    ]),
  ],
};

const dynamicForkInLoop = {
  name: 'nested4',
  tasks: [
    loop('l', '$.l.iteration < 2', [
      simple('plan', { round: '${l.output.iteration}' }),
      {
        name: 'df',
        taskReferenceName: 'df',
        type: 'FORK_JOIN_DYNAMIC',
        inputParameters: { forkTaskName: 'work', forkTaskInputs: '${plan.output.items}' },
      },
      join('dj', []),
    ]),
  ],
};

describe('nested operators', () => {
  // [name, definition, input, steps, final status, final output (null: not checked)]
  const scenarios: Array<[string, unknown, Record<string, unknown>, Step[], string, Record<string, unknown> | null]> = [
    [
      'a FORK inside a DO_WHILE inside a SWITCH',
      forkInLoopInSwitch,
      { mode: 'batch' },
      [
        ['a', { n: 1 }, []],
        ['b', { n: 2 }, ['sum__1', 'fan__2', 'a__2', 'b__2', 'gather__2']],
        ['b', { n: 20 }, []],
        ['a', { n: 10 }, ['sum__2', 'after']],
        ['after', { done: true }, []],
      ],
      'COMPLETED',
      { done: true },
    ],
    [
      'the SWITCH default case, no loop at all',
      forkInLoopInSwitch,
      { mode: 'single' },
      [
        ['single', { n: 7 }, ['after']],
        ['after', { ok: 1 }, []],
      ],
      'COMPLETED',
      { ok: 1 },
    ],
    [
      'a DO_WHILE and a SWITCH in two branches of a FORK',
      loopAndSwitchInFork,
      {},
      [
        ['pick', { v: 'y' }, ['which', 'y1']],
        ['tick', { n: 1 }, ['tick__2']],
        ['y1', {}, []],
        ['tick', { n: 2 }, ['after']],
        ['after', { ok: 2 }, []],
      ],
      'COMPLETED',
      { ok: 2 },
    ],
    [
      'a SWITCH taking another case in each iteration',
      switchPerIteration,
      {},
      [
        ['on_odd', {}, ['parity__2', 'by_parity__2', 'on_even__2']],
        ['on_even', {}, ['parity__3', 'by_parity__3', 'on_odd__3']],
        ['on_odd', { last: true }, []],
      ],
      'COMPLETED',
      null,
    ],
    [
      'a dynamic FORK inside a DO_WHILE forking other tasks each iteration',
      dynamicForkInLoop,
      {},
      [
        ['plan', { items: [{ p: 1 }, { p: 2 }] }, ['df__1', 'dj__1', '_work_0__1', '_work_1__1']],
        ['_work_0', {}, []],
        ['_work_1', {}, ['plan__2']],
        ['plan', { items: [{ p: 3 }] }, ['df__2', 'dj__2', '_work_0__2']],
        ['_work_0', { final: 1 }, []],
      ],
      'COMPLETED',
      null,
    ],
  ];

  it.each(scenarios)('%s', (_name, def, input, steps, status, output) => {
    const h = new DeciderHarness(def, input, {}, scripts);
    for (const [ref, out, scheduled] of steps) {
      h.complete(ref, out);
      expect([ref, h.scheduledRefs()]).toEqual([ref, scheduled]);
    }
    expect(h.wf.status).toBe(status);
    if (output) expect(h.wf.output).toEqual(output);
  });

  it('starts everything a nested structure needs in its first decision', () => {
    const h = new DeciderHarness(forkInLoopInSwitch, { mode: 'batch' }, {}, scripts);
    expect(h.scheduledRefs()).toEqual(['route', 'rounds', 'fan__1', 'a__1', 'b__1', 'gather__1']);
    expect(h.open('a').inputData).toEqual({ round: 1 });
  });

  it('gives every iteration of a nested step its own deterministic id', () => {
    const h = new DeciderHarness(forkInLoopInSwitch, { mode: 'batch' }, {}, scripts);
    h.complete('a', { n: 1 });
    h.complete('b', { n: 2 });
    const ids = [...h.tasks.values()].filter((t) => t.refName === 'gather').map((t) => t.taskId);
    expect(new Set(ids).size).toBe(2);
    const again = new DeciderHarness(forkInLoopInSwitch, { mode: 'batch' }, {}, scripts);
    again.complete('a', { n: 1 });
    again.complete('b', { n: 2 });
    expect([...again.tasks.keys()].sort()).toEqual([...h.tasks.keys()].sort());
  });

  it('records each iteration of the loop in its output', () => {
    const h = new DeciderHarness(forkInLoopInSwitch, { mode: 'batch' }, {}, scripts);
    for (const [ref, n] of [
      ['a', 1],
      ['b', 2],
      ['a', 10],
      ['b', 20],
    ] as const)
      h.complete(ref, { n });
    expect(h.open('after').inputData.rounds).toEqual({
      iteration: 2,
      1: { fan: {}, a: { n: 1 }, b: { n: 2 }, gather: { a: { n: 1 }, b: { n: 2 } }, sum: { result: 3 } },
      2: { fan: {}, a: { n: 10 }, b: { n: 20 }, gather: { a: { n: 10 }, b: { n: 20 } }, sum: { result: 30 } },
    });
  });
});
