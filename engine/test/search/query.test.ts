import { resolverOf, taskFields, workflowFields } from '../../src/search/fields';
import { QuerySyntaxError, parseFreeText, parseQuery } from '../../src/search/query';

const wf = resolverOf(workflowFields, 'workflow');
const parse = (q: string) => parseQuery(q, wf);
const errorOf = (q: string): QuerySyntaxError => {
  try {
    parse(q);
  } catch (err) {
    if (err instanceof QuerySyntaxError) return err;
    throw err;
  }
  throw new Error(`'${q}' parsed`);
};

describe("Conductor's search query language", () => {
  it.each([
    ['', null],
    ['   ', null],
    ['status = FAILED', { kind: 'cmp', field: 'status', op: '=', value: 'FAILED' }],
    ['status=failed', { kind: 'cmp', field: 'status', op: '=', value: 'FAILED' }],
    ['workflowType IN (a,b)', { kind: 'in', field: 'workflowType', values: ['a', 'b'], negate: false }],
    ['workflowName in ( "a b" , \'c\' )', { kind: 'in', field: 'workflowType', values: ['a b', 'c'], negate: false }],
    ['status NOT IN (RUNNING)', { kind: 'in', field: 'status', values: ['RUNNING'], negate: true }],
    ['startTime > 1700000000000', { kind: 'cmp', field: 'startTime', op: '>', value: 1700000000000 }],
    ['startTime >= 2024-01-02T00:00:00Z', { kind: 'cmp', field: 'startTime', op: '>=', value: Date.parse('2024-01-02T00:00:00Z') }],
    ['version != 2', { kind: 'cmp', field: 'version', op: '!=', value: 2 }],
    ['correlationId = order-17', { kind: 'cmp', field: 'correlationId', op: '=', value: 'order-17' }],
  ])('%s', (q, expected) => {
    expect(parse(q)).toEqual(expected);
  });

  it('AND binds tighter than OR; parentheses group', () => {
    expect(parse('status = FAILED OR status = TIMED_OUT AND workflowType = a')).toEqual({
      kind: 'or',
      items: [
        { kind: 'cmp', field: 'status', op: '=', value: 'FAILED' },
        {
          kind: 'and',
          items: [
            { kind: 'cmp', field: 'status', op: '=', value: 'TIMED_OUT' },
            { kind: 'cmp', field: 'workflowType', op: '=', value: 'a' },
          ],
        },
      ],
    });
    expect(parse('(status = FAILED OR status = TIMED_OUT) and workflowType IN (a)')).toEqual({
      kind: 'and',
      items: [
        {
          kind: 'or',
          items: [
            { kind: 'cmp', field: 'status', op: '=', value: 'FAILED' },
            { kind: 'cmp', field: 'status', op: '=', value: 'TIMED_OUT' },
          ],
        },
        { kind: 'in', field: 'workflowType', values: ['a'], negate: false },
      ],
    });
  });

  it.each([
    ['status = ', 9, 'expected a value'],
    ['status IN (FAILED', 17, "missing ')'"],
    ['(status = FAILED', 16, "missing ')'"],
    ['status = FAILED AND', 19, 'expected a field name'],
    ['status FAILED', 7, 'expected =, !=, >, <, >=, <=, IN or NOT IN'],
    ['colour = red', 0, "unknown workflow field 'colour'"],
    ['status = DONE', 9, 'status must be one of'],
    ['startTime > yesterday', 12, 'epoch milliseconds or an ISO 8601 date'],
    ['status = FAILED status = RUNNING', 16, 'expected AND, OR or the end'],
    ['correlationId = "open', 16, 'unterminated double-quoted value'],
    ['status NOT (FAILED)', 11, 'expected IN after NOT'],
  ])('%s is refused at position %d', (q, position, message) => {
    const e = errorOf(q);
    expect(e.position).toBe(position);
    expect(e.message).toContain(message);
    expect(e.message).toMatch(/^at position \d+: /);
  });

  it('limits nesting and length', () => {
    expect(errorOf(`${'('.repeat(40)}status = FAILED${')'.repeat(40)}`).message).toContain('nest deeper');
    expect(errorOf(`correlationId = "${'x'.repeat(5000)}"`).message).toContain('longer than');
  });

  it('knows the task fields too', () => {
    const task = resolverOf(taskFields, 'task');
    expect(parseQuery('taskType = charge AND status IN (FAILED, TIMED_OUT) AND taskRefName = pay', task)).toEqual({
      kind: 'and',
      items: [
        { kind: 'cmp', field: 'taskType', op: '=', value: 'charge' },
        { kind: 'in', field: 'status', values: ['FAILED', 'TIMED_OUT'], negate: false },
        { kind: 'cmp', field: 'referenceTaskName', op: '=', value: 'pay' },
      ],
    });
    expect(() => parseQuery('status = PAUSED', task)).toThrow(/status must be one of SCHEDULED/);
  });

  it('freeText: words, quoted phrases, * for all', () => {
    expect(parseFreeText(undefined)).toEqual([]);
    expect(parseFreeText('*')).toEqual([]);
    expect(parseFreeText(' ada  "new york" lov* ')).toEqual(['ada', 'new york', 'lov*']);
  });
});
