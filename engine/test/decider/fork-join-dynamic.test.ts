import { DeciderHarness, simple } from '../helpers/decider-harness';

const dynamicFork = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'dyn',
  tasks: [
    simple('plan'),
    {
      name: 'fan_out',
      taskReferenceName: 'fan_out',
      type: 'FORK_JOIN_DYNAMIC',
      inputParameters: params,
      dynamicForkTasksParam: 'dynamicTasks',
      dynamicForkTasksInputParamName: 'dynamicTasksInput',
      ...extra,
    },
    { name: 'gather', taskReferenceName: 'gather', type: 'JOIN' },
    simple('after', { all: '${gather.output}' }),
  ],
});

const listForm = dynamicFork({ dynamicTasks: '${plan.output.tasks}', dynamicTasksInput: '${plan.output.inputs}' });
const twoShipments = {
  tasks: [
    { name: 'ship', taskReferenceName: 'ship_1', inputParameters: { carrier: 'dhl' } },
    { name: 'ship', taskReferenceName: 'ship_2', type: 'SIMPLE' },
  ],
  inputs: { ship_1: { parcel: 1 }, ship_2: { parcel: 2 } },
};

describe('FORK_JOIN_DYNAMIC', () => {
  it('forks the listed tasks with their inputs, and a JOIN on all of them', () => {
    const h = new DeciderHarness(listForm);
    h.complete('plan', twoShipments);
    expect(h.scheduledRefs()).toEqual(['fan_out', 'gather', 'ship_1', 'ship_2']);
    const byRef = new Map(h.last.decision.newTasks.map((t) => [t.refName, t]));
    expect(byRef.get('fan_out')).toMatchObject({ status: 'COMPLETED', taskType: 'FORK', inputData: { forkedTasks: ['ship_1', 'ship_2'] } });
    expect(byRef.get('gather')).toMatchObject({ status: 'IN_PROGRESS', inputData: { joinOn: ['ship_1', 'ship_2'] } });
    expect(byRef.get('ship_1')).toMatchObject({ taskType: 'ship', inputData: { carrier: 'dhl', parcel: 1 } });
    expect(byRef.get('ship_2')).toMatchObject({ taskType: 'ship', inputData: { parcel: 2 } });
  });

  it('keeps the forked tasks in its state, so later decisions follow them and the JOIN waits for all', () => {
    const h = new DeciderHarness(listForm);
    h.complete('plan', twoShipments);
    expect(h.wf.state.steps.fan_out?.extra).toMatchObject({ branches: 2, started: 2 });
    h.complete('ship_2', { id: 'S2' });
    expect(h.scheduledRefs()).toEqual([]);
    h.complete('ship_1', { id: 'S1' });
    expect(h.open('after').inputData).toEqual({ all: { ship_1: { id: 'S1' }, ship_2: { id: 'S2' } } });
  });

  it('retries a forked task per its task definition', () => {
    const h = new DeciderHarness(listForm, {}, { ship: { retryCount: 1, retryDelaySeconds: 0 } });
    h.complete('plan', twoShipments);
    h.report('ship_1', 'FAILED', {}, 'carrier down');
    expect(h.open('ship_1').retryCount).toBe(1);
    h.report('ship_1', 'FAILED', {}, 'carrier still down');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe('carrier still down');
  });

  it('completes at once with an empty list', () => {
    const h = new DeciderHarness(listForm);
    h.complete('plan', { tasks: [], inputs: {} });
    expect(h.scheduledRefs()).toEqual(['fan_out', 'gather', 'after']);
    expect(h.tasks.get(h.wf.state.steps.gather!.taskId)?.status).toBe('COMPLETED');
  });

  it('forks one task per item with forkTaskName and forkTaskInputs', () => {
    const h = new DeciderHarness(dynamicFork({ forkTaskName: 'resize', forkTaskInputs: '${plan.output.images}' }));
    h.complete('plan', { images: [{ url: 'a.png' }, 'b.png'] });
    expect(h.scheduledRefs()).toEqual(['fan_out', 'gather', '_resize_0', '_resize_1']);
    expect(h.open('_resize_0')).toMatchObject({ taskType: 'resize', inputData: { url: 'a.png', __index: 0 } });
    expect(h.open('_resize_1')).toMatchObject({ taskType: 'resize', inputData: { input: 'b.png', __index: 1 } });
  });

  it('makes forked tasks optional when the fork is', () => {
    const h = new DeciderHarness(
      dynamicFork({ forkTaskName: 'resize', forkTaskInputs: [1, 2] }, { optional: true }),
      {},
      { resize: { retryCount: 0 } },
    );
    h.complete('plan');
    h.report('_resize_0', 'FAILED', {}, 'bad image');
    h.complete('_resize_1', { ok: 1 });
    expect(h.scheduledRefs()).toEqual(['after']);
    expect(h.tasks.get(h.wf.state.steps.gather!.taskId)?.status).toBe('COMPLETED_WITH_ERRORS');
  });

  const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'the task list is not a list',
      { tasks: 'nope', inputs: {} },
      /input 'dynamicTasks' of dynamic fork 'fan_out' must be a list of workflow tasks/,
    ],
    ['the input map is not a map', { tasks: twoShipments.tasks, inputs: [1] }, /input 'dynamicTasksInput' .* must be a map/],
    ['a task without a reference name', { tasks: [{ name: 'ship' }], inputs: {} }, /got invalid tasks: \/0\/taskReferenceName is required/],
    [
      'a reference name the workflow already uses',
      { tasks: [{ name: 'ship', taskReferenceName: 'plan' }], inputs: {} },
      /duplicate task reference name: plan/,
    ],
    [
      'two tasks with one reference name',
      {
        tasks: [
          { name: 'x', taskReferenceName: 'x' },
          { name: 'x', taskReferenceName: 'x' },
        ],
        inputs: {},
      },
      /duplicate taskReferenceName 'x'/,
    ],
  ];
  it.each(invalid)('fails the workflow when %s', (_name, plan, reason) => {
    const h = new DeciderHarness(listForm);
    h.complete('plan', plan);
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(reason);
  });
});
