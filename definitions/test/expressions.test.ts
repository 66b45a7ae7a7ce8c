import { findReferences, resolveParameters, type ExpressionContext } from '../src';

const ctx: ExpressionContext = {
  workflow: {
    workflowId: 'wf-1',
    correlationId: null,
    input: {
      x: 'hello',
      n: 42,
      ok: true,
      order: {
        id: 'o-7',
        lines: [
          { sku: 'A', qty: 2 },
          { sku: 'B', qty: 1 },
        ],
      },
      'odd.key': 'dot',
    },
    variables: { counter: 3, tags: ['a', 'b'] },
  },
  tasks: {
    fetch: { input: { a: 1 }, output: { y: { z: 'deep' }, list: [{ id: 'first' }, { id: 'second' }], empty: null }, status: 'COMPLETED' },
    loop_step: { output: { i: 9 } },
    loop_step__2: { output: { i: 2 } },
    pending: undefined,
  },
  env: { CPEWF_TASK_ID: 't-1' },
};

describe('resolveParameters', () => {
  it.each<[string, unknown, unknown]>([
    // a string that is exactly one expression keeps the type of the value
    ['a string', '${workflow.input.x}', 'hello'],
    ['a number', '${workflow.input.n}', 42],
    ['a boolean', '${workflow.input.ok}', true],
    ['an object', '${workflow.input.order}', ctx.workflow.input && (ctx.workflow.input as { order: unknown }).order],
    ['a whole task output', '${fetch.output}', (ctx.tasks as Record<string, Record<string, unknown> | undefined>).fetch?.output],
    ['a nested path', '${fetch.output.y.z}', 'deep'],
    ['an array index', '${fetch.output.list[1].id}', 'second'],
    ['an index from the end', '${fetch.output.list[-1].id}', 'second'],
    ['a dotted index', '${fetch.output.list.0.id}', 'first'],
    ['a quoted key', "${workflow.input['odd.key']}", 'dot'],
    ['a task input', '${fetch.input.a}', 1],
    ['a task status', '${fetch.status}', 'COMPLETED'],
    ['a workflow field', '${workflow.workflowId}', 'wf-1'],
    ['a workflow variable', '${workflow.variables.counter}', 3],
    ['a variable list', '${workflow.variables.tags}', ['a', 'b']],
    ['a DO_WHILE iteration', '${loop_step__2.output.i}', 2],
    ['the latest iteration', '${loop_step.output.i}', 9],
    ['an env root', '${CPEWF_TASK_ID}', 't-1'],
    ['spaces inside the braces', '${ workflow.input.x }', 'hello'],
    // unresolvable paths give null, never an error
    ['a missing field', '${workflow.input.nope}', null],
    ['a path through a missing field', '${workflow.input.nope.deeper[0]}', null],
    ['a path through a string', '${workflow.input.x.length}', null],
    ['an index out of range', '${fetch.output.list[5]}', null],
    ['a null value', '${fetch.output.empty}', null],
    ['a task not run yet', '${pending.output.a}', null],
    ['an unknown root', '${ghost.output}', null],
    ['a prototype property', '${workflow.input.constructor}', null],
    ['an unsupported selector', '${fetch.output.list[*].id}', null],
    ['a blank expression', '${}', ''],
    // expressions inside text are interpolated
    ['text around a string', 'Hi ${workflow.input.x}!', 'Hi hello!'],
    ['several expressions', '${workflow.input.x}-${workflow.input.n}-${workflow.input.ok}', 'hello-42-true'],
    ['an object in text as JSON', 'lines=${workflow.input.order.lines}', 'lines=[{"sku":"A","qty":2},{"sku":"B","qty":1}]'],
    ['a missing value in text as nothing', 'id=${workflow.input.nope};', 'id=;'],
    ['null in text as nothing', '[${workflow.correlationId}]', '[]'],
    // escapes and text that only looks like an expression
    ['an escaped expression', '$${workflow.input.x}', '${workflow.input.x}'],
    ['an escape next to an expression', '$${a} ${workflow.input.x}', '${a} hello'],
    ['an unclosed expression', 'cost: ${workflow.input.n', 'cost: ${workflow.input.n'],
    ['a lone dollar', 'costs $5', 'costs $5'],
    ['a brace inside a quoted key', "${workflow.input['a}b']}", null],
    // non-strings pass through
    ['a number', 7, 7],
    ['null', null, null],
    ['false', false, false],
  ])('resolves %s', (_, params, expected) => {
    expect(resolveParameters(params, ctx)).toEqual(expected);
  });

  it('resolves objects and arrays recursively, leaving keys alone', () => {
    const params = {
      orderId: '${workflow.input.order.id}',
      '${workflow.input.x}': 'key stays',
      lines: ['${workflow.input.order.lines[0].sku}', { qty: '${workflow.input.order.lines[0].qty}' }, 5],
      nested: { deeper: { status: '${fetch.status}', literal: 'plain' } },
      nothing: '${fetch.output.missing}',
    };
    expect(resolveParameters(params, ctx)).toEqual({
      orderId: 'o-7',
      '${workflow.input.x}': 'key stays',
      lines: ['A', { qty: 2 }, 5],
      nested: { deeper: { status: 'COMPLETED', literal: 'plain' } },
      nothing: null,
    });
  });

  it('is pure: changing the result changes neither the parameters nor the context', () => {
    const params = { order: '${workflow.input.order}', list: ['${fetch.output.list}'] };
    const before = JSON.stringify({ params, ctx });
    const out = resolveParameters(params, ctx) as { order: { id: string }; list: Array<Array<{ id: string }>> };
    out.order.id = 'changed';
    (out.list[0] as Array<{ id: string }>)[0]!.id = 'changed';
    expect(JSON.stringify({ params, ctx })).toBe(before);
  });

  it('keeps a "__proto__" key as data', () => {
    const out = resolveParameters(JSON.parse('{"__proto__": {"polluted": "${workflow.input.x}"}}'), ctx) as object;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: 'hello' });
  });
});

describe('findReferences', () => {
  it('finds every expression with its pointer and root', () => {
    const value = {
      a: '${workflow.input.x}',
      b: ['plain', 'id ${fetch.output.list[0].id} and ${other.input}'],
      'c/d': { e: '${ step__2.output }' },
      f: '$${escaped.path}',
      g: '${}',
      h: 3,
      i: "${['odd name'].output}",
      j: '${bad..path}',
    };
    expect(findReferences(value, '/tasks/0/inputParameters')).toEqual([
      { pointer: '/tasks/0/inputParameters/a', expression: 'workflow.input.x', root: 'workflow' },
      { pointer: '/tasks/0/inputParameters/b/1', expression: 'fetch.output.list[0].id', root: 'fetch' },
      { pointer: '/tasks/0/inputParameters/b/1', expression: 'other.input', root: 'other' },
      { pointer: '/tasks/0/inputParameters/c~1d/e', expression: 'step__2.output', root: 'step__2' },
      { pointer: '/tasks/0/inputParameters/i', expression: "['odd name'].output", root: 'odd name' },
      { pointer: '/tasks/0/inputParameters/j', expression: 'bad..path', root: '' },
    ]);
  });

  it('reports a top-level string at the base pointer', () => {
    expect(findReferences('${workflow.input}')).toEqual([{ pointer: '', expression: 'workflow.input', root: 'workflow' }]);
  });
});
