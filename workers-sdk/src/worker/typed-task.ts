// Typed tasks: a handler declared with TypeBox schemas gets its input and output types from them,
// the worker checks both sides against them, and the schemas go to the server as the task
// definition's inputSchema and outputSchema (docs/typed-tasks.md).
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { BatonError, ErrorCode, TerminalError } from '../errors';
import type { JsonObject, TaskDefLike } from '../protocol/types';
import { InProgressOutcome } from './outcome';
import type { TaskContext, TaskHandler } from './task-context';

/** TypeBox emits draft-07 JSON Schema; the server compiles it as such when told. */
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Conductor's SchemaDef, as a task definition carries it. */
export interface SchemaDef {
  name: string;
  version: number;
  type: 'JSON';
  data: JsonObject;
}

export interface TypedTaskRegistration<I extends TSchema, O extends TSchema> {
  taskType: string;
  /** Most tasks of this type run at once in this worker. Default 1. */
  concurrency?: number;
  /** TypeBox schema of the input; the handler's input type is inferred from it. */
  inputSchema: I;
  /** TypeBox schema of the output (an object: it becomes the task's outputData). */
  outputSchema: O;
  /** Version of both schemas in the task definition. Default 1. */
  schemaVersion?: number;
  /** Whether the server enforces the schemas (refuses bad inputs and outputs). Default true. */
  enforceSchema?: boolean;
  /**
   * What `start()` does with the task definition: by default (or with fields) it creates the
   * definition when missing, using the fields as its policy, or sets the schemas on the existing
   * one and leaves its policy alone. `false`: the worker registers nothing.
   */
  taskDef?: false | Omit<TaskDefLike, 'name'>;
  handler: TaskHandler<Static<I>, Static<O>>;
}

/** A worker's or server's refusal of a payload that does not match its schema; `problems` name each JSON pointer. */
export class SchemaMismatchError extends BatonError {
  readonly code = ErrorCode.SCHEMA_MISMATCH;
  readonly retryable = false;

  constructor(
    readonly side: 'input' | 'output',
    readonly problems: ReadonlyArray<{ pointer: string; message: string }>,
    schemaName: string,
  ) {
    super(`${side} does not match ${schemaName}: ${describe(problems)}`);
  }
}

const LISTED = 5;

function describe(problems: ReadonlyArray<{ pointer: string; message: string }>): string {
  const listed = problems.slice(0, LISTED).map((p) => `${p.pointer || '/'} ${p.message}`);
  return listed.join('; ') + (problems.length > LISTED ? `; and ${problems.length - LISTED} more` : '');
}

export function isTypedRegistration(value: object): value is TypedTaskRegistration<TSchema, TSchema> {
  return 'inputSchema' in value || 'outputSchema' in value;
}

export const schemaNames = (taskType: string) => ({ input: `${taskType}_input`, output: `${taskType}_output` });

/** The JSON Schema of a TypeBox schema, as the server stores it (TypeBox's own markers are symbols and drop out). */
function jsonSchemaOf(schema: TSchema): JsonObject {
  return { $schema: DRAFT_07, ...(JSON.parse(JSON.stringify(schema)) as JsonObject) };
}

/** The schema fields of the task definition of a typed registration. */
export function schemaFieldsOf(
  r: TypedTaskRegistration<TSchema, TSchema>,
): Pick<TaskDefLike, 'inputSchema' | 'outputSchema' | 'enforceSchema'> {
  const version = r.schemaVersion ?? 1;
  const names = schemaNames(r.taskType);
  return {
    inputSchema: { name: names.input, version, type: 'JSON', data: jsonSchemaOf(r.inputSchema) },
    outputSchema: { name: names.output, version, type: 'JSON', data: jsonSchemaOf(r.outputSchema) },
    enforceSchema: r.enforceSchema ?? true,
  };
}

/**
 * The task definition a typed registration stands for: its policy fields (`taskDef`) and its
 * schemas. For registering it yourself (BatonClient.registerTaskDefs) with `taskDef: false`.
 */
export function taskDefOf(r: TypedTaskRegistration<TSchema, TSchema>): TaskDefLike {
  return { ...(r.taskDef || {}), name: r.taskType, ...schemaFieldsOf(r) };
}

/**
 * The handler wrapped in both checks, compiled once. An input that does not match fails the
 * attempt for good (a retry would get the same input); an output that does not match fails it
 * (FAILED: retried per the task definition, since a handler may answer differently next time).
 */
export function checkedHandler(r: TypedTaskRegistration<TSchema, TSchema>): (input: JsonObject, ctx: TaskContext) => Promise<unknown> {
  const input = TypeCompiler.Compile(r.inputSchema);
  const output = TypeCompiler.Compile(r.outputSchema);
  const names = schemaNames(r.taskType);
  const version = r.schemaVersion ?? 1;
  return async (value, ctx) => {
    if (!input.Check(value)) {
      const mismatch = new SchemaMismatchError('input', problemsOf(input.Errors(value)), `${names.input} v${version}`);
      throw new TerminalError(mismatch.message, { cause: mismatch, output: { schemaErrors: [...mismatch.problems] } });
    }
    const result: unknown = await r.handler(value, ctx);
    if (result instanceof InProgressOutcome || output.Check(result)) return result;
    throw new SchemaMismatchError('output', problemsOf(output.Errors(result)), `${names.output} v${version}`);
  };
}

function problemsOf(errors: Iterable<{ path: string; message: string }>): Array<{ pointer: string; message: string }> {
  const out: Array<{ pointer: string; message: string }> = [];
  for (const e of errors) out.push({ pointer: e.path, message: e.message });
  return out;
}
