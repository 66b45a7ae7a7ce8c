import { loadTestScripts as loadSandbox, type TestScripts as ScriptEvaluator } from '../helpers/scripts';
import { DeciderHarness, simple } from '../helpers/decider-harness';

let scripts: ScriptEvaluator;
beforeAll(async () => {
  scripts = await loadSandbox();
});

const switchOn = (evaluatorType: string, expression: string, extra: Record<string, unknown> = {}) => ({
  name: 'sw',
  version: 1,
  tasks: [
    {
      name: 'route',
      taskReferenceName: 'route',
      type: 'SWITCH',
      evaluatorType,
      expression,
      inputParameters: { kind: '${workflow.input.kind}', amount: '${workflow.input.amount}' },
      decisionCases: { card: [simple('charge_card'), simple('capture')], invoice: [simple('send_invoice')], empty: [] },
      defaultCase: [simple('manual_review')],
      ...extra,
    },
    simple('after'),
  ],
});

describe('SWITCH', () => {
  const table: Array<[string, string, string, Record<string, unknown>, string, string[]]> = [
    ['value-param picks a case by an input parameter', 'value-param', 'kind', { kind: 'card' }, 'card', ['charge_card']],
    ['value-param with another value', 'value-param', 'kind', { kind: 'invoice' }, 'invoice', ['send_invoice']],
    ['value-param falls back to defaultCase', 'value-param', 'kind', { kind: 'cash' }, 'cash', ['manual_review']],
    ['a missing value is the case "null"', 'value-param', 'kind', {}, 'null', ['manual_review']],
    ['an empty case runs nothing (no default)', 'value-param', 'kind', { kind: 'empty' }, 'empty', ['after']],
    ['javascript over $', 'javascript', '$.amount > 100 ? "invoice" : "card"', { amount: 500 }, 'invoice', ['send_invoice']],
    ['graaljs is the same evaluator', 'graaljs', '$.amount > 100 ? "invoice" : "card"', { amount: 5 }, 'card', ['charge_card']],
    ['a number result is compared as text', 'javascript', '$.amount * 2', { amount: 21 }, '42', ['manual_review']],
    ['a boolean result is compared as text', 'javascript', '$.amount > 1', { amount: 2 }, 'true', ['manual_review']],
    [
      'a case named like an Object property is not found on the prototype',
      'value-param',
      'kind',
      { kind: 'constructor' },
      'constructor',
      ['manual_review'],
    ],
  ];
  it.each(table)('%s', (_name, evaluatorType, expression, input, caseValue, firstScheduled) => {
    const h = new DeciderHarness(switchOn(evaluatorType, expression), input, {}, scripts);
    const sw = h.last.decision.newTasks.find((t) => t.refName === 'route');
    expect(sw).toMatchObject({
      status: 'COMPLETED',
      taskType: 'SWITCH',
      queued: false,
      outputData: { evaluationResult: [caseValue], selectedCase: caseValue },
    });
    expect(sw?.inputData.case).toBe(caseValue);
    expect(h.scheduledRefs().filter((r) => r !== 'route')).toEqual(firstScheduled);
  });

  it('runs the chosen case in order, then the steps after the SWITCH', () => {
    const h = new DeciderHarness(switchOn('value-param', 'kind'), { kind: 'card' }, {}, scripts);
    h.complete('charge_card', { charged: true });
    expect(h.scheduledRefs()).toEqual(['capture']);
    h.complete('capture');
    expect(h.scheduledRefs()).toEqual(['after']);
    h.complete('after', { done: 1 });
    expect(h.wf.status).toBe('COMPLETED');
  });

  it('keeps the chosen case even if its input changes later', () => {
    const def = switchOn('value-param', 'kind');
    def.tasks[0] = { ...def.tasks[0], inputParameters: { kind: '${first.output.kind}' } } as never;
    def.tasks.unshift(simple('first') as never);
    const h = new DeciderHarness(def, {}, {}, scripts);
    h.complete('first', { kind: 'invoice' });
    expect(h.scheduledRefs()).toEqual(['route', 'send_invoice']);
    h.complete('send_invoice');
    expect(h.scheduledRefs()).toEqual(['after']);
  });

  it('fails the workflow when the expression fails, with the script error as reason', () => {
    const h = new DeciderHarness(switchOn('javascript', '$.nope.deeper'), {}, {}, scripts);
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(/^SWITCH expression failed: TypeError/);
    expect(h.wf.failedReferenceTaskNames).toEqual(['route']);
    expect(h.last.decision.newTasks[0]).toMatchObject({ refName: 'route', status: 'FAILED_WITH_TERMINAL_ERROR' });
  });

  it('fails the workflow when the script runs past its time limit', () => {
    const h = new DeciderHarness(switchOn('javascript', 'while (true) {}'), {}, {}, scripts);
    expect(h.wf.reasonForIncompletion).toBe('SWITCH expression failed: script exceeded its 100 ms time limit');
  });

  it('a failed step in the chosen case fails the workflow', () => {
    const h = new DeciderHarness(switchOn('value-param', 'kind'), { kind: 'invoice' }, { send_invoice: { retryCount: 0 } }, scripts);
    h.report('send_invoice', 'FAILED', {}, 'smtp down');
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.failedReferenceTaskNames).toEqual(['send_invoice']);
  });
});
