import { childWorkflowIdFor } from '../../src/decider/operators/sub-workflow';
import { dueTimeOf, parseDuration, parseUntil } from '../../src/decider/operators/wait';
import { DeciderHarness, simple } from '../helpers/decider-harness';

describe('WAIT durations and dates', () => {
  it.each([
    ['2s', 2000],
    ['10m20s', 620_000],
    ['1h 5m', 3_900_000],
    ['1 day', 86_400_000],
    ['3 days 2 hours', 266_400_000],
    ['90', 90_000],
    [' 5 mins ', 300_000],
    ['500ms', 500],
  ])('duration %j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['soon', '', '5 fortnights', '1h five', 's'])('duration %j is invalid', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it.each([
    ['2026-11-23 14:00 UTC', Date.UTC(2026, 10, 23, 14, 0)],
    ['2026-11-23 14:00', Date.UTC(2026, 10, 23, 14, 0)],
    ['2026-11-23', Date.UTC(2026, 10, 23)],
    ['2026-11-23T14:00:30Z', Date.UTC(2026, 10, 23, 14, 0, 30)],
    ['2026-11-23T15:00:00+01:00', Date.UTC(2026, 10, 23, 14, 0)],
  ])('until %j is %d', (text, at) => {
    expect(parseUntil(text)).toBe(at);
  });

  it('refuses both duration and until, and answers 0 (no timer) for neither', () => {
    expect(dueTimeOf({ duration: '1s', until: '2026-01-01' }, 0)).toEqual({ error: expect.stringMatching(/not both/) });
    expect(dueTimeOf({}, 5)).toEqual({ at: 0 });
    expect(dueTimeOf({ duration: '1s' }, 5)).toEqual({ at: 1005 });
    // Past Conductor's int32 seconds a deadline would overflow to Infinity and park the step for ever.
    expect(dueTimeOf({ duration: 1e308 }, 5)).toEqual({ error: expect.stringMatching(/longer than 2147483647 seconds/) });
    expect(dueTimeOf({ duration: '99999999999 days' }, 5)).toEqual({ error: expect.stringMatching(/longer than/) });
  });
});

describe('system task operators in the decider', () => {
  it('WAIT is held IN_PROGRESS with its timer, not queued; completing it lets the flow go on', () => {
    const h = new DeciderHarness({
      name: 'w',
      tasks: [{ name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: '30s' } }, simple('next')],
    });
    const t = h.open('pause');
    expect(t).toMatchObject({ status: 'IN_PROGRESS', queued: false, wakeAt: h.now + 30_000, taskType: 'WAIT' });
    h.complete('pause');
    expect(h.scheduledRefs()).toEqual(['next']);
  });

  it('an optional HUMAN step failed over REST lets the flow go on', () => {
    const h = new DeciderHarness({
      name: 'w',
      tasks: [{ name: 'review', taskReferenceName: 'review', type: 'HUMAN', optional: true }, simple('next')],
    });
    expect(h.open('review')).toMatchObject({ status: 'IN_PROGRESS', queued: false, wakeAt: 0 });
    h.report('review', 'FAILED', {}, 'rejected');
    expect(h.scheduledRefs()).toEqual(['next']);
  });

  it('SUB_WORKFLOW is held with the deterministic child id of its attempt and a re-check timer', () => {
    const h = new DeciderHarness(
      {
        name: 'w',
        tasks: [
          {
            name: 'sub',
            taskReferenceName: 'sub',
            type: 'SUB_WORKFLOW',
            subWorkflowParam: { name: 'child', version: 2 },
            inputParameters: { a: '${workflow.input.a}' },
          },
        ],
      },
      { a: 1 },
    );
    const t = h.open('sub');
    expect(t).toMatchObject({
      status: 'IN_PROGRESS',
      queued: false,
      outputData: { subWorkflowId: childWorkflowIdFor(t.taskId) },
      inputData: { subWorkflowName: 'child', subWorkflowVersion: 2, workflowInput: { a: 1 } },
    });
    expect(t.wakeAt).toBeGreaterThan(h.now);
    h.report('sub', 'FAILED', {}, 'child failed');
    expect(h.wf.status).toBe('FAILED');
  });

  it('HTTP and JSON_JQ_TRANSFORM go to the engine internal queues', () => {
    const h = new DeciderHarness({
      name: 'w',
      tasks: [
        { name: 'call', taskReferenceName: 'call', type: 'HTTP', inputParameters: { http_request: { uri: 'http://x' } } },
        { name: 'jq', taskReferenceName: 'jq', type: 'JSON_JQ_TRANSFORM', inputParameters: { queryExpression: '.' } },
      ],
    });
    expect(h.open('call')).toMatchObject({ taskType: 'HTTP', status: 'SCHEDULED', queued: true });
    h.complete('call', { response: { statusCode: 200 } });
    expect(h.open('jq')).toMatchObject({ taskType: 'JSON_JQ_TRANSFORM', queued: true });
  });
});
