import { checkPayload, compilePayloadSchema, usePatternEngine, validateTaskDef, type SchemaDef } from '../src';

const schema = (data: Record<string, unknown>, version = 1): SchemaDef => ({ name: 's', version, type: 'JSON', data });

describe('payload schemas (inputSchema / outputSchema data)', () => {
  it('answers each problem with a JSON pointer into the payload, under a base', () => {
    const s = schema({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'integer' }, list: { type: 'array', items: { enum: ['x', 'y'] } }, 'we/ird~': { type: 'string' } },
      additionalProperties: false,
    });
    expect(checkPayload(s, { a: 1 })).toEqual([]);
    expect(checkPayload(s, { list: ['x', 'z'], 'we/ird~': 3, extra: true }, '/outputData')).toEqual([
      { pointer: '/outputData/a', message: 'is required' },
      { pointer: '/outputData/extra', message: 'is not allowed' },
      { pointer: '/outputData/list/1', message: 'must be one of "x", "y"' },
      { pointer: '/outputData/we~1ird~0', message: 'must be string' },
    ]);
  });

  it('compiles a schema once per name, version and content', () => {
    const a = schema({ type: 'object', properties: { n: { type: 'number' } } });
    const first = compilePayloadSchema(a);
    expect(compilePayloadSchema(a)).toBe(first);
    // Same content in another object (a definition read again from the store): still compiled once.
    expect(compilePayloadSchema(JSON.parse(JSON.stringify(a)) as SchemaDef)).toBe(first);
    // A new version or new content is another validator.
    expect(compilePayloadSchema({ ...a, version: 2, data: { ...a.data } })).not.toBe(first);
    expect(checkPayload(schema({ type: 'object', properties: { n: { type: 'string' } } }), { n: 1 })).toHaveLength(1);
  });

  it('compiles draft-07 schemas (TypeBox and most generators) and draft 2020-12 ones, with formats', () => {
    const d7 = schema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { e: { type: 'string', format: 'email' } },
    });
    expect(checkPayload(d7, { e: 'nope' })).toEqual([{ pointer: '/e', message: 'must match format "email"' }]);
    const d2020 = schema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }] });
    expect(checkPayload(d2020, [1])).toEqual([{ pointer: '/0', message: 'must be string' }]);
  });

  it('refuses, at registration, a schema that does not compile or refers to anything outside itself', () => {
    const bad = validateTaskDef({
      name: 't',
      enforceSchema: true,
      inputSchema: schema({ type: 'objekt' }),
      outputSchema: schema({ $ref: 'https://example.com/s.json' }),
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => p.pointer)).toEqual(['/inputSchema/data', '/outputSchema/data']);
    expect(bad.problems[0]?.message).toMatch(/^is not a valid JSON Schema: /);
  });

  it('accepts a task definition with schemas and enforceSchema, keeping them', () => {
    const ok = validateTaskDef({ name: 't', inputSchema: schema({ type: 'object' }), enforceSchema: true });
    expect(ok.ok && ok.value.enforceSchema).toBe(true);
  });

  it('checks schemas only when they are enforced: otherwise they are documentation, as in Conductor', () => {
    expect(validateTaskDef({ name: 't', inputSchema: { name: 'in_registry', version: 2, type: 'JSON' } }).ok).toBe(true);
    expect(validateTaskDef({ name: 't', inputSchema: schema({ type: 'objekt' }), enforceSchema: false }).ok).toBe(true);
    const enforced = validateTaskDef({ name: 't', inputSchema: { version: 2, type: 'PROTOBUF' }, enforceSchema: true });
    expect(!enforced.ok && enforced.problems.map((p) => p.pointer)).toEqual([
      '/inputSchema/data',
      '/inputSchema/name',
      '/inputSchema/type',
    ]);
  });

  it('uses the pattern engine it is given (RE2 in the engine) for schemas compiled afterwards', () => {
    const seen: string[] = [];
    const engine = Object.assign((pattern: string, flags: string) => (seen.push(pattern), new RegExp(pattern, flags)), { code: 'test' });
    usePatternEngine(engine);
    expect(checkPayload(schema({ type: 'string', pattern: '^b+$' }, 99), 'bbb')).toEqual([]);
    expect(seen).toContain('^b+$');
  });
});
