import type { Response } from 'express';
import { unregisteredTaskDefs, type WorkflowDef } from '@baton/definitions';
import type { Logger } from 'pino';
import type { Engine } from '../runtime/engine';

/** Conductor's policy for a worker task without a registered definition (decider/retry-policy.ts holds the same numbers). */
const DEFAULT_POLICY = 'retryCount 3, retryDelaySeconds 60, responseTimeoutSeconds 3600, timeoutPolicy TIME_OUT_WF';

/**
 * Accepted-but-suspicious parts of workflow definitions: today, SIMPLE steps whose task
 * definition is not registered. They are accepted, as Conductor does, and reported in the answer
 * (one `Warning: 299` header each, RFC 9111's "miscellaneous persistent warning") and in the log.
 */
export function definitionWarnings(engine: Engine, defs: WorkflowDef[]): string[] {
  const known = (name: string): boolean => engine.taskDefs.get(name) !== undefined;
  return defs.flatMap((def, i) =>
    unregisteredTaskDefs(def, known).map(
      (u) =>
        `${defs.length > 1 ? `/${i}` : ''}${u.pointer}: no task definition named '${u.name}' is registered; ` +
        `the task runs with the default policy (${DEFAULT_POLICY}) until one is`,
    ),
  );
}

export function sendWarnings(res: Response, log: Logger, warnings: string[]): void {
  if (warnings.length === 0) return;
  log.warn({ warnings }, 'workflow definition accepted with warnings');
  // Header values are ASCII without control characters; JSON quoting escapes the quotes.
  const values = warnings.slice(0, 20).map((w) => `299 baton ${JSON.stringify(w.replace(/[^\x20-\x7e]/g, '?'))}`);
  res.setHeader('Warning', values);
}
