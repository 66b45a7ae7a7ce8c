import { INT32_MAX, validateTaskDef, validateWorkflowDef } from '../src';

/** Every number in a definition is bounded: Conductor's int32 counts and seconds are the reference. */
describe('numeric bounds of definitions', () => {
  const taskFields = [
    'retryCount',
    'timeoutSeconds',
    'totalTimeoutSeconds',
    'retryDelaySeconds',
    'backoffScaleFactor',
    'maxRetryDelaySeconds',
    'backoffJitterMs',
    'responseTimeoutSeconds',
    'pollTimeoutSeconds',
    'concurrentExecLimit',
    'rateLimitPerFrequency',
    'rateLimitFrequencyInSeconds',
  ];

  it.each(taskFields)('task definition %s: 1e308 and int32 max + 1 are refused at the field, int32 max is taken', (field) => {
    for (const bad of [1e308, 1e18, INT32_MAX + 1]) {
      const v = validateTaskDef({ name: 't', [field]: bad });
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.problems).toContainEqual({ pointer: `/${field}`, message: `must be <= ${INT32_MAX}` });
    }
    // responseTimeoutSeconds must also fit inside timeoutSeconds: give a timeout of 0 (none).
    const ok = validateTaskDef({ name: 't', timeoutSeconds: 0, [field]: INT32_MAX });
    expect(ok.ok).toBe(true);
  });

  it('workflow definitions: version, timeoutSeconds, and each step retryCount, startDelay and sub-workflow version', () => {
    const wf = (over: Record<string, unknown>, task: Record<string, unknown> = {}) => ({
      name: 'w',
      tasks: [{ name: 'a', taskReferenceName: 'a', type: 'SIMPLE', taskDefinition: { name: 'a' }, ...task }],
      ...over,
    });
    const pointers = (v: ReturnType<typeof validateWorkflowDef>) => (v.ok ? [] : v.problems.map((p) => `${p.pointer} ${p.message}`));
    expect(pointers(validateWorkflowDef(wf({ timeoutSeconds: 1e308 })))).toEqual([`/timeoutSeconds must be <= ${INT32_MAX}`]);
    expect(pointers(validateWorkflowDef(wf({ version: 1e18 })))).toEqual([`/version must be <= ${INT32_MAX}`]);
    expect(pointers(validateWorkflowDef(wf({}, { retryCount: 1e308, startDelay: INT32_MAX + 1 })))).toEqual([
      `/tasks/0/retryCount must be <= ${INT32_MAX}`,
      `/tasks/0/startDelay must be <= ${INT32_MAX}`,
    ]);
    expect(pointers(validateWorkflowDef(wf({}, { taskDefinition: { name: 'a', retryCount: 1e308 } })))).toEqual([
      `/tasks/0/taskDefinition/retryCount must be <= ${INT32_MAX}`,
    ]);
    const sub = { name: 's', taskReferenceName: 's', type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'child', version: 1e308 } };
    expect(pointers(validateWorkflowDef({ name: 'w', tasks: [sub] }))).toEqual([
      `/tasks/0/subWorkflowParam/version must be <= ${INT32_MAX}`,
    ]);
    expect(validateWorkflowDef(wf({ timeoutSeconds: INT32_MAX, version: INT32_MAX })).ok).toBe(true);
  });
});
