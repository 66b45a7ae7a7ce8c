import { DeciderHarness, simple } from '../helpers/decider-harness';
import { retryDelayMs, retryPolicyOf } from '../../src/decider';
import { taskIdFor } from '../../src/domain/ids';

const seq3 = {
  name: 'seq',
  version: 1,
  tasks: [
    simple('a', { x: '${workflow.input.x}' }),
    simple('b', { fromA: '${a.output.y}', id: '${workflow.workflowId}' }),
    simple('c', { msg: 'a said ${a.output.y} and b said ${b.output.z}' }),
  ],
  outputParameters: { result: '${c.output.done}', y: '${a.output.y}' },
};

describe('decider: SIMPLE tasks in sequence', () => {
  it('schedules only the first step at start, with resolved input', () => {
    const h = new DeciderHarness(seq3, { x: 42 });
    expect(h.scheduledRefs()).toEqual(['a']);
    expect(h.open('a').inputData).toEqual({ x: 42 });
    expect(h.wf.status).toBe('RUNNING');
  });

  it('schedules each next step when the previous completes, resolving outputs into inputs', () => {
    const h = new DeciderHarness(seq3, { x: 1 });
    h.complete('a', { y: { deep: [1, 2] } });
    expect(h.scheduledRefs()).toEqual(['b']);
    expect(h.open('b').inputData).toEqual({ fromA: { deep: [1, 2] }, id: 'wf-1' });
    h.complete('b', { z: 'zed' });
    expect(h.open('c').inputData).toEqual({ msg: 'a said {"deep":[1,2]} and b said zed' });
    h.complete('c', { done: true });
    expect(h.wf.status).toBe('COMPLETED');
    expect(h.wf.output).toEqual({ result: true, y: { deep: [1, 2] } });
    expect(h.last.decision.newTasks).toEqual([]);
  });

  it('uses the last step output as workflow output when outputParameters is absent', () => {
    const h = new DeciderHarness({ name: 'x', tasks: [simple('a'), simple('b')] });
    h.complete('a', { first: 1 });
    h.complete('b', { second: 2 });
    expect(h.wf.output).toEqual({ second: 2 });
  });

  it('gives tasks deterministic ids: the same decision twice schedules the same rows', () => {
    const h1 = new DeciderHarness(seq3, { x: 1 });
    const h2 = new DeciderHarness(seq3, { x: 1 });
    expect(h1.open('a').taskId).toBe(h2.open('a').taskId);
    expect(h1.open('a').taskId).toBe(taskIdFor('wf-1', 'a', 0, 0));
  });

  it('ignores a result that is not the latest attempt of its step (fencing at decide time)', () => {
    const h = new DeciderHarness(seq3, { x: 1 });
    const a = h.open('a');
    const stale = { ...a, taskId: 'some-older-attempt', status: 'COMPLETED' as const, applied: false };
    const out = h.run([stale]);
    expect(out.decision.appliedTaskIds).toEqual(['some-older-attempt']);
    expect(out.decision.newTasks).toEqual([]);
    expect(h.wf.state.steps.a?.status).toBe('SCHEDULED');
  });

  it('applies a duplicate result once', () => {
    const h = new DeciderHarness(seq3, { x: 1 });
    const a = h.open('a');
    const done = { ...a, status: 'COMPLETED' as const, outputData: { y: 1 }, applied: false };
    h.run([done]);
    const again = h.run([done]);
    expect(again.decision.newTasks).toEqual([]);
    expect([...h.tasks.values()].filter((t) => t.refName === 'b')).toHaveLength(1);
  });

  it('is pure: the input workflow is not mutated', () => {
    const h = new DeciderHarness(seq3, { x: 1 });
    const before = JSON.stringify(h.wf);
    const a = h.open('a');
    const snapshot = h.wf;
    h.run([{ ...a, status: 'COMPLETED', outputData: { y: 2 }, applied: false }]);
    expect(JSON.stringify(snapshot)).toBe(before);
  });
});

