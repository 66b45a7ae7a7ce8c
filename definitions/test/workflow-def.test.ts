import { validateWorkflowDef, type Problem } from '../src';

type Json = Record<string, unknown>;

const simple = (ref: string, inputParameters: Json = {}): Json => ({ name: ref, taskReferenceName: ref, inputParameters });
const flow = (tasks: unknown[], extra: Json = {}): Json => ({ name: 'flow', tasks, ...extra });

function problemsOf(def: unknown, opts?: Parameters<typeof validateWorkflowDef>[1]): Problem[] {
  const v = validateWorkflowDef(def, opts);
  return v.ok ? [] : v.problems;
}

describe('validateWorkflowDef: defaults', () => {
  it('fills workflow and task defaults into a copy', () => {
    const input = flow([{ name: 'a', taskReferenceName: 'a' }]);
    const v = validateWorkflowDef(input);
    expect(v).toEqual({
      ok: true,
      value: {
        name: 'flow',
        version: 1,
        schemaVersion: 2,
        restartable: true,
        timeoutPolicy: 'ALERT_ONLY',
        timeoutSeconds: 0,
        tasks: [{ name: 'a', taskReferenceName: 'a', type: 'SIMPLE' }],
      },
    });
    expect(input).toEqual(flow([{ name: 'a', taskReferenceName: 'a' }]));
  });

  it('fills defaults in nested steps and inline task definitions', () => {
    const v = validateWorkflowDef(
      flow([
        {
          name: 'loop',
          taskReferenceName: 'loop',
          type: 'DO_WHILE',
          loopCondition: 'false',
          loopOver: [{ name: 'step', taskReferenceName: 'step', taskDefinition: { retryCount: 0, timeoutSeconds: 20 } }],
        },
      ]),
    );
    expect(v.ok).toBe(true);
    const step = v.ok ? v.value.tasks[0]?.loopOver?.[0] : undefined;
    expect(step?.type).toBe('SIMPLE');
    expect(step?.taskDefinition).toMatchObject({ name: 'step', retryCount: 0, retryLogic: 'FIXED', responseTimeoutSeconds: 20 });
  });

  it('validates an inline sub-workflow definition as a workflow of its own', () => {
    const inner = flow([simple('a')], { name: 'inner' });
    const v = validateWorkflowDef(
      flow([simple('a'), { name: 'sub', taskReferenceName: 'sub', type: 'SUB_WORKFLOW', subWorkflowParam: { workflowDefinition: inner } }]),
    );
    expect(v.ok && v.value.tasks[1]?.subWorkflowParam?.workflowDefinition).toMatchObject({ name: 'inner', version: 1, restartable: true });
  });
});

