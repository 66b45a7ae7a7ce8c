import { checkPayload, enforcedSchema, type TaskDef, type WorkflowTask } from '@baton/definitions';
import type { JsonObject } from '../domain/records';

/** Problems listed in a refused attempt's reason; all of them are in its output. */
const REASON_PROBLEMS = 5;

/**
 * A worker task's input against its definition's `inputSchema`, when the definition enforces it
 * (docs/typed-tasks.md). Pure: validators are compiled once per schema and cached by
 * @baton/definitions. Null when the input passes or nothing is enforced; otherwise the refused
 * attempt's reason and output (each problem's JSON pointer into the input).
 */
export function inputSchemaRefusal(
  wt: WorkflowTask,
  def: TaskDef | undefined,
  input: JsonObject,
): { reason: string; output: JsonObject } | null {
  if ((wt.type ?? 'SIMPLE') !== 'SIMPLE') return null;
  const schema = enforcedSchema(def, 'input');
  if (!schema) return null;
  const problems = checkPayload(schema, input);
  if (problems.length === 0) return null;
  const listed = problems.slice(0, REASON_PROBLEMS).map((p) => `${p.pointer || '/'} ${p.message}`);
  const more = problems.length > REASON_PROBLEMS ? `; and ${problems.length - REASON_PROBLEMS} more` : '';
  return {
    reason: `input does not match ${schema.name} v${schema.version}: ${listed.join('; ')}${more}`,
    output: { schemaErrors: problems.map((p) => ({ pointer: p.pointer, message: p.message })) },
  };
}
