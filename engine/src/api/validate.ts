import Ajv, { type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import { ValidationError, type FieldProblem } from '../errors';

/** Request-body validation with ajv; every problem is reported with its JSON pointer. */
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });

export function compile<T>(schema: JSONSchemaType<T> | object): ValidateFunction<T> {
  return ajv.compile<T>(schema as JSONSchemaType<T>);
}

export function problemsOf(errors: ErrorObject[] | null | undefined, base = ''): FieldProblem[] {
  return (errors ?? []).map((e) => {
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { pointer: `${base}${e.instancePath}/${missing}`, message: 'is required' };
    }
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { pointer: `${base}${e.instancePath}/${extra}`, message: 'is not allowed' };
    }
    if (e.keyword === 'enum') {
      return {
        pointer: `${base}${e.instancePath}`,
        message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`,
      };
    }
    return { pointer: `${base}${e.instancePath}`, message: e.message ?? 'is invalid' };
  });
}

export function check<T>(validate: ValidateFunction<T>, value: unknown, what: string): T {
  if (validate(value)) return value;
  const problems = problemsOf(validate.errors);
  throw new ValidationError(`${what} is invalid: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`, problems);
}
