import type { TaskDef } from '@baton/definitions';
import type { TaskRecord } from '../domain/records';
import type { ClaimRequest, Store } from '../store/port';
import { KeyedLock } from './keyed-lock';

export type Throttle = 'concurrentExecLimit' | 'rateLimitPerFrequency';

export interface ClaimOutcome {
  tasks: TaskRecord[];
  /** Set when a limit held claims back: which one, and when trying again makes sense (0: any time). */
  throttled?: { by: Throttle; retryAt: number };
}

/**
 * The claim path with a task type's flow control applied, across every engine on the store.
 *
 * concurrentExecLimit (at most L attempts of the type IN_PROGRESS): count, claim at most L - count,
 * then count again. Inside one engine, claims of one limited type are serialised, so the count
 * is exact. Between engines, two may count at once and both claim; the second count sees every
 * claim made before it, and an engine whose second count exceeds L gives back (releaseClaim)
 * as many of its fresh claims as the excess, before any worker sees them. So workers are never
 * handed more than L at a time; the race only costs a few give-backs (fewer than L for one
 * engine) and, at worst, a poll that hands out fewer than it could and is retried.
 *
 * rateLimitPerFrequency (at most N claims per window of rateLimitFrequencyInSeconds): windows
 * are fixed, aligned to multiples of their length on the engine clock, and counted in the store
 * (one counter per type, taken atomically), so the limit holds across engines; tokens taken but
 * not used are given back. Any span of one window's length sees at most 2N claims (the end of one
 * window and the start of the next); any span of k windows at most (k + 1) N.
 */
export class FlowControl {
  private readonly serial = new KeyedLock();

  constructor(private readonly store: Store) {}

  async claim(def: TaskDef | undefined, req: ClaimRequest): Promise<ClaimOutcome> {
    const limit = def?.concurrentExecLimit ?? 0;
    if (limit > 0) return this.serial.run(req.taskType, () => this.claimUnderConcurrency(def, limit, req));
    return this.claimUnderRate(def, req);
  }

  private async claimUnderConcurrency(def: TaskDef | undefined, limit: number, req: ClaimRequest): Promise<ClaimOutcome> {
    const free = limit - (await this.store.inProgressCount(req.taskType));
    if (free <= 0) return { tasks: [], throttled: { by: 'concurrentExecLimit', retryAt: 0 } };
    const out = await this.claimUnderRate(def, { ...req, count: Math.min(req.count, free) });
    if (out.tasks.length === 0) return out;
    const excess = (await this.store.inProgressCount(req.taskType)) - limit;
    if (excess <= 0) return out;
    // Another engine claimed at the same moment: give back the worst-ranked of ours.
    const keep = out.tasks.slice(0, Math.max(0, out.tasks.length - excess));
    for (const t of out.tasks.slice(keep.length)) await this.release(t, req.now);
    return { tasks: keep, throttled: { by: 'concurrentExecLimit', retryAt: 0 } };
  }

  private async claimUnderRate(def: TaskDef | undefined, req: ClaimRequest): Promise<ClaimOutcome> {
    const perWindow = def?.rateLimitPerFrequency ?? 0;
    if (perWindow <= 0) return { tasks: await this.store.claimTasks(req) };
    const windowMs = Math.max(1, def?.rateLimitFrequencyInSeconds ?? 1) * 1000;
    const windowStart = Math.floor(req.now / windowMs) * windowMs;
    const granted = await this.store.takeRateTokens(req.taskType, windowStart, perWindow, req.count);
    if (granted === 0) return { tasks: [], throttled: { by: 'rateLimitPerFrequency', retryAt: windowStart + windowMs } };
    const tasks = await this.store.claimTasks({ ...req, count: granted });
    if (tasks.length < granted) await this.store.returnRateTokens(req.taskType, windowStart, granted - tasks.length);
    return granted < req.count ? { tasks, throttled: { by: 'rateLimitPerFrequency', retryAt: windowStart + windowMs } } : { tasks };
  }

  /** Puts a claim no worker received back in the queue, as it was before the claim. */
  async release(t: TaskRecord, now: number): Promise<void> {
    if (!t.attemptToken) return;
    const firstClaim = t.pollCount <= 1;
    await this.store.releaseClaim(
      t.taskId,
      t.attemptToken,
      firstClaim
        ? { startTime: 0, timeoutAt: 0, deadlineAt: t.totalDeadlineAt }
        : { startTime: t.startTime, timeoutAt: t.timeoutAt, deadlineAt: t.deadlineAt },
      now,
    );
  }
}
