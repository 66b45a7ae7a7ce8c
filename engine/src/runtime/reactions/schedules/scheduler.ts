import type { ScheduleRecord } from '../../../domain/reactions';
import type { JsonObject } from '../../../domain/records';
import { BatonError, NotFoundError, ValidationError } from '../../../errors';
import type { Engine } from '../../engine';
import { scheduleWorkflowId } from '../ids';
import { compileCron, nextAfter } from './cron';
import { scheduleRecordOf, type ScheduleInput } from './model';

/**
 * Due times older than this when the scheduler gets to them were missed (the engines were down):
 * they are skipped unless the schedule asks for runCatchupScheduleInstances. Younger ones are only
 * late (a sweep interval, a restart) and fire.
 */
export const MISFIRE_GRACE_MS = 60_000;
/** Due times one schedule fires in one sweep pass at most (catch-up runs over several passes). */
const FIRES_PER_PASS = 50;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Schedules (Conductor's `/api/scheduler`): each due time of each schedule starts its workflow
 * exactly once, across engines and restarts. A schedule stores its next due time T. The sweeper
 * of every engine finds schedules due and, for each, starts the workflow with an id derived from
 * (schedule, T) (a repeat is a no-op: Store.createWorkflow refuses an existing id), records the
 * execution under the same id, and only then moves T on with a compare-and-set from T. A crash
 * before the move repeats the start, which does nothing; of engines racing, one moves T. So every
 * due time is passed once and its workflow exists once.
 */
export class Scheduler {
  constructor(private readonly engine: Engine) {}

  async put(input: ScheduleInput, user: string): Promise<ScheduleRecord> {
    const existing = await this.engine.store.getSchedule(input.name);
    const record = scheduleRecordOf(input, existing, this.engine.clock.now(), user);
    const req = record.startWorkflowRequest;
    const def = await this.engine.store.getWorkflowDef(req.name, typeof req.version === 'number' ? req.version : undefined);
    if (!def) {
      throw new ValidationError(`startWorkflowRequest names workflow '${req.name}', which is not registered`, [
        { pointer: '/startWorkflowRequest/name', message: 'names no registered workflow definition' },
      ]);
    }
    await this.engine.store.putSchedule(record);
    return record;
  }

  async get(name: string): Promise<ScheduleRecord> {
    const s = await this.engine.store.getSchedule(name);
    if (!s) throw new NotFoundError(`schedule '${name}' not found`);
    return s;
  }

  /** Pauses (due times pass unfired) or resumes (from the next due time after now: a pause is not caught up). */
  async setPaused(name: string, paused: boolean, reason: string | null): Promise<void> {
    const s = await this.get(name);
    const now = this.engine.clock.now();
    const next = paused
      ? s.nextRunTime
      : nextAfter(compileCron(s.cronExpression, s.zoneId), Math.max(now, (s.scheduleStartTime ?? 0) - 1), s.scheduleEndTime);
    if (!(await this.engine.store.setSchedulePaused(name, paused, paused ? reason : null, next, now)))
      throw new NotFoundError(`schedule '${name}' not found`);
  }

  /** The sweeper: fires what is due. Answers how many due times it passed. */
  async sweep(now: number, batch: number): Promise<number> {
    let acted = 0;
    for (const s of await this.engine.store.dueSchedules(now, batch)) {
      try {
        acted += await this.fireDue(s, now);
      } catch (err) {
        this.engine.log.warn({ err, schedule: s.name }, 'schedule not fired yet; the next sweep retries');
      }
    }
    return acted;
  }

  private async fireDue(s: ScheduleRecord, now: number): Promise<number> {
    const cron = compileCron(s.cronExpression, s.zoneId);
    let due = s.nextRunTime;
    let fired = 0;
    while (due > 0 && due <= now && fired < FIRES_PER_PASS) {
      if (!s.runCatchupScheduleInstances && due < now - MISFIRE_GRACE_MS) {
        // Missed: skip to the first due time still within the grace (or the next one to come).
        const next = nextAfter(cron, now - MISFIRE_GRACE_MS - 1, s.scheduleEndTime);
        if (!(await this.engine.store.advanceSchedule(s.name, due, next))) return fired;
        this.engine.log.info(
          { schedule: s.name, missedFrom: due, resumesAt: next },
          'schedule missed due times (runCatchupScheduleInstances is off): skipped',
        );
        due = next;
        continue;
      }
      await this.fire(s, due, now);
      fired++;
      const next = nextAfter(cron, due, s.scheduleEndTime);
      if (!(await this.engine.store.advanceSchedule(s.name, due, next))) return fired;
      due = next;
    }
    return fired;
  }

  /** Starts the due time's workflow (once: its id is derived from the schedule and the due time) and records the execution. */
  private async fire(s: ScheduleRecord, due: number, now: number): Promise<void> {
    const req = s.startWorkflowRequest;
    const executionId = scheduleWorkflowId(s.name, due);
    const base = {
      executionId,
      scheduleName: s.name,
      scheduledTime: due,
      executionTime: now,
      workflowName: req.name,
      workflowId: null,
      reason: null,
      startWorkflowRequest: req,
      zoneId: s.zoneId,
    };
    await this.engine.store.putScheduleExecution({ ...base, state: 'POLLED' });
    try {
      const workflowId = await this.engine.startWorkflow({
        name: req.name,
        ...(typeof req.version === 'number' ? { version: req.version } : {}),
        // Conductor's scheduler tells the run when it was due and when it ran.
        input: { ...(isObject(req.input) ? req.input : {}), _scheduledTime: due, _executedTime: now },
        correlationId: typeof req.correlationId === 'string' ? req.correlationId : null,
        ...(typeof req.priority === 'number' ? { priority: req.priority } : {}),
        workflowId: executionId,
        ifExists: 'return',
        foldable: true,
      });
      await this.engine.store.putScheduleExecution({ ...base, workflowId, state: 'EXECUTED' });
    } catch (err) {
      // A start that can never succeed is recorded and the due time passes; a transient one is retried.
      if (!(err instanceof BatonError) || err.retryable) throw err;
      await this.engine.store.putScheduleExecution({ ...base, state: 'FAILED', reason: err.message });
      this.engine.log.warn({ schedule: s.name, due, reason: err.message }, 'scheduled start failed');
    }
  }
}
