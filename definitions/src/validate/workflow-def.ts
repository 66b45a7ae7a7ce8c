import { findReferences } from '../expressions/references';
import { parsePath } from '../expressions/path';
import { copyTree, isRecord, type JsonRecord } from '../json';
import { invalid, pointerOf, type Problem, type Validation } from '../problem';
import { checkSchema } from '../schema/compile';
import type { ValidateWorkflowOptions, WorkflowDef } from '../types';
import { absent, fitResponseTimeout, payloadSchemaProblems, timeoutProblems } from './task-def';
import { typeRuleProblems, type Scope } from './task-rules';
import { nestingProblems } from './guard';
import { walkTasks } from './walk';
import { workflowExtrasProblems } from './workflow-extras';

/**
 * Validates a workflow definition and returns a copy with defaults applied. Beyond the schema it
 * checks what makes a definition runnable: unique taskReferenceNames, expressions that name a
 * step that exists, the fields each task type needs, and (when `isKnownTaskDef` is given) that
 * worker tasks have a definition. Every problem is reported, sorted by pointer.
 */
export function validateWorkflowDef(input: unknown, opts: ValidateWorkflowOptions = {}): Validation<WorkflowDef> {
  const tooDeep = nestingProblems(input);
  if (tooDeep.length) return invalid(tooDeep);
  const def = copyTree(input);
  if (isRecord(def)) prepare(def);
  const problems = checkSchema('workflowDef', def);
  if (isRecord(def)) problems.push(...semanticProblems(def, '', opts));
  return problems.length ? invalid(problems) : { ok: true, value: def as unknown as WorkflowDef };
}

/** Fills what schema defaults cannot express, before the schema writes its own defaults. */
function prepare(def: JsonRecord): void {
  for (const { task } of walkTasks(def.tasks, '')) {
    const inline = task.taskDefinition;
    if (isRecord(inline)) {
      if (absent(inline.name) && typeof task.name === 'string') inline.name = task.name;
      fitResponseTimeout(inline);
    }
    const sub = isRecord(task.subWorkflowParam) ? task.subWorkflowParam.workflowDefinition : undefined;
    if (isRecord(sub)) prepare(sub);
  }
}

function semanticProblems(def: JsonRecord, pointer: string, opts: ValidateWorkflowOptions): Problem[] {
  const tasks = walkTasks(def.tasks, pointerOf(pointer, 'tasks'));
  const problems: Problem[] = [];

  const firstAt = new Map<string, string>();
  for (const { task, pointer: at } of tasks) {
    const ref = task.taskReferenceName;
    if (typeof ref !== 'string' || ref === '') continue;
    const first = firstAt.get(ref);
    if (first === undefined) {
      firstAt.set(ref, at);
      continue;
    }
    problems.push({ pointer: `${at}/taskReferenceName`, message: `duplicate taskReferenceName '${ref}' (first at ${first})` });
  }

  const scope: Scope = { refs: new Set(firstAt.keys()) };
  if (opts.isKnownTaskDef) scope.isKnownTaskDef = opts.isKnownTaskDef;
  const roots = new Set(['workflow', ...(opts.knownRoots ?? [])]);
  for (const { task, pointer: at } of tasks) {
    problems.push(...typeRuleProblems(task, at, scope));
    problems.push(...expressionProblems(task.inputParameters, `${at}/inputParameters`, scope.refs, roots));
    if (isRecord(task.taskDefinition)) {
      const inline = `${at}/taskDefinition`;
      problems.push(...timeoutProblems(task.taskDefinition, inline), ...payloadSchemaProblems(task.taskDefinition, inline));
    }
    const sub = isRecord(task.subWorkflowParam) ? task.subWorkflowParam.workflowDefinition : undefined;
    if (isRecord(sub)) problems.push(...semanticProblems(sub, `${at}/subWorkflowParam/workflowDefinition`, opts));
  }
  problems.push(...expressionProblems(def.outputParameters, pointerOf(pointer, 'outputParameters'), scope.refs, roots));
  problems.push(...workflowExtrasProblems(def, pointer));
  return problems;
}

/**
 * Expressions must start at `workflow`, a step of this workflow or a root the engine provides.
 * `ref__3` names iteration 3 of a step inside a DO_WHILE, so its base name counts.
 */
function expressionProblems(value: unknown, pointer: string, refs: ReadonlySet<string>, roots: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  for (const { pointer: at, expression, root } of findReferences(value, pointer)) {
    const parsed = parsePath(expression);
    if (!parsed.ok) {
      problems.push({ pointer: at, message: `\${${expression}} is not a valid expression: it ${parsed.error}` });
      continue;
    }
    const base = /^(.+)__\d+$/.exec(root)?.[1];
    if (roots.has(root) || refs.has(root) || (base !== undefined && refs.has(base))) continue;
    problems.push({ pointer: at, message: `references unknown task '${root}' in \${${expression}}` });
  }
  return problems;
}
