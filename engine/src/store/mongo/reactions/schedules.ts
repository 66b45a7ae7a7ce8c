import type { ScheduleExecution, ScheduleRecord } from '../../../domain/reactions';
import type { ScheduleExecutionFilter } from '../../reactions-port';
import type { ExecutionDoc, ReactionCollections, ScheduleDoc } from './collections';

/**
 * Schedules and their executions: one document each, by name and by execution id. Writes are
 * single-document replaces, deletes and conditional updates; advancing a due time has its own
 * file (advance-schedule.ts).
 */
const toDoc = (s: ScheduleRecord): ScheduleDoc => ({
  _id: s.name,
  workflowName: s.startWorkflowRequest.name,
  paused: s.paused,
  nextRunTime: s.nextRunTime,
  json: JSON.stringify(s),
});

export const scheduleOf = (d: ScheduleDoc): ScheduleRecord => ({
  ...(JSON.parse(d.json) as ScheduleRecord),
  paused: d.paused,
  nextRunTime: d.nextRunTime,
});

export async function putSchedule(c: ReactionCollections, s: ScheduleRecord): Promise<void> {
  await c.schedules.replaceOne({ _id: s.name }, toDoc(s), { upsert: true });
}

export async function getSchedule(c: ReactionCollections, name: string): Promise<ScheduleRecord | null> {
  const d = await c.schedules.findOne({ _id: name });
  return d ? scheduleOf(d) : null;
}

export async function listSchedules(c: ReactionCollections, workflowName: string | null): Promise<ScheduleRecord[]> {
  const docs = await c.schedules
    .find(workflowName === null ? {} : { workflowName })
    .sort({ _id: 1 })
    .toArray();
  return docs.map(scheduleOf);
}

export async function deleteSchedule(c: ReactionCollections, name: string): Promise<boolean> {
  return (await c.schedules.deleteOne({ _id: name })).deletedCount === 1;
}

export async function dueSchedules(c: ReactionCollections, now: number, limit: number): Promise<ScheduleRecord[]> {
  const docs = await c.schedules
    .find({ paused: false, nextRunTime: { $gt: 0, $lte: now } })
    .sort({ nextRunTime: 1 })
    .limit(limit)
    .toArray();
  return docs.map(scheduleOf);
}

/** The paused flag and the next due time are fields of their own; the JSON keeps the rest. */
export async function setSchedulePaused(
  c: ReactionCollections,
  name: string,
  paused: boolean,
  reason: string | null,
  nextRunTime: number,
  now: number,
): Promise<boolean> {
  const d = await c.schedules.findOne({ _id: name });
  if (!d) return false;
  const s: ScheduleRecord = { ...scheduleOf(d), paused, nextRunTime, updatedTime: now };
  if (reason) s.pausedReason = reason;
  else delete s.pausedReason;
  // Fenced on the JSON read, so a concurrent update of the schedule is not overwritten.
  const r = await c.schedules.updateOne({ _id: name, json: d.json }, { $set: toDoc(s) });
  return r.matchedCount === 1 || (await setSchedulePaused(c, name, paused, reason, nextRunTime, now));
}

export async function putScheduleExecution(c: ReactionCollections, x: ScheduleExecution): Promise<void> {
  const { executionId, startWorkflowRequest, ...rest } = x;
  await c.executions.replaceOne({ _id: executionId }, { ...rest, requestJson: JSON.stringify(startWorkflowRequest) }, { upsert: true });
}

const executionOf = (d: ExecutionDoc): ScheduleExecution => {
  const { _id, requestJson, ...rest } = d;
  return { ...rest, executionId: _id, startWorkflowRequest: JSON.parse(requestJson) as ScheduleExecution['startWorkflowRequest'] };
};

export async function searchScheduleExecutions(
  c: ReactionCollections,
  f: ScheduleExecutionFilter,
): Promise<{ totalHits: number; results: ScheduleExecution[] }> {
  const filter: Record<string, unknown> = {};
  if (f.scheduleNames?.length) filter.scheduleName = { $in: f.scheduleNames };
  if (f.workflowNames?.length) filter.workflowName = { $in: f.workflowNames };
  if (f.states?.length) filter.state = { $in: f.states };
  if (f.from !== undefined || f.to !== undefined) {
    filter.scheduledTime = { ...(f.from !== undefined ? { $gte: f.from } : {}), ...(f.to !== undefined ? { $lte: f.to } : {}) };
  }
  const dir = f.desc === false ? 1 : -1;
  const [totalHits, docs] = await Promise.all([
    c.executions.countDocuments(filter),
    c.executions.find(filter).sort({ scheduledTime: dir, _id: 1 }).skip(f.start).limit(f.size).toArray(),
  ]);
  return { totalHits, results: docs.map(executionOf) };
}
