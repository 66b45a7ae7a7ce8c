// Pure pieces, table-driven: outcome mapping, retry decisions, lease timing, option checks.
import { hostname } from 'node:os';
import { ConfigError, HttpError, NetworkError, RequestTimeoutError, TerminalError, inProgress } from '../src';
import type { Task } from '../src';
import { compileWorkerOptions } from '../src/options';
import { isRetryable, RetryMode } from '../src/http/retry-policy';
import { LeaseKeeper, leaseExtensionIntervalMs } from '../src/worker/lease-keeper';
import { outcomeOfError, outcomeOfReturn, toTaskResult } from '../src/worker/outcome';
import { ReportOutcome } from '../src/worker/task-protocol';
import { silentLogger } from '../src/logger';

const task: Task = {
  taskId: 't1',
  workflowInstanceId: 'w1',
  taskType: 'x',
  referenceTaskName: 'x_ref',
  inputData: {},
  retryCount: 0,
  pollCount: 1,
  responseTimeoutSeconds: 10,
  callbackAfterSeconds: 0,
  attemptToken: 'token-1',
};

describe('outcome of a handler', () => {
  class Money {
    constructor(readonly cents: number) {}
  }
  it.each([
    ['a plain object', { a: 1 }, { a: 1 }],
    ['an object without prototype', Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 }],
    ['undefined', undefined, {}],
    ['null', null, {}],
    ['a number', 42, { result: 42 }],
    ['a string', 'ok', { result: 'ok' }],
    ['an array', [1, 2], { result: [1, 2] }],
    ['a class instance', new Money(5), { result: new Money(5) }],
  ])('returning %s completes with the expected outputData', (_label, value, outputData) => {
    expect(outcomeOfReturn(value)).toEqual({ status: 'COMPLETED', outputData });
  });

  it.each([
    ['an Error', new Error('boom'), 'FAILED', 'boom'],
    ['an Error without message', new RangeError(''), 'FAILED', 'RangeError'],
    ['a string', 'oops', 'FAILED', 'non-error thrown: oops'],
    ['a TerminalError', new TerminalError('never'), 'FAILED_WITH_TERMINAL_ERROR', 'never'],
  ])('throwing %s gives the expected status and reason', (_label, error, status, reason) => {
    expect(outcomeOfError(error)).toMatchObject({ status, reasonForIncompletion: reason });
  });

  it('maps inProgress() and rounds callbackAfterSeconds up', () => {
    expect(outcomeOfReturn(inProgress({ callbackAfterSeconds: 1.2 }))).toEqual({
      status: 'IN_PROGRESS',
      outputData: {},
      callbackAfterSeconds: 2,
    });
    expect(() => inProgress({ callbackAfterSeconds: -1 })).toThrow(RangeError);
  });

  it('builds a TaskResult with the attempt token and the stack in the logs', () => {
    const result = toTaskResult(task, 'worker-1', outcomeOfError(new Error('boom')), 1_000);
    expect(result).toMatchObject({
      taskId: 't1',
      workflowInstanceId: 'w1',
      workerId: 'worker-1',
      attemptToken: 'token-1',
      status: 'FAILED',
    });
    expect(result.logs?.[0]).toMatchObject({ taskId: 't1', createdTime: 1_000 });
    expect(result.logs?.[0]?.log).toContain('Error: boom');
  });

  it('leaves the attempt token out when the server sent none (Conductor)', () => {
    expect(toTaskResult({ ...task, attemptToken: '' }, 'w', outcomeOfReturn({}), 0)).not.toHaveProperty('attemptToken');
  });

  it('fails the task when the output cannot be sent as JSON', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const result = toTaskResult(task, 'w', outcomeOfReturn({ big: 1n, circular }), 0);
    expect(result.status).toBe('FAILED');
    expect(result.outputData).toEqual({});
    expect(result.reasonForIncompletion).toMatch(/cannot be sent as JSON/);
  });
});

