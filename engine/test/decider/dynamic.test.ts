import { DeciderHarness, simple } from '../helpers/decider-harness';

const dyn = {
  name: 'dyn',
  tasks: [
    simple('pick'),
    {
      name: 'run',
      taskReferenceName: 'run',
      type: 'DYNAMIC',
      dynamicTaskNameParam: 'taskToRun',
      inputParameters: { taskToRun: '${pick.output.name}', x: 1 },
    },
    simple('after'),
  ],
};

describe('DYNAMIC', () => {
  const table: Array<[string, string]> = [
    ['runs the named task as a worker task', 'ship_with_dhl'],
    ['another name, another queue', 'ship_with_ups'],
  ];
  it.each(table)('%s (%s)', (_name, taskName) => {
    const h = new DeciderHarness(dyn);
    h.complete('pick', { name: taskName });
    expect(h.open('run')).toMatchObject({
      taskType: taskName,
      taskDefName: taskName,
      workflowTaskType: 'DYNAMIC',
      queued: true,
      inputData: { taskToRun: taskName, x: 1 },
    });
    h.complete('run');
    expect(h.scheduledRefs()).toEqual(['after']);
  });

  it("retries with the named task's definition, keeping the name", () => {
    const h = new DeciderHarness(dyn, {}, { ship_with_dhl: { retryCount: 1, retryDelaySeconds: 0 } });
    h.complete('pick', { name: 'ship_with_dhl' });
    h.report('run', 'FAILED', {}, 'x');
    expect(h.open('run')).toMatchObject({ taskType: 'ship_with_dhl', retryCount: 1 });
    h.report('run', 'FAILED', {}, 'y');
    expect(h.wf.status).toBe('FAILED');
  });

  it('fails the workflow when the input holds no task name', () => {
    const h = new DeciderHarness(dyn);
    h.complete('pick', {});
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe("cannot map a dynamic task: input parameter 'taskToRun' holds no task name");
  });
});
