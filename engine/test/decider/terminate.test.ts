import { DeciderHarness, simple } from '../helpers/decider-harness';

const withTerminate = (inputParameters: Record<string, unknown>) => ({
  name: 'term',
  outputParameters: { fromParams: true },
  tasks: [
    {
      name: 'fan',
      taskReferenceName: 'fan',
      type: 'FORK_JOIN',
      forkTasks: [[simple('slow')], [simple('check'), { name: 'stop', taskReferenceName: 'stop', type: 'TERMINATE', inputParameters }]],
    },
    { name: 'j', taskReferenceName: 'j', type: 'JOIN', joinOn: ['slow', 'stop'] },
    simple('never'),
  ],
});

describe('TERMINATE', () => {
  const table: Array<[string, Record<string, unknown>, string, string | null, Record<string, unknown>]> = [
    [
      'COMPLETED with workflowOutput',
      { terminationStatus: 'COMPLETED', workflowOutput: { result: '${check.output.r}' } },
      'COMPLETED',
      null,
      { result: 'R' },
    ],
    [
      'FAILED with a reason',
      { terminationStatus: 'FAILED', terminationReason: 'fraud suspected: ${check.output.r}' },
      'FAILED',
      'fraud suspected: R',
      { fromParams: true },
    ],
    [
      'TERMINATED, a non-object output wrapped',
      { terminationStatus: 'TERMINATED', workflowOutput: '${check.output.r}' },
      'TERMINATED',
      null,
      { output: 'R' },
    ],
  ];
  it.each(table)('%s', (_name, params, status, reason, output) => {
    const h = new DeciderHarness(withTerminate(params));
    h.complete('check', { r: 'R' });
    expect(h.wf.status).toBe(status);
    expect(h.wf.reasonForIncompletion).toBe(reason);
    expect(h.wf.output).toEqual(output);
    const stop = h.last.decision.newTasks.find((t) => t.refName === 'stop');
    expect(stop).toMatchObject({ status: 'COMPLETED', taskType: 'TERMINATE' });
    expect(h.tasks.get(h.wf.state.steps.slow!.taskId)?.status).toBe('CANCELED');
    expect(h.tasks.get(h.wf.state.steps.j!.taskId)?.status).toBe('CANCELED');
  });

  it('fails the workflow on an invalid terminationStatus', () => {
    const h = new DeciderHarness(withTerminate({ terminationStatus: 'DONE' }));
    h.complete('check');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(/given termination status is not valid: "DONE"/);
  });
});
