import { DeciderHarness, simple } from '../helpers/decider-harness';

const fork = (joinOn: string[], extra: Record<string, unknown> = {}) => ({
  name: 'fj',
  tasks: [
    simple('prepare'),
    {
      name: 'fan_out',
      taskReferenceName: 'fan_out',
      type: 'FORK_JOIN',
      forkTasks: [[simple('a1'), simple('a2')], [simple('b1')], [simple('c1', {}, extra)]],
    },
    { name: 'gather', taskReferenceName: 'gather', type: 'JOIN', joinOn },
    simple('after', { a: '${gather.output.a2.v}', b: '${b1.output.v}' }),
  ],
});

describe('FORK_JOIN and JOIN', () => {
  it('starts the first step of every branch at once, and the JOIN waiting', () => {
    const h = new DeciderHarness(fork(['a2', 'b1', 'c1']));
    h.complete('prepare');
    expect(h.scheduledRefs()).toEqual(['fan_out', 'a1', 'b1', 'c1', 'gather']);
    const byRef = new Map(h.last.decision.newTasks.map((t) => [t.refName, t]));
    expect(byRef.get('fan_out')).toMatchObject({ status: 'COMPLETED', taskType: 'FORK', workflowTaskType: 'FORK_JOIN', queued: false });
    expect(byRef.get('gather')).toMatchObject({
      status: 'IN_PROGRESS',
      taskType: 'JOIN',
      queued: false,
      inputData: { joinOn: ['a2', 'b1', 'c1'] },
    });
    expect(byRef.get('a1')).toMatchObject({ status: 'SCHEDULED', queued: true });
  });

  const orders: Array<[string, string[]]> = [
    ['branch by branch', ['a1', 'a2', 'b1', 'c1']],
    ['interleaved', ['b1', 'a1', 'c1', 'a2']],
    ['the long branch last', ['c1', 'b1', 'a1', 'a2']],
  ];
  it.each(orders)('joins whatever the completion order (%s)', (_name, order) => {
    const h = new DeciderHarness(fork(['a2', 'b1', 'c1']));
    h.complete('prepare');
    for (const [i, ref] of order.entries()) {
      h.complete(ref, { v: ref });
      const last = i === order.length - 1;
      expect(h.tasks.get(h.wf.state.steps.gather!.taskId)?.status).toBe(last ? 'COMPLETED' : 'IN_PROGRESS');
    }
    expect(h.open('after').inputData).toEqual({ a: 'a2', b: 'b1' });
    const join = h.tasks.get(h.wf.state.steps.gather!.taskId);
    expect(join?.outputData).toEqual({ a2: { v: 'a2' }, b1: { v: 'b1' }, c1: { v: 'c1' } });
  });

  it('leaves empty outputs out of the JOIN output, as Conductor does', () => {
    const h = new DeciderHarness(fork(['a2', 'b1']));
    h.complete('prepare');
    for (const ref of ['a1', 'a2', 'c1']) h.complete(ref, { v: 1 });
    h.complete('b1', {});
    expect(h.tasks.get(h.wf.state.steps.gather!.taskId)?.outputData).toEqual({ a2: { v: 1 } });
  });

  it('fails the workflow as soon as a branch fails, cancelling the others', () => {
    const h = new DeciderHarness(fork(['a2', 'b1', 'c1']), {}, { b1: { retryCount: 0 } });
    h.complete('prepare');
    h.report('b1', 'FAILED', {}, 'b1 broke');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe('b1 broke');
    expect(h.wf.failedReferenceTaskNames).toEqual(['b1']);
    const statuses = Object.fromEntries([...h.tasks.values()].map((t) => [t.refName, t.status]));
    expect(statuses).toMatchObject({ a1: 'CANCELED', c1: 'CANCELED', gather: 'CANCELED', b1: 'FAILED' });
  });

  it('goes on past an optional branch step that gave up; the JOIN completes with errors', () => {
    const h = new DeciderHarness(fork(['a2', 'b1', 'c1'], { optional: true, retryCount: 0 }));
    h.complete('prepare');
    for (const ref of ['a1', 'a2', 'b1']) h.complete(ref, { v: 1 });
    h.report('c1', 'FAILED', {}, 'meh');
    expect(h.tasks.get(h.wf.state.steps.gather!.taskId)?.status).toBe('COMPLETED_WITH_ERRORS');
    expect(h.scheduledRefs()).toEqual(['after']);
  });

  it('retries a branch step per its policy without disturbing the other branches', () => {
    const h = new DeciderHarness(fork(['a2', 'b1', 'c1']), {}, { b1: { retryCount: 1, retryDelaySeconds: 0 } });
    h.complete('prepare');
    h.report('b1', 'FAILED', {}, 'flaky');
    expect(h.scheduledRefs()).toEqual(['b1']);
    expect(h.open('b1').retryCount).toBe(1);
    for (const ref of ['a1', 'a2', 'b1', 'c1']) h.complete(ref);
    expect(h.scheduledRefs()).toEqual(['after']);
  });

  it('waits only for joinOn; a branch nobody joins must still end before the workflow does', () => {
    const h = new DeciderHarness(fork(['a2']));
    h.complete('prepare');
    h.complete('a1');
    h.complete('a2');
    expect(h.scheduledRefs()).toEqual(['after']);
    h.complete('after');
    expect(h.wf.status).toBe('RUNNING');
    h.complete('b1');
    expect(h.wf.status).toBe('RUNNING');
    h.complete('c1', { last: true });
    expect(h.wf.status).toBe('COMPLETED');
  });

  it('fails a JOIN waiting for a step that can no longer be scheduled, instead of waiting forever', () => {
    const def = {
      name: 'stuck',
      tasks: [
        {
          name: 'route',
          taskReferenceName: 'route',
          type: 'SWITCH',
          evaluatorType: 'value-param',
          expression: 'k',
          inputParameters: { k: 'b' },
          decisionCases: { a: [simple('only_in_a')], b: [simple('in_b')] },
        },
        { name: 'j', taskReferenceName: 'j', type: 'JOIN', joinOn: ['only_in_a', 'in_b'] },
      ],
    };
    const h = new DeciderHarness(def);
    expect(h.wf.status).toBe('RUNNING');
    h.complete('in_b');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe("JOIN 'j' waits for 'only_in_a', which was never scheduled and no longer can be");
  });

  it('fails a FORK_JOIN that is not followed by a JOIN', () => {
    const def = fork(['a2']);
    def.tasks.splice(2, 2);
    const h = new DeciderHarness(def);
    h.complete('prepare');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe("FORK_JOIN 'fan_out' is not followed by a JOIN task");
  });
});
