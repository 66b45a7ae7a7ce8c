import { isRecord, type JsonRecord } from '../json';
import { pointerOf, type Problem } from '../problem';
import { TaskType } from '../task-type';
import { eventTaskProblems, waitForEventProblems, waitForSignalProblems } from './event-rules';

/** What the type-specific rules need to know about the whole definition. */
export interface Scope {
  refs: ReadonlySet<string>;
  isKnownTaskDef?: (name: string) => boolean;
}

type Rule = (task: JsonRecord, pointer: string, scope: Scope) => Problem[];

const blank = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** A problem at `pointer/field` when the field is missing or empty. */
function required(task: JsonRecord, pointer: string, field: string, why: string): Problem[] {
  return blank(task[field]) ? [{ pointer: pointerOf(pointer, field), message: `is required ${why}` }] : [];
}

/** Each string of `task[field]` must be a taskReferenceName of this workflow. */
function knownRefs(task: JsonRecord, pointer: string, field: string, scope: Scope): Problem[] {
  const list = task[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((ref: unknown, i) =>
    typeof ref === 'string' && !scope.refs.has(ref)
      ? [{ pointer: pointerOf(pointer, field, i), message: `references unknown task '${ref}'` }]
      : [],
  );
}

/**
 * Rules that depend on a step's type: the fields without which the engine could not run it.
 * Types without an entry (WAIT, HUMAN, NOOP...) need nothing beyond the schema.
 */
const rules: Partial<Record<TaskType, Rule>> = {
  [TaskType.SIMPLE]: (task, pointer, scope) => {
    const { name } = task;
    if (!scope.isKnownTaskDef || isRecord(task.taskDefinition) || typeof name !== 'string' || blank(name)) return [];
    if (scope.isKnownTaskDef(name)) return [];
    return [
      {
        pointer: pointerOf(pointer, 'name'),
        message: `no task definition named '${name}' is registered; register it or add an inline taskDefinition`,
      },
    ];
  },
  [TaskType.SWITCH]: (task, pointer) => [
    ...required(task, pointer, 'evaluatorType', 'for SWITCH tasks (value-param, javascript or graaljs)'),
    ...required(task, pointer, 'expression', 'for SWITCH tasks'),
  ],
  [TaskType.DECISION]: (task, pointer) =>
    blank(task.caseValueParam) && blank(task.caseExpression)
      ? [{ pointer: pointerOf(pointer, 'caseValueParam'), message: 'is required for DECISION tasks (or caseExpression)' }]
      : [],
  [TaskType.DO_WHILE]: (task, pointer) => [
    // A loop over a list (Conductor's `items`, or Orkes' `_items` input) needs no condition.
    ...(blank(task.items) && !(isRecord(task.inputParameters) && !blank(task.inputParameters._items))
      ? required(task, pointer, 'loopCondition', 'for DO_WHILE tasks')
      : []),
    ...required(task, pointer, 'loopOver', 'for DO_WHILE tasks (the steps to repeat)'),
  ],
  [TaskType.FORK_JOIN]: (task, pointer) => required(task, pointer, 'forkTasks', 'for FORK_JOIN tasks (the parallel branches)'),
  [TaskType.FORK_JOIN_DYNAMIC]: (task, pointer) =>
    // Conductor's simpler form names the task to fork in the input (forkTaskName + forkTaskInputs).
    isRecord(task.inputParameters) && !blank(task.inputParameters.forkTaskInputs)
      ? []
      : required(task, pointer, 'dynamicForkTasksParam', 'for FORK_JOIN_DYNAMIC tasks'),
  [TaskType.JOIN]: (task, pointer, scope) => knownRefs(task, pointer, 'joinOn', scope),
  [TaskType.EXCLUSIVE_JOIN]: (task, pointer, scope) => [
    ...knownRefs(task, pointer, 'joinOn', scope),
    ...knownRefs(task, pointer, 'defaultExclusiveJoinTask', scope),
  ],
  [TaskType.SUB_WORKFLOW]: (task, pointer) => subWorkflowName(task, pointer, 'SUB_WORKFLOW'),
  [TaskType.START_WORKFLOW]: (task, pointer) => {
    // Conductor's form is inputParameters.startWorkflow { name, version, input, correlationId }.
    const params = isRecord(task.inputParameters) ? task.inputParameters : {};
    const start = params.startWorkflow;
    if (start === undefined) {
      if (isRecord(task.subWorkflowParam)) return subWorkflowName(task, pointer, 'START_WORKFLOW');
      return [
        {
          pointer: pointerOf(pointer, 'inputParameters', 'startWorkflow'),
          message: 'is required for START_WORKFLOW tasks ({ name, version?, input? })',
        },
      ];
    }
    // A string is an expression that yields the whole request at run time.
    if (typeof start === 'string' && !blank(start)) return [];
    if (!isRecord(start)) {
      const at = pointerOf(pointer, 'inputParameters', 'startWorkflow');
      return [{ pointer: at, message: 'must be an object { name, version?, input? }' }];
    }
    if (typeof start.name === 'string' && !blank(start.name)) return [];
    const at = pointerOf(pointer, 'inputParameters', 'startWorkflow', 'name');
    return [{ pointer: at, message: 'is required for START_WORKFLOW tasks' }];
  },
  [TaskType.DYNAMIC]: (task, pointer) => required(task, pointer, 'dynamicTaskNameParam', 'for DYNAMIC tasks'),
  [TaskType.WAIT_FOR_EVENT]: waitForEventProblems,
  [TaskType.WAIT_FOR_SIGNAL]: waitForSignalProblems,
  [TaskType.EVENT]: eventTaskProblems,
};

function subWorkflowName(task: JsonRecord, pointer: string, type: string): Problem[] {
  const params = isRecord(task.subWorkflowParam) ? task.subWorkflowParam : {};
  // With an inline definition, the definition's own name is used.
  if (!blank(params.name) || isRecord(params.workflowDefinition)) return [];
  return [{ pointer: pointerOf(pointer, 'subWorkflowParam', 'name'), message: `is required for ${type} tasks` }];
}

export function typeRuleProblems(task: JsonRecord, pointer: string, scope: Scope): Problem[] {
  const type = typeof task.type === 'string' ? task.type : TaskType.SIMPLE;
  const rule = rules[type as TaskType];
  return rule ? rule(task, pointer, scope) : [];
}
