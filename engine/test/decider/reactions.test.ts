import { eventTaskEventId, WAIT_CHECK_MS, waitTimeoutMs } from '../../src/decider/operators/reactions';
import { DeciderHarness, simple } from '../helpers/decider-harness';

/** WAIT_FOR_EVENT, WAIT_FOR_SIGNAL and EVENT in the pure decider: what they record, never what they do. */
describe('WAIT_FOR_EVENT, WAIT_FOR_SIGNAL and EVENT in the decider', () => {
  it.each([
    ['WAIT_FOR_EVENT', { event: 'payments', match: 'event.data.id === 1', timeout: '1m' }, 60_000],
    ['WAIT_FOR_SIGNAL', { signal: 'go', timeout: '2s' }, 2000],
    ['WAIT_FOR_EVENT', { event: 'payments' }, 0],
    ['WAIT_FOR_SIGNAL', { signal: 'go', timeout: '1h' }, 3_600_000],
  ])('%s %j is held IN_PROGRESS, not queued, its first timer the earlier of its timeout and the safety check', (type, params, timeout) => {
    const h = new DeciderHarness({
      name: 'w',
      tasks: [{ name: 'wait', taskReferenceName: 'wait', type, inputParameters: params }, simple('next')],
    });
    const t = h.open('wait');
    const check = h.now + WAIT_CHECK_MS;
    expect(t).toMatchObject({
      status: 'IN_PROGRESS',
      queued: false,
      taskType: type,
      inputData: params,
      wakeAt: timeout > 0 ? Math.min(h.now + timeout, check) : check,
    });
    expect(h.scheduledRefs()).toEqual(['wait']);
    h.complete('wait', { timedOut: true });
    expect(h.scheduledRefs()).toEqual(['next']);
  });

  it.each([
    ['WAIT_FOR_EVENT', { event: 'e', match: '${workflow.input.num}' }, /match must be a JavaScript expression/],
    ['WAIT_FOR_EVENT', { event: '${workflow.input.missing}' }, /needs inputParameters.event/],
    ['WAIT_FOR_SIGNAL', { signal: '${workflow.input.empty}' }, /needs inputParameters.signal/],
    ['WAIT_FOR_SIGNAL', { signal: 'go', timeout: '${workflow.input.t}' }, /invalid timeout 'soon'/],
  ])('%s with %j fails the workflow for good, saying why', (type, params, reason) => {
    const h = new DeciderHarness(
      { name: 'w', tasks: [{ name: 'wait', taskReferenceName: 'wait', type, inputParameters: params }] },
      { t: 'soon', num: 42, empty: '' },
    );
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(reason);
    expect(h.task('wait')).toMatchObject({ status: 'FAILED_WITH_TERMINAL_ERROR' });
  });

  it('an optional wait that fails lets the flow go on', () => {
    const h = new DeciderHarness({
      name: 'w',
      tasks: [
        { name: 'wait', taskReferenceName: 'wait', type: 'WAIT_FOR_SIGNAL', optional: true, inputParameters: { signal: 'go' } },
        simple('next'),
      ],
    });
    h.report('wait', 'FAILED', {}, 'cancelled');
    expect(h.scheduledRefs()).toEqual(['next']);
  });

  it('EVENT records the event it will publish: its name from the sink, an id derived from the attempt', () => {
    const h = new DeciderHarness(
      {
        name: 'notify',
        tasks: [
          {
            name: 'emit',
            taskReferenceName: 'emit',
            type: 'EVENT',
            sink: 'conductor:orders',
            inputParameters: { id: '${workflow.input.id}' },
          },
          simple('next'),
        ],
      },
      { id: 7 },
    );
    const t = h.open('emit');
    expect(t).toMatchObject({ status: 'IN_PROGRESS', queued: false, inputData: { id: 7 }, wakeAt: h.now + WAIT_CHECK_MS });
    expect(t.outputData).toEqual({
      event_produced: 'conductor:orders',
      sink: 'conductor:orders',
      eventName: 'orders',
      eventId: eventTaskEventId(t.taskId, h.wf.startTime),
    });
    h.complete('emit', t.outputData);
    expect(h.scheduledRefs()).toEqual(['next']);

    const bare = new DeciderHarness({
      name: 'notify',
      tasks: [{ name: 'emit', taskReferenceName: 'emit', type: 'EVENT', sink: 'conductor' }],
    });
    expect(bare.open('emit').outputData.eventName).toBe('notify:emit');
  });

  it('parses timeouts as durations and refuses the rest', () => {
    expect(waitTimeoutMs({ timeout: '1m 30s' })).toBe(90_000);
    expect(waitTimeoutMs({ timeout: 5 })).toBe(5000);
    expect(waitTimeoutMs({})).toBe(0);
    expect(waitTimeoutMs({ timeout: '0s' })).toEqual({ error: expect.stringMatching(/invalid timeout/) });
    expect(eventTaskEventId('a', 1)).toBe(eventTaskEventId('a', 1));
    expect(eventTaskEventId('a', 1)).not.toBe(eventTaskEventId('b', 1));
    expect(eventTaskEventId('a', 1)).not.toBe(eventTaskEventId('a', 2));
  });
});
