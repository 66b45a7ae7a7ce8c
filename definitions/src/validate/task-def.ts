import { copyTree, isRecord, type JsonRecord } from '../json';
import { invalid, pointerOf, type Problem, type Validation } from '../problem';
import { checkSchema } from '../schema/compile';
import { enforcedSchemaProblems } from '../schema/payload-schema';
import { DEFAULT_RESPONSE_TIMEOUT_SECONDS } from '../schema/task-def.schema';
import type { TaskDef } from '../types';
import { nestingProblems } from './guard';

/** Validates one task definition and returns a copy with defaults applied. */
export function validateTaskDef(input: unknown): Validation<TaskDef> {
  const tooDeep = nestingProblems(input);
  if (tooDeep.length) return invalid(tooDeep);
  const def = copyTree(input);
  const problems = checkTaskDef(def, '');
  return problems.length ? invalid(problems) : { ok: true, value: def as TaskDef };
}

/** Validates the array body of POST /api/metadata/taskdefs; pointers start with the item index. */
export function validateTaskDefs(input: unknown): Validation<TaskDef[]> {
  if (!Array.isArray(input)) return invalid([{ pointer: '', message: 'must be an array of task definitions' }]);
  if (input.length === 0) return invalid([{ pointer: '', message: 'must have at least 1 item' }]);
  const tooDeep = nestingProblems(input);
  if (tooDeep.length) return invalid(tooDeep);
  const defs = copyTree(input as unknown[]);
  const problems: Problem[] = [];
  const firstByName = new Map<string, number>();
  defs.forEach((def, i) => {
    problems.push(...checkTaskDef(def, `/${i}`));
    if (!isRecord(def) || typeof def.name !== 'string') return;
    const first = firstByName.get(def.name);
    // Two definitions of one name in one request would leave the result to ordering.
    if (first === undefined) firstByName.set(def.name, i);
    else problems.push({ pointer: `/${i}/name`, message: `duplicate name '${def.name}' (first at /${first})` });
  });
  return problems.length ? invalid(problems) : { ok: true, value: defs as TaskDef[] };
}

/** Schema and semantic checks of a task definition at `pointer`; writes defaults into `def`. */
export function checkTaskDef(def: unknown, pointer: string): Problem[] {
  if (isRecord(def)) fitResponseTimeout(def);
  const problems = checkSchema('taskDef', def).map((p) => ({ ...p, pointer: pointer + p.pointer }));
  if (isRecord(def)) problems.push(...timeoutProblems(def, pointer), ...payloadSchemaProblems(def, pointer));
  return problems;
}

export const absent = (v: unknown): boolean => v === undefined || v === null || v === '';

/**
 * Conductor rejects `{ timeoutSeconds: 60 }` because responseTimeoutSeconds then defaults to 3600,
 * which exceeds it: a surprise for nearly everyone who writes a timeout. When the response timeout
 * is not given, Baton defaults it to min(3600, timeoutSeconds) instead. Explicit values that
 * contradict each other are still reported.
 */
export function fitResponseTimeout(def: JsonRecord): void {
  const timeout = def.timeoutSeconds;
  if (!absent(def.responseTimeoutSeconds)) return;
  if (typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 && timeout < DEFAULT_RESPONSE_TIMEOUT_SECONDS) {
    def.responseTimeoutSeconds = timeout;
  }
}

/** responseTimeoutSeconds must fit inside timeoutSeconds when the latter is a limit. */
export function timeoutProblems(def: JsonRecord, pointer: string): Problem[] {
  const { timeoutSeconds: timeout, responseTimeoutSeconds: response } = def;
  if (typeof timeout !== 'number' || typeof response !== 'number' || timeout <= 0 || response <= timeout) return [];
  return [
    {
      pointer: pointerOf(pointer, 'responseTimeoutSeconds'),
      message: `must be <= timeoutSeconds (${timeout}), or timeoutSeconds must be 0 (no limit)`,
    },
  ];
}

/**
 * Enforced schemas must be JSON Schemas Baton can run (type JSON, a `data` that compiles). Without
 * enforceSchema they are documentation and any SchemaDef is kept, as Conductor keeps it.
 */
export function payloadSchemaProblems(def: JsonRecord, pointer: string): Problem[] {
  if (def.enforceSchema !== true) return [];
  return [
    ...enforcedSchemaProblems(def.inputSchema, pointerOf(pointer, 'inputSchema')),
    ...enforcedSchemaProblems(def.outputSchema, pointerOf(pointer, 'outputSchema')),
  ];
}
