import { DeciderHarness, simple } from '../helpers/decider-harness';

const seq = { name: 'seq', tasks: [simple('a'), simple('b', { x: '${a.output.x}' }), simple('c', { y: '${b.output.y}' })] };

const forked = {
  name: 'forked',
  tasks: [
    { name: 'fan', taskReferenceName: 'fan', type: 'FORK_JOIN', forkTasks: [[simple('x'), simple('y')], [simple('z')]] },
    { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['y', 'z'] },
    simple('w', { y: '${join.output.y.v}' }),
  ],
};

describe('rerun from a task (operator action)', () => {
  it('runs that step and the rest of the flow again with new attempts, keeping the old ones as history', () => {
    const h = new DeciderHarness(seq);
    h.complete('a', { x: 1 });
    h.complete('b', { y: 2 });
    h.complete('c', {});
    expect(h.wf.status).toBe('COMPLETED');
    const oldB = h.task('b')!.taskId;
    h.act({ kind: 'rerun', ref: 'b', taskInput: { extra: true } });
    expect(h.wf.status).toBe('RUNNING');
    expect(h.wf.state.steps.c).toBeUndefined();
    const b = h.open('b');
    expect(b.taskId).not.toBe(oldB);
    expect(b.inputData).toEqual({ x: 1, extra: true });
    expect(h.tasks.get(oldB)?.status).toBe('COMPLETED');
    h.complete('b', { y: 3 });
    expect(h.open('c').inputData).toEqual({ y: 3 });
    h.complete('c', {});
    expect(h.wf.status).toBe('COMPLETED');
  });

  it('reruns a step in one branch of a fork: the other branch stays done, the JOIN waits again, what follows it resets', () => {
    const h = new DeciderHarness(forked);
    for (const ref of ['x', 'y', 'z']) h.complete(ref, { v: ref });
    h.complete('w', {});
    expect(h.wf.status).toBe('COMPLETED');
    const zBefore = h.task('z')!.taskId;
    h.act({ kind: 'rerun', ref: 'x' });
    expect(h.open('x')).toBeDefined();
    expect(h.task('z')!.taskId).toBe(zBefore);
    expect(h.task('join')).toMatchObject({ status: 'IN_PROGRESS' });
    expect(h.wf.state.steps.w).toBeUndefined();
    h.complete('x', { v: 'x2' });
    h.complete('y', { v: 'y2' });
    expect(h.open('w').inputData).toEqual({ y: 'y2' });
    h.complete('w', {});
    expect(h.wf.status).toBe('COMPLETED');
  });

  it('cancels the open attempts of the steps it resets in a running workflow', () => {
    const h = new DeciderHarness(seq);
    h.complete('a', { x: 1 });
    const openB = h.open('b');
    h.act({ kind: 'rerun', ref: 'a' });
    expect(h.tasks.get(openB.taskId)?.status).toBe('CANCELED');
    expect(h.open('a').taskId).not.toBe(openB.taskId);
    expect(h.wf.state.steps.b).toBeUndefined();
  });

  it('refuses to rerun from a JOIN, naming why', () => {
    const h = new DeciderHarness(forked);
    expect(() => h.act({ kind: 'rerun', ref: 'join' })).toThrow(/JOIN step/);
    expect(() => h.act({ kind: 'rerun', ref: 'nope' })).toThrow(/not a step/);
  });
});

describe('skip a step (operator action)', () => {
  it('records a step not reached yet as SKIPPED, and the flow passes it by', () => {
    const h = new DeciderHarness(seq);
    h.act({ kind: 'skip', ref: 'b', input: {}, output: { y: 'given' } });
    expect(h.task('b')).toMatchObject({ status: 'SKIPPED', outputData: { y: 'given' } });
    h.complete('a', { x: 1 });
    expect(h.open('c').inputData).toEqual({ y: 'given' });
    h.complete('c', {});
    expect(h.wf.status).toBe('COMPLETED');
  });

  it('refuses to skip a step that has already run, or a step holding others', () => {
    const h = new DeciderHarness(seq);
    h.complete('a', { x: 1 });
    expect(() => h.act({ kind: 'skip', ref: 'a', input: {}, output: {} })).toThrow(/is COMPLETED/);
    const f = new DeciderHarness(forked);
    expect(() => f.act({ kind: 'skip', ref: 'join', input: {}, output: {} })).toThrow(/cannot be skipped/);
  });
});
