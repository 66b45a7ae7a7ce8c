import type Database from 'better-sqlite3';
import type { DebounceRecord } from '../../../domain/reactions';

/**
 * Replaces the input of a run flow control holds. Atomic: one UPDATE whose WHERE clause requires
 * the run's flowWait (in its doc) to be set, so a run already let in keeps its input.
 */
/** Only while the run is held: its flowWait is in the workflow row's doc. */
export function setHeldInput(db: Database.Database, workflowId: string, input: DebounceRecord['input'], now: number): boolean {
  return (
    db
      .prepare(
        `UPDATE workflows SET input = @input, doc = json_set(doc, '$.updateTime', @now)
         WHERE workflow_id = @workflowId AND json_type(doc, '$.flowWait') = 'object'`,
      )
      .run({ workflowId, input: JSON.stringify(input), now }).changes > 0
  );
}
