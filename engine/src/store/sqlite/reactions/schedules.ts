import type Database from 'better-sqlite3';
import type { ScheduleExecution, ScheduleRecord } from '../../../domain/reactions';
import type { ScheduleExecutionFilter } from '../../reactions-port';

/**
 * Schedules and their executions: single statements on a primary key. Advancing a due time has
 * its own file (advance-schedule.ts).
 */
export class SqliteSchedules {
  constructor(private readonly db: Database.Database) {}

  putSchedule(s: ScheduleRecord): void {
    this.db
      .prepare(
        `INSERT INTO schedules (name, workflow_name, paused, next_run_time, doc) VALUES (@name, @workflowName, @paused, @next, @doc)
         ON CONFLICT(name) DO UPDATE SET workflow_name = excluded.workflow_name, paused = excluded.paused,
           next_run_time = excluded.next_run_time, doc = excluded.doc`,
      )
      .run({
        name: s.name,
        workflowName: s.startWorkflowRequest.name,
        paused: s.paused ? 1 : 0,
        next: s.nextRunTime,
        doc: JSON.stringify(s),
      });
  }

  getSchedule(name: string): ScheduleRecord | null {
    const row = this.db.prepare(`SELECT doc FROM schedules WHERE name = ?`).get(name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ScheduleRecord) : null;
  }

  listSchedules(workflowName: string | null): ScheduleRecord[] {
    const rows = (
      workflowName === null
        ? this.db.prepare(`SELECT doc FROM schedules ORDER BY name`).all()
        : this.db.prepare(`SELECT doc FROM schedules WHERE workflow_name = ? ORDER BY name`).all(workflowName)
    ) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as ScheduleRecord);
  }

  deleteSchedule(name: string): boolean {
    return this.db.prepare(`DELETE FROM schedules WHERE name = ?`).run(name).changes > 0;
  }

  dueSchedules(now: number, limit: number): ScheduleRecord[] {
    const rows = this.db
      .prepare(`SELECT doc FROM schedules WHERE paused = 0 AND next_run_time > 0 AND next_run_time <= ? ORDER BY next_run_time LIMIT ?`)
      .all(now, limit) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as ScheduleRecord);
  }

  setSchedulePaused(name: string, paused: boolean, reason: string | null, nextRunTime: number, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE schedules SET paused = @p, next_run_time = @next,
           doc = json_set(doc, '$.paused', json(@pj), '$.pausedReason', @reason, '$.nextRunTime', @next, '$.updatedTime', @now)
           WHERE name = @name`,
        )
        .run({ name, p: paused ? 1 : 0, pj: paused ? 'true' : 'false', reason, next: nextRunTime, now }).changes > 0
    );
  }

  putScheduleExecution(x: ScheduleExecution): void {
    this.db
      .prepare(
        `INSERT INTO schedule_executions (execution_id, schedule_name, workflow_name, state, scheduled_time, doc)
         VALUES (@executionId, @scheduleName, @workflowName, @state, @scheduledTime, @doc)
         ON CONFLICT(execution_id) DO UPDATE SET state = excluded.state, doc = excluded.doc`,
      )
      .run({ ...x, doc: JSON.stringify(x) });
  }

  searchScheduleExecutions(f: ScheduleExecutionFilter): { totalHits: number; results: ScheduleExecution[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    const inList = (col: string, values: string[] | undefined): void => {
      if (!values?.length) return;
      where.push(`${col} IN (${values.map(() => '?').join(',')})`);
      args.push(...values);
    };
    inList('schedule_name', f.scheduleNames);
    inList('workflow_name', f.workflowNames);
    inList('state', f.states);
    if (f.from !== undefined) {
      where.push('scheduled_time >= ?');
      args.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('scheduled_time <= ?');
      args.push(f.to);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM schedule_executions ${clause}`).get(...args) as { n: number };
    const rows = this.db
      .prepare(
        `SELECT doc FROM schedule_executions ${clause} ORDER BY scheduled_time ${f.desc === false ? 'ASC' : 'DESC'}, execution_id LIMIT ? OFFSET ?`,
      )
      .all(...args, f.size, f.start) as Array<{ doc: string }>;
    return { totalHits: n, results: rows.map((r) => JSON.parse(r.doc) as ScheduleExecution) };
  }
}
