import { DeciderHarness, simple } from '../helpers/decider-harness';

const setVar = (inputParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'sv',
  variables: { kept: 'yes', count: 0 },
  tasks: [
    simple('first'),
    { name: 'set', taskReferenceName: 'set', type: 'SET_VARIABLE', inputParameters, ...extra },
    simple('after', { v: '${workflow.variables}' }),
  ],
});

describe('SET_VARIABLE', () => {
  const table: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['sets a variable from an expression', { orderId: '${first.output.id}' }, { kept: 'yes', count: 0, orderId: 'A-1' }],
    ['replaces an existing one', { count: 5 }, { kept: 'yes', count: 5 }],
    [
      'sets several, keeping types',
      { flag: true, list: [1, 2], obj: { a: null } },
      { kept: 'yes', count: 0, flag: true, list: [1, 2], obj: { a: null } },
    ],
  ];
  it.each(table)('%s', (_name, params, expected) => {
    const h = new DeciderHarness(setVar(params));
    h.complete('first', { id: 'A-1' });
    expect(h.open('after').inputData).toEqual({ v: expected });
    expect(h.wf.variables).toEqual(expected);
    expect(h.last.decision.newTasks[0]).toMatchObject({ refName: 'set', taskType: 'SET_VARIABLE', status: 'COMPLETED', queued: false });
  });

  it('refuses variables beyond 256 KB and fails, leaving the variables unchanged', () => {
    const h = new DeciderHarness(setVar({ big: 'x'.repeat(300 * 1024) }));
    h.complete('first');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(/greater than the permissible limit of 256 kilobytes/);
    expect(h.wf.variables).toEqual({ kept: 'yes', count: 0 });
  });
});
