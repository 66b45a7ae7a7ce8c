import { DeciderHarness, simple } from '../helpers/decider-harness';

describe('NOOP', () => {
  const table: Array<[string, unknown[], string[]]> = [
    ['completes at once and the flow goes on', [{ name: 'n', taskReferenceName: 'n', type: 'NOOP' }, simple('after')], ['n', 'after']],
    [
      'several in a row',
      [{ name: 'n1', taskReferenceName: 'n1', type: 'NOOP' }, { name: 'n2', taskReferenceName: 'n2', type: 'NOOP' }, simple('after')],
      ['n1', 'n2', 'after'],
    ],
  ];
  it.each(table)('%s', (_name, tasks, scheduled) => {
    const h = new DeciderHarness({ name: 'noop', tasks });
    expect(h.scheduledRefs()).toEqual(scheduled);
    expect(h.last.decision.newTasks.filter((t) => t.taskType === 'NOOP').every((t) => t.status === 'COMPLETED' && !t.queued)).toBe(true);
  });

  it('completes a workflow made only of NOOPs in one decision', () => {
    const h = new DeciderHarness({ name: 'noop', tasks: [{ name: 'n', taskReferenceName: 'n', type: 'NOOP' }] });
    expect(h.wf.status).toBe('COMPLETED');
  });
});
