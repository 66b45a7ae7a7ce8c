import { isRecord } from '../json';
import { pointerOf } from '../problem';
import { TaskType } from '../task-type';
import type { WorkflowDef } from '../types';
import { walkTasks } from './walk';

export interface UnregisteredTaskDef {
  /** JSON pointer of the step's `name`. */
  pointer: string;
  name: string;
}

/**
 * Worker (SIMPLE) steps whose task definition is not registered and not inline. Conductor accepts
 * them and runs them with its default policy (retryCount 3, retryDelaySeconds 60,
 * responseTimeoutSeconds 3600, timeoutPolicy TIME_OUT_WF); Baton does too, and reports them as
 * warnings, because a typo in a task name then shows up as a queue nobody polls.
 */
export function unregisteredTaskDefs(def: WorkflowDef, isKnownTaskDef: (name: string) => boolean): UnregisteredTaskDef[] {
  return walkTasks(def.tasks, '/tasks').flatMap(({ task, pointer }) => {
    const type = typeof task.type === 'string' ? task.type : TaskType.SIMPLE;
    const name = task.name;
    if (type !== TaskType.SIMPLE || typeof name !== 'string' || isRecord(task.taskDefinition) || isKnownTaskDef(name)) return [];
    return [{ pointer: pointerOf(pointer, 'name'), name }];
  });
}
