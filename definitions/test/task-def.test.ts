import { validateTaskDef, validateTaskDefs, type Problem } from '../src';

const pointers = (problems: Problem[]) => problems.map((p) => p.pointer);

describe('validateTaskDef', () => {
  it('fills Conductor defaults into a copy', () => {
    const input = { name: 'charge_card' };
    const v = validateTaskDef(input);
    expect(v).toEqual({
      ok: true,
      value: {
        name: 'charge_card',
        retryCount: 3,
        timeoutSeconds: 0,
        totalTimeoutSeconds: 0,
        timeoutPolicy: 'TIME_OUT_WF',
        retryLogic: 'FIXED',
        retryDelaySeconds: 60,
        backoffScaleFactor: 1,
        maxRetryDelaySeconds: 0,
        backoffJitterMs: 0,
        responseTimeoutSeconds: 3600,
        pollTimeoutSeconds: 0,
        concurrentExecLimit: 0,
        rateLimitPerFrequency: 0,
        rateLimitFrequencyInSeconds: 1,
      },
    });
    expect(input).toEqual({ name: 'charge_card' });
  });

  it('keeps given values and unknown fields Conductor clients send', () => {
    const v = validateTaskDef({ name: 'a', retryCount: 0, retryLogic: 'LINEAR_BACKOFF', createTime: 1700000000000, ownerApp: 'x' });
    expect(v.ok && v.value).toMatchObject({ retryCount: 0, retryLogic: 'LINEAR_BACKOFF', createTime: 1700000000000, ownerApp: 'x' });
  });

  it('treats null and "" in a defaulted field as absent', () => {
    const v = validateTaskDef({ name: 'a', retryCount: null, timeoutPolicy: '' });
    expect(v.ok && v.value).toMatchObject({ retryCount: 3, timeoutPolicy: 'TIME_OUT_WF' });
  });

  it.each([
    [60, 60],
    [7200, 3600],
    [0, 3600],
  ])('defaults responseTimeoutSeconds to fit timeoutSeconds %i (-> %i)', (timeoutSeconds, expected) => {
    const v = validateTaskDef({ name: 'a', timeoutSeconds });
    expect(v.ok && v.value.responseTimeoutSeconds).toBe(expected);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['missing name', {}, '/name', 'is required'],
    ['blank name', { name: '  ' }, '/name', 'must not be empty'],
    ['name not a string', { name: 3 }, '/name', 'must be a string'],
    ['negative retryCount', { name: 'a', retryCount: -1 }, '/retryCount', 'must be >= 0'],
    ['fractional retryCount', { name: 'a', retryCount: 1.5 }, '/retryCount', 'must be an integer'],
    ['unknown timeoutPolicy', { name: 'a', timeoutPolicy: 'NEVER' }, '/timeoutPolicy', 'must be one of RETRY, TIME_OUT_WF, ALERT_ONLY'],
    ['unknown retryLogic', { name: 'a', retryLogic: 'RANDOM' }, '/retryLogic', 'must be one of FIXED, EXPONENTIAL_BACKOFF, LINEAR_BACKOFF'],
    ['backoffScaleFactor 0', { name: 'a', backoffScaleFactor: 0 }, '/backoffScaleFactor', 'must be >= 1'],
    ['responseTimeoutSeconds 0', { name: 'a', responseTimeoutSeconds: 0 }, '/responseTimeoutSeconds', 'must be >= 1'],
    ['rateLimitFrequencyInSeconds 0', { name: 'a', rateLimitFrequencyInSeconds: 0 }, '/rateLimitFrequencyInSeconds', 'must be >= 1'],
    ['inputKeys not strings', { name: 'a', inputKeys: ['x', 2] }, '/inputKeys/1', 'must be a string'],
    ['inputTemplate not an object', { name: 'a', inputTemplate: [] }, '/inputTemplate', 'must be an object'],
    ['bad ownerEmail', { name: 'a', ownerEmail: 'nobody' }, '/ownerEmail', 'must be a valid email address'],
    [
      'response timeout beyond timeout',
      { name: 'a', timeoutSeconds: 10, responseTimeoutSeconds: 30 },
      '/responseTimeoutSeconds',
      'must be <= timeoutSeconds (10), or timeoutSeconds must be 0 (no limit)',
    ],
  ])('reports %s', (_, input, pointer, message) => {
    const v = validateTaskDef(input);
    expect(v).toEqual({ ok: false, problems: [{ pointer, message }] });
  });

  it('lists every problem, sorted by pointer', () => {
    const v = validateTaskDef({ retryCount: -1, timeoutPolicy: 'X', concurrentExecLimit: 'lots' });
    expect(!v.ok && pointers(v.problems)).toEqual(['/concurrentExecLimit', '/name', '/retryCount', '/timeoutPolicy']);
  });

  it('rejects a document that is not an object', () => {
    expect(validateTaskDef([])).toEqual({ ok: false, problems: [{ pointer: '', message: 'must be an object' }] });
  });
});

describe('validateTaskDefs', () => {
  it('validates every item and prefixes pointers with its index', () => {
    const v = validateTaskDefs([{ name: 'a' }, { name: 'b', retryCount: -2 }, { retryCount: 'x' }]);
    expect(v).toEqual({
      ok: false,
      problems: [
        { pointer: '/1/retryCount', message: 'must be >= 0' },
        { pointer: '/2/name', message: 'is required' },
        { pointer: '/2/retryCount', message: 'must be an integer' },
      ],
    });
  });

  it('returns copies with defaults', () => {
    const v = validateTaskDefs([{ name: 'a' }, { name: 'b', retryCount: 0 }]);
    expect(v.ok && v.value.map((d) => [d.name, d.retryCount])).toEqual([
      ['a', 3],
      ['b', 0],
    ]);
  });

  it.each<[string, unknown, Array<{ pointer: string; message: string }>]>([
    ['not an array', { name: 'a' }, [{ pointer: '', message: 'must be an array of task definitions' }]],
    ['empty', [], [{ pointer: '', message: 'must have at least 1 item' }]],
    ['a duplicate name', [{ name: 'a' }, { name: 'a' }], [{ pointer: '/1/name', message: "duplicate name 'a' (first at /0)" }]],
  ])('reports %s', (_, input, problems) => {
    expect(validateTaskDefs(input)).toEqual({ ok: false, problems });
  });
});
