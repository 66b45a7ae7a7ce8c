import { eventNameOfSink, parseDuration, validateWorkflowDef } from '../src';

const wf = (tasks: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'w', tasks, ...extra });
const problems = (def: unknown) => {
  const v = validateWorkflowDef(def);
  return v.ok ? [] : v.problems;
};

describe('definitions of steps and fields that react to the world', () => {
  it('checks WAIT_FOR_EVENT and WAIT_FOR_SIGNAL: a name, a literal timeout that parses, a string match', () => {
    expect(
      problems(
        wf([{ name: 'a', taskReferenceName: 'a', type: 'WAIT_FOR_EVENT', inputParameters: { event: 'x', match: 'true', timeout: '1m' } }]),
      ),
    ).toEqual([]);
    expect(
      problems(wf([{ name: 'a', taskReferenceName: 'a', type: 'WAIT_FOR_EVENT', inputParameters: { timeout: '${workflow.input.t}' } }])),
    ).toEqual([{ pointer: '/tasks/0/inputParameters/event', message: 'is required for WAIT_FOR_EVENT tasks' }]);
    expect(
      problems(wf([{ name: 'a', taskReferenceName: 'a', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'go', timeout: 'never' } }])),
    ).toEqual([{ pointer: '/tasks/0/inputParameters/timeout', message: expect.stringMatching(/must be a duration/) }]);
    expect(
      problems(wf([{ name: 'a', taskReferenceName: 'a', type: 'WAIT_FOR_EVENT', inputParameters: { event: 'x', match: 1 } }]))[0]?.pointer,
    ).toBe('/tasks/0/inputParameters/match');
  });

  it('checks EVENT sinks: conductor or conductor:<name> only', () => {
    expect(problems(wf([{ name: 'e', taskReferenceName: 'e', type: 'EVENT', sink: 'conductor:orders' }]))).toEqual([]);
    expect(problems(wf([{ name: 'e', taskReferenceName: 'e', type: 'EVENT', sink: 'conductor' }]))).toEqual([]);
    expect(problems(wf([{ name: 'e', taskReferenceName: 'e', type: 'EVENT' }]))).toEqual([
      { pointer: '/tasks/0/sink', message: expect.stringMatching(/is required/) },
    ]);
    expect(problems(wf([{ name: 'e', taskReferenceName: 'e', type: 'EVENT', sink: 'kafka:topic' }]))[0]?.message).toMatch(
      /conductor:<event name>/,
    );
    expect(eventNameOfSink('conductor:a:b', 'w', 'r')).toBe('a:b');
    expect(eventNameOfSink('conductor', 'w', 'r')).toBe('w:r');
    expect(eventNameOfSink('conductor:', 'w', 'r')).toBeNull();
  });

  it('checks queries and flow control: names, limits, periods, keys that read only the workflow', () => {
    const ok = wf([{ name: 'a', taskReferenceName: 'a' }], {
      queries: { status: '.status' },
      flowControl: {
        concurrency: [{ key: '${workflow.input.c}', limit: 2 }],
        debounce: { key: 'k-${workflow.input.u}', period: '5s' },
        rateLimit: { key: '${workflow.correlationId}', limit: 10, period: 60 },
      },
    });
    expect(problems(ok)).toEqual([]);
    expect(
      problems(
        wf([{ name: 'a', taskReferenceName: 'a' }], {
          queries: { 'a/b': '.' },
          flowControl: { concurrency: [{ key: '${a.output.x}', limit: 0 }], rateLimit: { key: 'k', limit: 1, period: 'soon' }, burst: 3 },
        }),
      ),
    ).toEqual([
      { pointer: '/flowControl', message: 'must NOT have additional properties' },
      { pointer: '/flowControl/concurrency/0/key', message: expect.stringMatching(/can only read/) },
      { pointer: '/flowControl/concurrency/0/limit', message: 'must be >= 1' },
      { pointer: '/flowControl/rateLimit/period', message: expect.stringMatching(/at least 1s/) },
      { pointer: '/queries/a~1b', message: expect.stringMatching(/query names/) },
    ]);
    expect(parseDuration('2 days')).toBe(172_800_000);
  });
});
