import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { isRecord } from '../json';
import { pointerOf, sortProblems, type Problem } from '../problem';
import type { SchemaDef } from '../types';

/**
 * JSON Schemas of task inputs and outputs (a task definition's `inputSchema.data` and
 * `outputSchema.data`): compiled once per schema (name, version and content) and kept, so a
 * schedule or a report costs one validation, not a compilation. Pure: no I/O, and `$ref`s are
 * resolved only inside the schema itself (nothing is fetched).
 *
 * Draft 2020-12 is the default; a schema that declares draft-07 (TypeBox's and most generators'
 * output) is compiled as draft-07. allErrors so a client sees every problem at once.
 */
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
const MAX_CACHED = 1000;

/**
 * The regular expression engine of `pattern` and `patternProperties`: JavaScript's by default
 * (browsers: the UI's editor), and RE2 in the engine (engine/src/runtime/schema-patterns.ts),
 * where inputs are checked in decisions on the event loop and a backtracking pattern such as
 * `^(a+)+$` on a long string would stall it.
 */
let regExpEngine: RegExpEngine | undefined;

/** Sets the engine of patterns for schemas compiled from now on; compiled schemas are dropped. */
export function usePatternEngine(engine: RegExpEngine): void {
  regExpEngine = engine;
  engines = undefined;
  byObject = new WeakMap();
  byContent.clear();
}

let engines: { draft2020: Ajv2020; draft07: Ajv } | undefined;

function ajvFor(data: Record<string, unknown>): Ajv {
  engines ??= {
    // strict off: user schemas carry annotations of their own (examples, x-... fields, TypeBox's).
    draft2020: addFormats(new Ajv2020({ allErrors: true, strict: false, ...(regExpEngine ? { code: { regExp: regExpEngine } } : {}) })),
    draft07: addFormats(new Ajv({ allErrors: true, strict: false, ...(regExpEngine ? { code: { regExp: regExpEngine } } : {}) })),
  };
  return typeof data.$schema === 'string' && DRAFT_07.test(data.$schema) ? engines.draft07 : engines.draft2020;
}

// By identity first (definitions held in caches keep their objects), then by content.
let byObject = new WeakMap<object, ValidateFunction>();
const byContent = new Map<string, ValidateFunction>();

/** The compiled validator of a schema, or the compiler's complaint. */
export function compilePayloadSchema(schema: SchemaDef): ValidateFunction | { error: string } {
  const data = schema.data;
  const held = byObject.get(data);
  if (held) return held;
  const key = `${schema.name}@${schema.version}\u0000${JSON.stringify(data)}`;
  let validate = byContent.get(key);
  if (!validate) {
    try {
      // $id is dropped: two versions of one schema must not collide in Ajv's registry of ids.
      const { $id: _id, ...body } = data;
      validate = ajvFor(data).compile(body);
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
    if (byContent.size >= MAX_CACHED) byContent.delete(byContent.keys().next().value as string);
    byContent.set(key, validate);
  }
  byObject.set(data, validate);
  return validate;
}

/**
 * Problems of an enforced SchemaDef (at `pointer`): Baton checks payloads against JSON Schemas it
 * is given, so it needs a name, a version, `type: "JSON"` and a `data` that compiles.
 */
export function enforcedSchemaProblems(schema: unknown, pointer: string): Problem[] {
  if (schema === undefined || schema === null || !isRecord(schema)) return [];
  const problems: Problem[] = [];
  const at = (field: string, message: string) => problems.push({ pointer: pointerOf(pointer, field), message });
  if (typeof schema.name !== 'string' || !/\S/.test(schema.name)) at('name', 'is required when enforceSchema is true');
  if (typeof schema.version !== 'number') at('version', 'is required when enforceSchema is true');
  if (schema.type !== 'JSON') at('type', 'must be JSON when enforceSchema is true (Baton enforces JSON Schemas)');
  if (!isRecord(schema.data)) {
    at('data', 'is required when enforceSchema is true: the JSON Schema itself (Baton keeps no schema registry)');
  } else if (problems.length === 0) {
    const compiled = compilePayloadSchema(schema as unknown as SchemaDef);
    if ('error' in compiled) at('data', `is not a valid JSON Schema: ${compiled.error}`);
  }
  return problems;
}

/**
 * Checks a payload against a schema; each problem's pointer is into the payload (RFC 6901), with
 * `base` in front. A schema that does not compile (it was valid when registered, so only a
 * stored definition edited by hand) is reported as a problem of the whole payload.
 */
export function checkPayload(schema: SchemaDef, value: unknown, base = ''): Problem[] {
  const validate = compilePayloadSchema(schema);
  if ('error' in validate) {
    return [{ pointer: base, message: `schema ${schema.name} v${schema.version} does not compile: ${validate.error}` }];
  }
  if (validate(value)) return [];
  return sortProblems((validate.errors ?? []).map((e) => payloadProblem(e, base)));
}

function payloadProblem(e: ErrorObject, base: string): Problem {
  const p = e.params as Record<string, unknown>;
  const at = base + e.instancePath;
  switch (e.keyword) {
    case 'required':
      return { pointer: pointerOf(at, String(p.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { pointer: pointerOf(at, String(p.additionalProperty)), message: 'is not allowed' };
    case 'enum':
      return { pointer: at, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { pointer: at, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** The schema a task definition enforces on one side, or undefined when it enforces none. */
export function enforcedSchema(
  def: { enforceSchema?: boolean; inputSchema?: SchemaDef; outputSchema?: SchemaDef } | undefined,
  side: 'input' | 'output',
): SchemaDef | undefined {
  if (def?.enforceSchema !== true) return undefined;
  const schema = side === 'input' ? def.inputSchema : def.outputSchema;
  // A stored definition is valid (a JSON schema with data); a missing data is never enforced.
  return schema && isRecord(schema.data) ? schema : undefined;
}
