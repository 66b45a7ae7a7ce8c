import { isRecord, type JsonRecord } from '../json';
import { pointerOf } from '../problem';

export interface VisitedTask {
  task: JsonRecord;
  pointer: string;
}

/**
 * Every step of a workflow in document order, nested ones included (SWITCH/DECISION branches,
 * FORK_JOIN branches, DO_WHILE bodies), with its JSON pointer. Works on unvalidated data: parts of
 * the wrong shape are skipped (the schema reports them). An inline sub-workflow definition is a
 * workflow of its own and is not entered.
 */
export function walkTasks(tasks: unknown, pointer: string): VisitedTask[] {
  const out: VisitedTask[] = [];
  visitList(tasks, pointer, out);
  return out;
}

function visitList(list: unknown, pointer: string, out: VisitedTask[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((task: unknown, i) => {
    if (isRecord(task)) visitTask(task, pointerOf(pointer, i), out);
  });
}

function visitTask(task: JsonRecord, pointer: string, out: VisitedTask[]): void {
  out.push({ task, pointer });
  if (isRecord(task.decisionCases)) {
    for (const [key, branch] of Object.entries(task.decisionCases)) {
      visitList(branch, pointerOf(pointer, 'decisionCases', key), out);
    }
  }
  visitList(task.defaultCase, pointerOf(pointer, 'defaultCase'), out);
  if (Array.isArray(task.forkTasks)) {
    task.forkTasks.forEach((branch: unknown, i) => visitList(branch, pointerOf(pointer, 'forkTasks', i), out));
  }
  visitList(task.loopOver, pointerOf(pointer, 'loopOver'), out);
}