describe('retry decisions', () => {
  const http = (status: number, retryable?: boolean) =>
    new HttpError('POST', '/x', status, retryable === undefined ? undefined : { retryable }, '');
  it.each([
    ['503', true, http(503), RetryMode.IDEMPOTENT],
    ['500', true, http(500), RetryMode.IDEMPOTENT],
    ['429', true, http(429), RetryMode.IDEMPOTENT],
    ['503 saying retryable:false', false, http(503, false), RetryMode.IDEMPOTENT],
    ['400', false, http(400), RetryMode.IDEMPOTENT],
    ['409', false, http(409), RetryMode.IDEMPOTENT],
    ['404', false, http(404), RetryMode.IDEMPOTENT],
    ['network error', true, new NetworkError('reset', true), RetryMode.IDEMPOTENT],
    ['timeout', true, new RequestTimeoutError('GET', '/x', 10), RetryMode.IDEMPOTENT],
    ['503 on a non-idempotent call', true, http(503), RetryMode.IF_NOT_PROCESSED],
    ['500 on a non-idempotent call', false, http(500), RetryMode.IF_NOT_PROCESSED],
    ['refused connection on a non-idempotent call', true, new NetworkError('refused', false), RetryMode.IF_NOT_PROCESSED],
    ['reset connection on a non-idempotent call', false, new NetworkError('reset', true), RetryMode.IF_NOT_PROCESSED],
    ['timeout on a non-idempotent call', false, new RequestTimeoutError('POST', '/x', 10), RetryMode.IF_NOT_PROCESSED],
    ['503 on a poll', false, http(503), RetryMode.NEVER],
    ['a programming error', false, new TypeError('x is undefined'), RetryMode.IDEMPOTENT],
  ])('%s -> retried: %p', (_label, expected, error, mode) => {
    expect(isRetryable(error, mode)).toBe(expected);
  });
});

describe('lease extension', () => {
  it.each([
    [0, undefined],
    [1, 1_000],
    [2, 1_000],
    [3, 1_500],
    [60, 30_000],
  ])('responseTimeoutSeconds %p -> every %p ms', (seconds, interval) => {
    expect(leaseExtensionIntervalMs(seconds)).toBe(interval);
  });

  describe('LeaseKeeper', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('extends every interval until stopped', async () => {
      const extend = jest.fn(async () => ReportOutcome.ACCEPTED);
      const keeper = new LeaseKeeper({ taskId: 't1', intervalMs: 1_000, extend, onLost: jest.fn(), logger: silentLogger });
      keeper.start();
      await jest.advanceTimersByTimeAsync(999);
      expect(extend).toHaveBeenCalledTimes(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(extend).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(2_000);
      expect(extend).toHaveBeenCalledTimes(3);
      keeper.stop();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(extend).toHaveBeenCalledTimes(3);
    });

    it('keeps going after a failed extension and stops for good once the lease is lost', async () => {
      const outcomes = [Promise.reject(new NetworkError('reset', true)), Promise.resolve(ReportOutcome.STALE)];
      outcomes[0]?.catch(() => {});
      const extend = jest.fn(() => outcomes.shift() ?? Promise.resolve(ReportOutcome.ACCEPTED));
      const onLost = jest.fn();
      const keeper = new LeaseKeeper({ taskId: 't1', intervalMs: 1_000, extend, onLost, logger: silentLogger });
      keeper.start();
      await jest.advanceTimersByTimeAsync(2_000);
      expect(extend).toHaveBeenCalledTimes(2);
      expect(onLost).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(extend).toHaveBeenCalledTimes(2);
    });
  });
});

describe('options', () => {
  it.each([
    ['a server URL that is not a URL', { serverUrl: 'localhost:8080x' }],
    ['a non-http server URL', { serverUrl: 'ftp://host' }],
    ['a negative poll timeout', { serverUrl: 'http://h', pollTimeoutMs: -1 }],
    ['a fractional request timeout', { serverUrl: 'http://h', requestTimeoutMs: 1.5 }],
    ['an empty worker id', { serverUrl: 'http://h', workerId: ' ' }],
    ['a backoff cap below its start', { serverUrl: 'http://h', pollErrorBackoff: { initialMs: 500, maxMs: 100 } }],
  ])('rejects %s', (_label, options) => {
    expect(() => compileWorkerOptions(options)).toThrow(ConfigError);
  });

  it('applies defaults and strips the trailing slash', () => {
    const compiled = compileWorkerOptions({ serverUrl: 'http://127.0.0.1:8080/' });
    expect(compiled).toMatchObject({ serverUrl: 'http://127.0.0.1:8080', pollTimeoutMs: 1_000, requestTimeoutMs: 10_000 });
    expect(compiled.workerId).toBe(`${hostname()}-${process.pid}`);
    expect(Object.isFrozen(compiled)).toBe(true);
  });
});