describe('validateWorkflowDef: schema problems', () => {
  it.each<[string, unknown, string, string]>([
    ['missing name', { tasks: [simple('a')] }, '/name', 'is required'],
    ['missing tasks', { name: 'flow' }, '/tasks', 'is required'],
    ['empty tasks', flow([]), '/tasks', 'must have at least 1 item'],
    ['version 0', flow([simple('a')], { version: 0 }), '/version', 'must be >= 1'],
    ['schemaVersion 1', flow([simple('a')], { schemaVersion: 1 }), '/schemaVersion', 'must be 2'],
    ['timeoutPolicy RETRY', flow([simple('a')], { timeoutPolicy: 'RETRY' }), '/timeoutPolicy', 'must be one of TIME_OUT_WF, ALERT_ONLY'],
    ['restartable not boolean', flow([simple('a')], { restartable: 'yes' }), '/restartable', 'must be a boolean'],
    ['inputParameters not strings', flow([simple('a')], { inputParameters: [{}] }), '/inputParameters/0', 'must be a string'],
    ['task without reference name', flow([{ name: 'a' }]), '/tasks/0/taskReferenceName', 'is required'],
    ['task not an object', flow(['a']), '/tasks/0', 'must be an object'],
    ['optional not boolean', flow([{ ...simple('a'), optional: 1 }]), '/tasks/0/optional', 'must be a boolean'],
    [
      'bad evaluatorType',
      flow([{ ...simple('s'), type: 'SWITCH', evaluatorType: 'lua', expression: 'x' }]),
      '/tasks/0/evaluatorType',
      'must be one of value-param, javascript, graaljs',
    ],
    [
      'inline taskDefinition field',
      flow([{ ...simple('a'), taskDefinition: { retryCount: -1 } }]),
      '/tasks/0/taskDefinition/retryCount',
      'must be >= 0',
    ],
    [
      'subWorkflowParam version',
      flow([{ ...simple('s'), type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'x', version: 0 } }]),
      '/tasks/0/subWorkflowParam/version',
      'must be >= 1',
    ],
  ])('reports %s', (_, def, pointer, message) => {
    expect(problemsOf(def)).toEqual([{ pointer, message }]);
  });

  it('names every allowed type when the type is unknown, however deep the step', () => {
    const def = flow([
      simple('a'),
      {
        name: 'choose',
        taskReferenceName: 'choose',
        type: 'SWITCH',
        evaluatorType: 'value-param',
        expression: 'kind',
        decisionCases: { bad: [{ name: 'x', taskReferenceName: 'x', type: 'KAFKA_PUBLISH' }] },
      },
    ]);
    const [problem, ...rest] = problemsOf(def);
    expect(rest).toEqual([]);
    expect(problem?.pointer).toBe('/tasks/1/decisionCases/bad/0/type');
    expect(problem?.message).toMatch(/^must be one of SIMPLE, SWITCH, DECISION, .*, HTTP, WAIT_FOR_EVENT, WAIT_FOR_SIGNAL, EVENT$/);
  });

  it('reports problems in every kind of nested list', () => {
    const bad = (ref: string) => ({ name: ref, taskReferenceName: ref, type: 'NOPE' });
    const def = flow([
      {
        name: 'd',
        taskReferenceName: 'd',
        type: 'DECISION',
        caseValueParam: 'k',
        decisionCases: { 'a/b': [bad('c1')] },
        defaultCase: [bad('c2')],
      },
      { name: 'f', taskReferenceName: 'f', type: 'FORK_JOIN', forkTasks: [[simple('ok')], [bad('c3')]] },
      { name: 'l', taskReferenceName: 'l', type: 'DO_WHILE', loopCondition: 'false', loopOver: [bad('c4')] },
    ]);
    expect(problemsOf(def).map((p) => p.pointer)).toEqual([
      '/tasks/0/decisionCases/a~1b/0/type',
      '/tasks/0/defaultCase/0/type',
      '/tasks/1/forkTasks/1/0/type',
      '/tasks/2/loopOver/0/type',
    ]);
  });
});

