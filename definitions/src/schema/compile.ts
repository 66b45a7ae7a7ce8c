import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { pointerOf, type Problem } from '../problem';
import { taskDefSchema } from './task-def.schema';
import { workflowDefSchema } from './workflow-def.schema';

/**
 * One Ajv instance for both schemas (the workflow schema refers to the task schema for inline
 * taskDefinition). allErrors so a client sees every problem in one answer; useDefaults "empty"
 * so that null or "" in a defaulted field means "use the default", as Conductor's Jackson-based
 * server effectively does. Validators are compiled on first use, not at import.
 */
let compiled: { taskDef: ValidateFunction; workflowDef: ValidateFunction } | undefined;

function validators(): { taskDef: ValidateFunction; workflowDef: ValidateFunction } {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ allErrors: true, useDefaults: 'empty', strict: true });
  addFormats(ajv, ['email']);
  ajv.addSchema(taskDefSchema);
  const taskDef = ajv.getSchema(taskDefSchema.$id);
  if (!taskDef) throw new Error('task definition schema failed to compile');
  compiled = { taskDef, workflowDef: ajv.compile(workflowDefSchema) };
  return compiled;
}

/** Validates `value` in place (defaults are written into it) and returns its problems. */
export function checkSchema(kind: 'taskDef' | 'workflowDef', value: unknown): Problem[] {
  const validate = validators()[kind];
  if (validate(value)) return [];
  return (validate.errors ?? []).map(toProblem);
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function toProblem(e: ErrorObject): Problem {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { pointer: pointerOf(e.instancePath, String(p.missingProperty)), message: 'is required' };
    case 'enum':
      return { pointer: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { pointer: e.instancePath, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'type': {
      const types = String(p.type).split(',');
      return { pointer: e.instancePath, message: `must be ${types.map(article).join(' or ')}` };
    }
    case 'minLength':
    case 'pattern':
      // Only names carry these (minLength 1, pattern \S): both mean "blank".
      return { pointer: e.instancePath, message: 'must not be empty' };
    case 'minItems':
      return { pointer: e.instancePath, message: `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'format':
      return {
        pointer: e.instancePath,
        message: p.format === 'email' ? 'must be a valid email address' : `must match format ${String(p.format)}`,
      };
    default:
      return { pointer: e.instancePath, message: e.message ?? `fails ${e.keyword}` };
  }
}
