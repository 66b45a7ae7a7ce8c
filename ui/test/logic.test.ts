import { checkWorkflowText } from '../src/editor/check-definition';
import { locatePointer } from '../src/editor/locate';
import { buildGraph, END_ID, START_ID, stepId } from '../src/graph/model';
import { indexRun, stepViews } from '../src/graph/status';
import { changedFields, retryDelays } from '../src/lib/policy';
import { buildQuery, emptyFilters, filtersFromParams, paramsFromFilters, quoteValue } from '../src/lib/search-query';
import { uiBig, uiShowcase } from '../../scripts/src/ui-fixtures';
import type { Task, WorkflowDef } from '../src/api/types';

/** The UI's pure parts: the query it sends, the graph it draws, the retry schedule it shows, where a problem is marked. */
describe('search query', () => {
  it('builds Conductor query text from the filters', () => {
    expect(buildQuery(emptyFilters)).toBe('');
    expect(
      buildQuery({
        ...emptyFilters,
        names: ['order_flow', 'a b'],
        statuses: ['FAILED', 'TIMED_OUT'],
        from: 1000,
        to: 2000,
        correlationId: 'order-1',
      }),
    ).toBe(
      'workflowType IN (order_flow, "a b") AND status IN (FAILED, TIMED_OUT) AND startTime >= 1000 AND startTime <= 2000 AND correlationId = order-1',
    );
    expect(buildQuery({ ...emptyFilters, statuses: ['RUNNING'], advanced: 'priority > 5 OR priority = 0' })).toBe(
      'status IN (RUNNING) AND (priority > 5 OR priority = 0)',
    );
  });

  it('quotes what the language cannot take bare, and refuses what it cannot express', () => {
    expect(quoteValue('plain-1')).toBe('plain-1');
    expect(quoteValue('has space')).toBe('"has space"');
    expect(quoteValue('say "hi"')).toBe(`'say "hi"'`);
    expect(() => quoteValue(`both ' and "`)).toThrow(/both kinds of quotes/);
  });

  it('keeps filters in the URL and reads them back', () => {
    const f = { ...emptyFilters, names: ['a', 'b'], statuses: ['FAILED'], from: 5, correlationId: 'c', freeText: 'x y' };
    expect(filtersFromParams(paramsFromFilters(f))).toEqual(f);
  });
});

describe('graph model', () => {
  const showcase = uiShowcase as unknown as WorkflowDef;

  it('draws forks, switch cases and loops, start to end', () => {
    const g = buildGraph(showcase);
    const edges = g.edges.map((e) => `${e.source}->${e.target}${e.label ? `:${e.label}` : ''}`);
    expect(edges).toEqual([
      `${START_ID}->step:validate`,
      'step:validate->step:fork',
      'step:fork->step:charge',
      'step:fork->step:reserve',
      'step:charge->step:join',
      'step:reserve->step:join',
      'step:join->step:route',
      'step:route->step:ship_express:express',
      'step:route->step:ship_standard:default',
      'step:ship_express->step:notify_loop',
      'step:ship_standard->step:notify_loop',
      'step:notify_loop->step:approve',
      `step:approve->${END_ID}`,
    ]);
    expect(g.nodes.find((n) => n.id === stepId('notify'))?.parentId).toBe(stepId('notify_loop'));
    expect(g.loopBodies.get(stepId('notify_loop'))).toEqual(['notify']);
  });

  it('draws a switch case without steps as an edge straight to what follows', () => {
    const g = buildGraph({
      tasks: [{ name: 's', taskReferenceName: 's', type: 'SWITCH', decisionCases: { a: [] }, defaultCase: [] }],
    } as unknown as WorkflowDef);
    expect(g.edges.map((e) => `${e.source}->${e.target}:${e.label}`)).toEqual([
      '__start->step:s:undefined',
      'step:s->__end:a',
      'step:s->__end:default',
    ]);
  });

  const attempt = (ref: string, status: Task['status'], extra: Partial<Task> = {}): Task =>
    ({
      taskId: `${ref}-${extra.retryCount ?? 0}-${extra.iteration ?? 0}`,
      referenceTaskName: ref,
      status,
      retryCount: 0,
      seq: 1,
      iteration: 0,
      scheduledTime: 1,
      inputData: {},
      outputData: {},
      ...extra,
    }) as Task;

  it('collapses a dynamic fork of 1,000 branches into one node, and opens at most 50 of them', () => {
    const tasks = [
      attempt('fan', 'COMPLETED', { inputData: { forkedTasks: Array.from({ length: 1000 }, (_, i) => `b${i}`) } }),
      ...Array.from({ length: 1000 }, (_, i) => attempt(`b${i}`, i < 990 ? 'COMPLETED' : 'FAILED')),
    ];
    const run = indexRun(tasks, new Set(['fan', 'gather']), ['fan']);
    const closed = buildGraph(uiBig as unknown as WorkflowDef, { dynamicBranches: run.dynamicBranches });
    expect(closed.nodes.map((n) => n.kind)).toEqual(['terminal', 'step', 'dynamic', 'step', 'terminal']);
    const views = stepViews(closed, run, new Map());
    expect(views.get('dynamic:fan')).toMatchObject({ status: 'FAILED', counts: { COMPLETED: 990, FAILED: 10 } });
    const open = buildGraph(uiBig as unknown as WorkflowDef, { dynamicBranches: run.dynamicBranches, openForks: new Set(['fan']) });
    expect(open.nodes.filter((n) => n.kind === 'branch')).toHaveLength(50);
    expect(open.nodes.find((n) => n.kind === 'more')).toMatchObject({ label: '950 more', hidden: 950 });
    expect(stepViews(open, run, new Map()).get('more:fan')?.counts).toEqual({ COMPLETED: 940, FAILED: 10 });
  });

  it('shows the latest attempt of a step, in the loop iteration asked for', () => {
    const g = buildGraph(uiShowcase as unknown as WorkflowDef);
    const run = indexRun(
      [
        attempt('validate', 'FAILED'),
        attempt('validate', 'COMPLETED', { retryCount: 1 }),
        attempt('notify_loop', 'IN_PROGRESS'),
        attempt('notify__1', 'COMPLETED', {
          iteration: 1,
          workflowTask: { name: 'ui_notify', taskReferenceName: 'notify', type: 'SIMPLE' },
        }),
        attempt('notify__2', 'FAILED', { iteration: 2, workflowTask: { name: 'ui_notify', taskReferenceName: 'notify', type: 'SIMPLE' } }),
      ],
      new Set(),
      [],
    );
    const latest = stepViews(g, run, new Map());
    expect(latest.get(stepId('validate'))).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect(latest.get(stepId('notify_loop'))).toMatchObject({ status: 'IN_PROGRESS', iterations: 2 });
    expect(latest.get(stepId('notify'))?.status).toBe('FAILED');
    expect(stepViews(g, run, new Map([[stepId('notify_loop'), 1]])).get(stepId('notify'))?.status).toBe('COMPLETED');
    expect(latest.get(stepId('approve'))?.status).toBe('NOT_RUN');
  });
});