describe('validateWorkflowDef: semantic problems', () => {
  it.each<[string, unknown[], Json, Problem[]]>([
    [
      'duplicate taskReferenceName',
      [simple('a'), simple('a')],
      {},
      [{ pointer: '/tasks/1/taskReferenceName', message: "duplicate taskReferenceName 'a' (first at /tasks/0)" }],
    ],
    [
      'duplicate taskReferenceName inside a fork branch',
      [simple('a'), { name: 'f', taskReferenceName: 'f', type: 'FORK_JOIN', forkTasks: [[simple('b')], [simple('a')]] }],
      {},
      [{ pointer: '/tasks/1/forkTasks/1/0/taskReferenceName', message: "duplicate taskReferenceName 'a' (first at /tasks/0)" }],
    ],
    [
      'an expression with an unknown root',
      [simple('a', { x: '${foo.output.y}' })],
      {},
      [{ pointer: '/tasks/0/inputParameters/x', message: "references unknown task 'foo' in ${foo.output.y}" }],
    ],
    [
      'an unknown root deep in parameters and in text',
      [simple('a', { deep: { list: ['ok', 'id=${nope.output.id}'] } })],
      {},
      [{ pointer: '/tasks/0/inputParameters/deep/list/1', message: "references unknown task 'nope' in ${nope.output.id}" }],
    ],
    [
      'an unknown root in outputParameters',
      [simple('a')],
      { outputParameters: { r: '${b.output}' } },
      [{ pointer: '/outputParameters/r', message: "references unknown task 'b' in ${b.output}" }],
    ],
    [
      'a malformed expression',
      [simple('a', { x: '${a.output[*]}' })],
      {},
      [{ pointer: '/tasks/0/inputParameters/x', message: '${a.output[*]} is not a valid expression: it has an unsupported selector [*]' }],
    ],
    [
      'SWITCH without evaluatorType and expression',
      [{ name: 's', taskReferenceName: 's', type: 'SWITCH', decisionCases: {} }],
      {},
      [
        { pointer: '/tasks/0/evaluatorType', message: 'is required for SWITCH tasks (value-param, javascript or graaljs)' },
        { pointer: '/tasks/0/expression', message: 'is required for SWITCH tasks' },
      ],
    ],
    [
      'DECISION without caseValueParam or caseExpression',
      [{ name: 'd', taskReferenceName: 'd', type: 'DECISION' }],
      {},
      [{ pointer: '/tasks/0/caseValueParam', message: 'is required for DECISION tasks (or caseExpression)' }],
    ],
    [
      'DO_WHILE without loopCondition and loopOver',
      [{ name: 'l', taskReferenceName: 'l', type: 'DO_WHILE', loopOver: [] }],
      {},
      [
        { pointer: '/tasks/0/loopCondition', message: 'is required for DO_WHILE tasks' },
        { pointer: '/tasks/0/loopOver', message: 'is required for DO_WHILE tasks (the steps to repeat)' },
      ],
    ],
    [
      'FORK_JOIN without forkTasks',
      [{ name: 'f', taskReferenceName: 'f', type: 'FORK_JOIN' }],
      {},
      [{ pointer: '/tasks/0/forkTasks', message: 'is required for FORK_JOIN tasks (the parallel branches)' }],
    ],
    [
      'FORK_JOIN_DYNAMIC without dynamicForkTasksParam',
      [{ name: 'f', taskReferenceName: 'f', type: 'FORK_JOIN_DYNAMIC' }],
      {},
      [{ pointer: '/tasks/0/dynamicForkTasksParam', message: 'is required for FORK_JOIN_DYNAMIC tasks' }],
    ],
    [
      'JOIN on an unknown step',
      [simple('a'), { name: 'j', taskReferenceName: 'j', type: 'JOIN', joinOn: ['a', 'ghost'] }],
      {},
      [{ pointer: '/tasks/1/joinOn/1', message: "references unknown task 'ghost'" }],
    ],
    [
      'SUB_WORKFLOW without a name',
      [{ name: 's', taskReferenceName: 's', type: 'SUB_WORKFLOW', subWorkflowParam: { version: 2 } }],
      {},
      [{ pointer: '/tasks/0/subWorkflowParam/name', message: 'is required for SUB_WORKFLOW tasks' }],
    ],
    [
      'START_WORKFLOW without startWorkflow',
      [{ name: 's', taskReferenceName: 's', type: 'START_WORKFLOW' }],
      {},
      [{ pointer: '/tasks/0/inputParameters/startWorkflow', message: 'is required for START_WORKFLOW tasks ({ name, version?, input? })' }],
    ],
    [
      'START_WORKFLOW with a nameless startWorkflow',
      [{ name: 's', taskReferenceName: 's', type: 'START_WORKFLOW', inputParameters: { startWorkflow: { version: 1 } } }],
      {},
      [{ pointer: '/tasks/0/inputParameters/startWorkflow/name', message: 'is required for START_WORKFLOW tasks' }],
    ],
    [
      'DYNAMIC without dynamicTaskNameParam',
      [{ name: 'd', taskReferenceName: 'd', type: 'DYNAMIC' }],
      {},
      [{ pointer: '/tasks/0/dynamicTaskNameParam', message: 'is required for DYNAMIC tasks' }],
    ],
    [
      'an inline taskDefinition whose response timeout exceeds its timeout',
      [{ ...simple('a'), taskDefinition: { timeoutSeconds: 5, responseTimeoutSeconds: 10 } }],
      {},
      [
        {
          pointer: '/tasks/0/taskDefinition/responseTimeoutSeconds',
          message: 'must be <= timeoutSeconds (5), or timeoutSeconds must be 0 (no limit)',
        },
      ],
    ],
    [
      'a problem inside an inline sub-workflow',
      [
        simple('a'),
        {
          name: 's',
          taskReferenceName: 's',
          type: 'SUB_WORKFLOW',
          subWorkflowParam: { workflowDefinition: flow([simple('x', { v: '${a.output}' })]) },
        },
      ],
      {},
      [
        {
          pointer: '/tasks/1/subWorkflowParam/workflowDefinition/tasks/0/inputParameters/v',
          message: "references unknown task 'a' in ${a.output}",
        },
      ],
    ],
  ])('reports %s', (_, tasks, extra, problems) => {
    expect(problemsOf(flow(tasks, extra))).toEqual(problems);
  });

  it.each<[string, unknown[]]>([
    ['workflow and task roots, forward references included', [simple('a', { x: '${workflow.input.x}', y: '${b.output}' }), simple('b')]],
    [
      'a DO_WHILE iteration reference',
      [
        { name: 'l', taskReferenceName: 'l', type: 'DO_WHILE', loopCondition: 'false', loopOver: [simple('step')] },
        simple('after', { first: '${step__1.output}' }),
      ],
    ],
    ['escaped and blank expressions', [simple('a', { x: '$${nope.output}', y: '${}' })]],
    [
      'START_WORKFLOW in Conductor form',
      [
        {
          name: 's',
          taskReferenceName: 's',
          type: 'START_WORKFLOW',
          inputParameters: { startWorkflow: { name: 'other', version: 1, input: {} } },
        },
      ],
    ],
    [
      'START_WORKFLOW with an expression for the request',
      [{ name: 's', taskReferenceName: 's', type: 'START_WORKFLOW', inputParameters: { startWorkflow: '${workflow.input.request}' } }],
    ],
    [
      'START_WORKFLOW with subWorkflowParam',
      [{ name: 's', taskReferenceName: 's', type: 'START_WORKFLOW', subWorkflowParam: { name: 'other' } }],
    ],
    ['DECISION with caseExpression', [{ name: 'd', taskReferenceName: 'd', type: 'DECISION', caseExpression: '$.x' }]],
    [
      'EXCLUSIVE_JOIN on known steps',
      [simple('a'), { name: 'j', taskReferenceName: 'j', type: 'EXCLUSIVE_JOIN', joinOn: ['a'], defaultExclusiveJoinTask: ['a'] }],
    ],
  ])('accepts %s', (_, tasks) => {
    expect(problemsOf(flow(tasks))).toEqual([]);
  });

  it('accepts roots the engine declares with knownRoots', () => {
    const def = flow([simple('a', { id: '${CPEWF_TASK_ID}' })]);
    expect(problemsOf(def).map((p) => p.pointer)).toEqual(['/tasks/0/inputParameters/id']);
    expect(problemsOf(def, { knownRoots: ['CPEWF_TASK_ID'] })).toEqual([]);
  });

  describe('with isKnownTaskDef', () => {
    const isKnownTaskDef = (name: string) => name === 'known';
    it.each<[string, unknown[], string[]]>([
      ['an unregistered SIMPLE task', [simple('known'), simple('unknown')], ['/tasks/1/name']],
      ['an unregistered task with an inline definition', [{ ...simple('unknown'), taskDefinition: {} }], []],
      ['a system task', [{ name: 'w', taskReferenceName: 'w', type: 'WAIT' }], []],
      [
        'an unregistered task nested in a loop',
        [{ name: 'l', taskReferenceName: 'l', type: 'DO_WHILE', loopCondition: 'x', loopOver: [simple('unknown')] }],
        ['/tasks/0/loopOver/0/name'],
      ],
    ])('checks %s', (_, tasks, pointers) => {
      expect(problemsOf(flow(tasks), { isKnownTaskDef }).map((p) => p.pointer)).toEqual(pointers);
    });

    it('says how to fix it', () => {
      expect(problemsOf(flow([simple('unknown')]), { isKnownTaskDef })).toEqual([
        {
          pointer: '/tasks/0/name',
          message: "no task definition named 'unknown' is registered; register it or add an inline taskDefinition",
        },
      ]);
    });
  });

  it('reports schema and semantic problems together, sorted by pointer', () => {
    const def = flow(
      [
        simple('a', { x: '${ghost.output}' }),
        { name: 'b', taskReferenceName: 'a', retryCount: -1 },
        ...Array.from({ length: 9 }, (_, i) => simple(`s${i}`)),
        { name: 'late', taskReferenceName: 'late', type: 'BOGUS' },
      ],
      { version: 'one' },
    );
    expect(problemsOf(def).map((p) => p.pointer)).toEqual([
      '/tasks/0/inputParameters/x',
      '/tasks/1/retryCount',
      '/tasks/1/taskReferenceName',
      '/tasks/11/type',
      '/version',
    ]);
  });

  it('refuses absurd nesting with a problem instead of overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(problemsOf(flow([simple('a', { deep })]))).toEqual([{ pointer: '', message: 'document is nested deeper than 400 levels' }]);
    const cyclic: Json = flow([simple('a')]);
    cyclic.self = cyclic;
    expect(problemsOf(cyclic)).toEqual([{ pointer: '', message: 'document is nested deeper than 400 levels' }]);
  });
});
