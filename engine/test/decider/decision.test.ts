import { loadTestScripts as loadSandbox, type TestScripts as ScriptEvaluator } from '../helpers/scripts';
import { DeciderHarness, simple } from '../helpers/decider-harness';

let scripts: ScriptEvaluator;
beforeAll(async () => {
  scripts = await loadSandbox();
});

const decision = (how: Record<string, unknown>) => ({
  name: 'dec',
  tasks: [
    {
      name: 'decide',
      taskReferenceName: 'decide',
      type: 'DECISION',
      inputParameters: { status: '${workflow.input.status}', n: '${workflow.input.n}' },
      decisionCases: { OK: [simple('ship')], FAIL: [simple('refund')], EMPTY: [] },
      defaultCase: [simple('investigate')],
      ...how,
    },
  ],
});

describe('DECISION (legacy SWITCH)', () => {
  const table: Array<[string, Record<string, unknown>, Record<string, unknown>, string, string[]]> = [
    ['caseValueParam names the input', { caseValueParam: 'status' }, { status: 'OK' }, 'OK', ['ship']],
    ['caseValueParam, other case', { caseValueParam: 'status' }, { status: 'FAIL' }, 'FAIL', ['refund']],
    ['caseValueParam, no such case', { caseValueParam: 'status' }, { status: 'WHAT' }, 'WHAT', ['investigate']],
    [
      'an empty case falls back to defaultCase (unlike SWITCH)',
      { caseValueParam: 'status' },
      { status: 'EMPTY' },
      'EMPTY',
      ['investigate'],
    ],
    ['caseExpression is a script over $', { caseExpression: '$.n > 10 ? "OK" : "FAIL"' }, { n: 11 }, 'OK', ['ship']],
    [
      'caseExpression wins over caseValueParam',
      { caseValueParam: 'status', caseExpression: '"FAIL"' },
      { status: 'OK' },
      'FAIL',
      ['refund'],
    ],
  ];
  it.each(table)('%s', (_name, how, input, caseValue, scheduled) => {
    const h = new DeciderHarness(decision(how), input, {}, scripts);
    expect(h.last.decision.newTasks[0]).toMatchObject({
      refName: 'decide',
      taskType: 'DECISION',
      status: 'COMPLETED',
      outputData: { caseOutput: [caseValue] },
    });
    expect(h.scheduledRefs().slice(1)).toEqual(scheduled);
  });

  it('follows the chosen case on later decisions', () => {
    const h = new DeciderHarness(decision({ caseValueParam: 'status' }), { status: 'OK' }, {}, scripts);
    h.complete('ship', { tracking: 'T1' });
    expect(h.wf.status).toBe('COMPLETED');
    expect(h.wf.output).toEqual({ tracking: 'T1' });
  });

  it('fails the workflow when caseExpression fails', () => {
    const h = new DeciderHarness(decision({ caseExpression: 'throw new Error("bad")' }), {}, {}, scripts);
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toBe('DECISION caseExpression failed: Error: bad');
  });
});