describe('policy preview', () => {
  const p = { retryCount: 5, retryDelaySeconds: 2, backoffScaleFactor: 3, maxRetryDelaySeconds: 0 };
  it("follows docs/policies.md's formulas", () => {
    expect(retryDelays({ ...p, retryLogic: 'FIXED' })).toEqual([2, 2, 2, 2, 2]);
    expect(retryDelays({ ...p, retryLogic: 'LINEAR_BACKOFF' })).toEqual([6, 12, 18, 24, 30]);
    expect(retryDelays({ ...p, retryLogic: 'EXPONENTIAL_BACKOFF' })).toEqual([2, 4, 8, 16, 32]);
    expect(retryDelays({ ...p, retryLogic: 'EXPONENTIAL_BACKOFF', maxRetryDelaySeconds: 10 })).toEqual([2, 4, 8, 10, 10]);
    expect(retryDelays({ ...p, retryCount: 40, retryLogic: 'EXPONENTIAL_BACKOFF' }, 40).at(-1)).toBe(2 ** 31 - 1);
  });

  it('lists the fields a change touched', () => {
    expect(
      changedFields({ name: 'a', retryCount: 3, updateTime: 1 }, { name: 'a', retryCount: 5, timeoutSeconds: 60, updateTime: 2 }),
    ).toEqual([
      { field: 'retryCount', before: 3, after: 5 },
      { field: 'timeoutSeconds', before: undefined, after: 60 },
    ]);
  });
});

describe('editor checks', () => {
  it('marks a problem at its JSON pointer, in JSON and in YAML', () => {
    const json =
      '{\n  "name": "x",\n  "tasks": [\n    { "name": "a", "taskReferenceName": "r", "type": "SIMPLE" },\n    { "name": "b", "taskReferenceName": "r", "type": "SIMPLE" }\n  ]\n}\n';
    const checked = checkWorkflowText(json, 'json');
    expect(checked.value).toBeUndefined();
    const dup = checked.findings.find((f) => f.pointer === '/tasks/1/taskReferenceName');
    expect(dup && json.slice(dup.from, dup.to)).toBe('"taskReferenceName": "r"');
    const yaml = 'name: x\ntasks:\n  - name: a\n    type: SIMPLE\n';
    const missing = checkWorkflowText(yaml, 'yaml').findings;
    expect(missing.map((f) => [f.pointer, yaml.slice(f.from, f.to)])).toEqual([['/tasks/0/taskReferenceName', 'name: a']]);
  });

  it('places a syntax error at its line and column', () => {
    const text = '{\n  "name": "x",\n  "tasks": [\n}';
    const [f] = checkWorkflowText(text, 'json').findings;
    expect(f?.pointer).toBe('');
    expect(text.slice(0, f?.from).split('\n')).toHaveLength(4);
  });

  it('names unregistered worker tasks as warnings, as the server does', () => {
    const text = JSON.stringify({
      name: 'x',
      tasks: [
        { name: 'known', taskReferenceName: 'a', type: 'SIMPLE' },
        { name: 'typo', taskReferenceName: 'b', type: 'SIMPLE' },
      ],
    });
    const checked = checkWorkflowText(text, 'json', new Set(['known']));
    expect(checked.value?.name).toBe('x');
    expect(checked.findings.map((f) => [f.severity, f.pointer])).toEqual([['warning', '/tasks/1/name']]);
  });

  it('finds a pointer through escaped tokens', () => {
    const text = '{"a/b": {"c~d": 1}}';
    const at = locatePointer(text, '/a~1b/c~0d');
    expect(text.slice(at.from, at.to)).toBe('"c~d": 1');
  });
});
