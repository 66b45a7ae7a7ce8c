import type { ScheduleRecord } from '../../../domain/reactions';
import type { JsonObject } from '../../../domain/records';
import { ValidationError, type FieldProblem } from '../../../errors';
import { compileCron, CronError, nextAfter } from './cron';

const NAME = /^[A-Za-z0-9_.-]{1,200}$/;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Conductor's WorkflowSchedule fields a client sends (the rest are the engine's). */
export interface ScheduleInput {
  name: string;
  cronExpression: string;
  zoneId?: string | null;
  startWorkflowRequest: JsonObject & { name: string };
  paused?: boolean | null;
  pausedReason?: string | null;
  runCatchupScheduleInstances?: boolean | null;
  scheduleStartTime?: number | null;
  scheduleEndTime?: number | null;
  description?: string | null;
}

/**
 * A schedule as stored, from what a client sent (already checked against the wire schema) and the
 * stored one it replaces: the cron expression and zone are compiled (a bad one is a 400 naming
 * the field), the bounds checked, and the next due time computed from now (or from
 * scheduleStartTime, when later). Creation time and author are kept across updates.
 */
export function scheduleRecordOf(input: ScheduleInput, existing: ScheduleRecord | null, now: number, user: string): ScheduleRecord {
  const problems: FieldProblem[] = [];
  if (!NAME.test(input.name)) problems.push({ pointer: '/name', message: 'must be 1-200 letters, digits, dots, dashes or underscores' });
  const zoneId = input.zoneId?.trim() || 'UTC';
  const start = input.scheduleStartTime ?? 0;
  const end = input.scheduleEndTime ?? 0;
  if (end > 0 && end <= start) problems.push({ pointer: '/scheduleEndTime', message: 'must be after scheduleStartTime' });
  if (
    !isObject(input.startWorkflowRequest) ||
    typeof input.startWorkflowRequest.name !== 'string' ||
    input.startWorkflowRequest.name.trim() === ''
  ) {
    problems.push({ pointer: '/startWorkflowRequest/name', message: 'is required: the workflow to start' });
  }
  let next = 0;
  try {
    const cron = compileCron(input.cronExpression, zoneId);
    next = nextAfter(cron, Math.max(now, start - 1), end);
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    problems.push({ pointer: /time zone/.test(err.message) ? '/zoneId' : '/cronExpression', message: err.message });
  }
  if (problems.length)
    throw new ValidationError(`schedule is invalid: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`, problems);
  const paused = input.paused === true;
  return {
    name: input.name,
    cronExpression: input.cronExpression.trim(),
    zoneId,
    startWorkflowRequest: input.startWorkflowRequest,
    paused,
    ...(paused && input.pausedReason ? { pausedReason: input.pausedReason } : {}),
    runCatchupScheduleInstances: input.runCatchupScheduleInstances === true,
    ...(start ? { scheduleStartTime: start } : {}),
    ...(end ? { scheduleEndTime: end } : {}),
    ...(input.description ? { description: input.description } : {}),
    createTime: existing?.createTime ?? now,
    updatedTime: now,
    createdBy: existing?.createdBy ?? user,
    updatedBy: user,
    nextRunTime: next,
  };
}