describe('decider: failures and retries', () => {
  const def = { name: 'r', tasks: [simple('a'), simple('b')] };

  it('retries a FAILED attempt per the task definition, as a new attempt with a delay', () => {
    const h = new DeciderHarness(def, {}, { a: { retryCount: 2, retryDelaySeconds: 5, retryLogic: 'FIXED' } });
    const first = h.open('a');
    h.report('a', 'FAILED', {}, 'boom');
    const retry = h.open('a');
    expect(retry.retryCount).toBe(1);
    expect(retry.taskId).not.toBe(first.taskId);
    expect(retry.visibleAt - h.now).toBe(5000);
    expect(retry.inputData).toEqual(first.inputData);
    h.report('a', 'FAILED', {}, 'boom again');
    expect(h.open('a').retryCount).toBe(2);
    h.report('a', 'FAILED', {}, 'third');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe('third');
    expect(h.wf.failedReferenceTaskNames).toEqual(['a']);
  });

  it('never retries FAILED_WITH_TERMINAL_ERROR', () => {
    const h = new DeciderHarness(def, {}, { a: { retryCount: 5, retryDelaySeconds: 0 } });
    h.report('a', 'FAILED_WITH_TERMINAL_ERROR', {}, 'card declined');
    expect(h.wf.status).toBe('FAILED');
    expect(h.last.decision.newTasks).toEqual([]);
  });

  it('retries a TIMED_OUT attempt (lease expiry) like a failure', () => {
    const h = new DeciderHarness(def, {}, { a: { retryCount: 1, retryDelaySeconds: 0 } });
    h.report('a', 'TIMED_OUT', {}, 'responseTimeoutSeconds elapsed');
    const retry = h.open('a');
    expect(retry.retryCount).toBe(1);
    expect(retry.visibleAt).toBe(h.now);
  });

  it('lets the flow go on past an optional step that gave up', () => {
    const h = new DeciderHarness({ name: 'o', tasks: [simple('a', {}, { optional: true, retryCount: 0 }), simple('b')] });
    h.report('a', 'FAILED', {}, 'meh');
    expect(h.scheduledRefs()).toEqual(['b']);
    expect(h.wf.state.steps.a?.status).toBe('COMPLETED_WITH_ERRORS');
  });

  it('uses the workflow task retryCount override', () => {
    const h = new DeciderHarness({ name: 'o', tasks: [simple('a', {}, { retryCount: 0 })] }, {}, { a: { retryCount: 5 } });
    h.report('a', 'FAILED', {}, 'x');
    expect(h.wf.status).toBe('FAILED');
  });

  it('cancels open steps when the workflow fails', () => {
    const h = new DeciderHarness(def, {}, { a: { retryCount: 0 } });
    const out = h.report('a', 'FAILED', {}, 'x');
    expect(out.decision.workflow.status).toBe('FAILED');
    expect(out.decision.workflow.endTime).toBe(h.now);
  });
});

describe('retry delays', () => {
  const table: Array<[string, Record<string, unknown>, number[]]> = [
    ['FIXED', { retryLogic: 'FIXED', retryDelaySeconds: 3 }, [3000, 3000, 3000, 3000]],
    ['LINEAR', { retryLogic: 'LINEAR_BACKOFF', retryDelaySeconds: 2, backoffScaleFactor: 3 }, [6000, 12000, 18000, 24000]],
    ['EXPONENTIAL', { retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 1 }, [1000, 2000, 4000, 8000]],
    ['EXPONENTIAL capped', { retryLogic: 'EXPONENTIAL_BACKOFF', retryDelaySeconds: 1, maxRetryDelaySeconds: 5 }, [1000, 2000, 4000, 5000]],
  ];
  it.each(table)('%s', (_name, def, expected) => {
    const policy = retryPolicyOf({ name: 't', retryCount: 10, ...def } as never, undefined);
    expect(expected.map((_, n) => retryDelayMs(policy, n, 'task'))).toEqual(expected);
  });

  it('adds jitter within [0, backoffJitterMs), deterministic per attempt', () => {
    const policy = retryPolicyOf({ name: 't', retryDelaySeconds: 1, backoffJitterMs: 500 } as never, undefined);
    const delays = Array.from({ length: 200 }, (_, i) => retryDelayMs(policy, 0, `task-${i}`));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...delays)).toBeLessThan(1500);
    expect(new Set(delays).size).toBeGreaterThan(50);
    expect(retryDelayMs(policy, 0, 'task-7')).toBe(retryDelayMs(policy, 0, 'task-7'));
  });
});

describe('workflow timeout', () => {
  it('times out a TIME_OUT_WF workflow once its timeoutSeconds elapse and sets a wake-up timer', () => {
    const h = new DeciderHarness({ name: 't', timeoutSeconds: 10, timeoutPolicy: 'TIME_OUT_WF', tasks: [simple('a')] });
    expect(h.wf.wakeAt).toBe(h.wf.startTime + 10_000);
    h.now += 10_000;
    h.run([]);
    expect(h.wf.status).toBe('TIMED_OUT');
    expect(h.tasks.get(h.wf.state.steps.a!.taskId)?.status).toBe('CANCELED');
  });

  it('does not end an ALERT_ONLY workflow', () => {
    const h = new DeciderHarness({ name: 't', timeoutSeconds: 10, timeoutPolicy: 'ALERT_ONLY', tasks: [simple('a')] });
    h.now += 60_000;
    h.run([]);
    expect(h.wf.status).toBe('RUNNING');
  });
});
