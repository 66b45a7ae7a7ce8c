import { DeciderHarness, simple } from '../helpers/decider-harness';

const def = (defaultExclusiveJoinTask?: string[]) => ({
  name: 'xj',
  tasks: [
    {
      name: 'route',
      taskReferenceName: 'route',
      type: 'SWITCH',
      evaluatorType: 'value-param',
      expression: 'kind',
      inputParameters: { kind: '${workflow.input.kind}' },
      decisionCases: { a: [simple('a1'), simple('a2')], b: [simple('b1')], none: [] },
      defaultCase: [simple('d1')],
    },
    {
      name: 'merge',
      taskReferenceName: 'merge',
      type: 'EXCLUSIVE_JOIN',
      joinOn: ['a2', 'b1'],
      ...(defaultExclusiveJoinTask ? { defaultExclusiveJoinTask } : {}),
    },
    simple('after', { merged: '${merge.output.v}' }),
  ],
});

describe('EXCLUSIVE_JOIN', () => {
  const table: Array<[string, string, string[] | undefined, string[], string]> = [
    ['takes the joinOn step of the branch that ran', 'a', undefined, ['a1', 'a2'], 'a2'],
    ['another branch', 'b', undefined, ['b1'], 'b1'],
    ['falls back to defaultExclusiveJoinTask', 'other', ['d1'], ['d1'], 'd1'],
  ];
  it.each(table)('%s', (_name, kind, dflt, run, expected) => {
    const h = new DeciderHarness(def(dflt), { kind });
    for (const ref of run) h.complete(ref, { v: ref });
    expect(h.open('after').inputData).toEqual({ merged: expected });
    expect(h.tasks.get(h.wf.state.steps.merge!.taskId)).toMatchObject({
      status: 'COMPLETED',
      outputData: { v: expected },
      taskType: 'EXCLUSIVE_JOIN',
    });
  });

  it('fails, instead of waiting forever, when none of its steps ran', () => {
    const h = new DeciderHarness(def(['d1']), { kind: 'none' });
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(/EXCLUSIVE_JOIN 'merge': none of joinOn \[a2, b1\]/);
  });

  it('fails with the reason of the step it joins when that step failed', () => {
    const h = new DeciderHarness(def(), { kind: 'b' }, { b1: { retryCount: 0 } });
    h.report('b1', 'FAILED', {}, 'b broke');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe('b broke');
  });
});
