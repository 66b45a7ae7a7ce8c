import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';

/** Typed tasks: inputSchema, outputSchema and enforceSchema of task definitions (docs/typed-tasks.md). */
const taxInput = {
  name: 'tax_input',
  version: 1,
  type: 'JSON',
  data: {
    type: 'object',
    required: ['amount', 'country'],
    properties: { amount: { type: 'number', minimum: 0 }, country: { type: 'string', minLength: 2, maxLength: 2 } },
  },
};
const taxOutput = {
  name: 'tax_output',
  version: 1,
  type: 'JSON',
  data: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['tax'],
    properties: { tax: { type: 'number' } },
    additionalProperties: false,
  },
};

describe.each(storeKinds())('typed tasks (%s)', (kind) => {
  let p: PolicyServer;
  beforeEach(async () => {
    p = await PolicyServer.start(kind);
  });
  afterEach(async () => {
    await p.close();
  });

  const flow = async (taskDef: Record<string, unknown>): Promise<void> => {
    await p.taskDefs([{ name: 'tax', responseTimeoutSeconds: 600, retryCount: 2, ...taskDef }]);
    await p.workflowDef({
      name: 'taxes',
      tasks: [
        {
          name: 'tax',
          taskReferenceName: 'tax',
          inputParameters: { amount: '${workflow.input.amount}', country: '${workflow.input.country}' },
        },
      ],
      outputParameters: { tax: '${tax.output.tax}' },
    });
  };

  describe('registration', () => {
    it('refuses an enforced schema Baton cannot run, naming each field, and stores nothing', async () => {
      const r = await p.s.req('POST', '/api/metadata/taskdefs', [
        { name: 'a', enforceSchema: true, inputSchema: { ...taxInput, data: { type: 'objekt' } } },
        { name: 'b', enforceSchema: true, outputSchema: { ...taxOutput, type: 'AVRO' } },
        { name: 'c', enforceSchema: true, inputSchema: { name: 'x', version: 1, type: 'JSON' } },
        { name: 'd', enforceSchema: 'yes', inputSchema: { ...taxInput, version: 'one' } },
      ]);
      expect(r.status).toBe(400);
      expect(r.type).toContain('application/problem+json');
      const pointers = (r.body.errors as Array<{ pointer: string; message: string }>).map((e) => e.pointer);
      expect(pointers).toEqual([
        '/0/inputSchema/data',
        '/1/outputSchema/type',
        '/2/inputSchema/data',
        '/3/enforceSchema',
        '/3/inputSchema/version',
      ]);
      for (const name of ['a', 'b', 'c', 'd']) expect((await p.s.req('GET', `/api/metadata/taskdefs/${name}`)).status).toBe(404);
    });

    it('keeps any SchemaDef that is not enforced, as Conductor does (a registry reference, AVRO)', async () => {
      // Conductor OSS 3.32.3 stores these as given and enforces nothing (docs/conductor-compatibility.md).
      const r = await p.s.req('POST', '/api/metadata/taskdefs', [
        {
          name: 'doc_only',
          inputSchema: { name: 'registry_ref', version: 3, type: 'JSON' },
          outputSchema: { name: 'o', version: 1, type: 'AVRO', data: { type: 'record' } },
        },
      ]);
      expect(r.status).toBe(200);
      await p.workflowDef({ name: 'doc_flow', tasks: [{ name: 'doc_only', taskReferenceName: 'd' }] });
      await p.start('doc_flow', { anything: true });
      const t = await p.pollOne('doc_only');
      expect((await p.report(t, 'COMPLETED', { outputData: { x: 1 } })).status).toBe(200);
    });

    it('keeps the schemas on the definition, as Conductor shows them', async () => {
      await flow({ inputSchema: taxInput, outputSchema: taxOutput, enforceSchema: true });
      const def = (await p.s.req('GET', '/api/metadata/taskdefs/tax')).body;
      expect(def).toMatchObject({ inputSchema: taxInput, outputSchema: taxOutput, enforceSchema: true });
    });
  });

  describe('inputSchema', () => {
    it('fails the attempt for good when the input does not match, with the pointers of the problems', async () => {
      await flow({ inputSchema: taxInput, enforceSchema: true });
      const id = await p.start('taxes', { amount: 'ten', country: 'DEU' });
      const wf = await p.workflow(id);
      expect(wf.status).toBe('FAILED');
      const [task] = await p.tasksOf(id, 'tax');
      expect(task.status).toBe('FAILED_WITH_TERMINAL_ERROR');
      expect(task.retryCount).toBe(0);
      expect(task.reasonForIncompletion).toContain('input does not match tax_input v1');
      expect(task.reasonForIncompletion).toContain('/amount must be number');
      expect(task.outputData.schemaErrors.map((e: { pointer: string }) => e.pointer)).toEqual(['/amount', '/country']);
      // The input is kept, so an operator sees what was refused; no worker ever gets it.
      expect(task.inputData).toEqual({ amount: 'ten', country: 'DEU' });
      expect(await p.poll('tax', 5)).toEqual([]);
    });

    it('schedules a matching input', async () => {
      await flow({ inputSchema: taxInput, enforceSchema: true });
      const id = await p.start('taxes', { amount: 10, country: 'DE' });
      const t = await p.pollOne('tax');
      expect(t.workflowInstanceId).toBe(id);
      expect(t.inputData).toEqual({ amount: 10, country: 'DE' });
    });

    it('is documentation only without enforceSchema', async () => {
      await flow({ inputSchema: taxInput, outputSchema: taxOutput });
      await p.start('taxes', { amount: 'ten' });
      const t = await p.pollOne('tax');
      expect((await p.report(t, 'COMPLETED', { outputData: { tax: 'lots', extra: 1 } })).status).toBe(200);
    });

    it('applies a change of the definition to the next schedule', async () => {
      await flow({ inputSchema: taxInput, enforceSchema: false });
      const before = await p.start('taxes', { amount: -1, country: 'DE' });
      await p.taskDefs([{ name: 'tax', responseTimeoutSeconds: 600, inputSchema: taxInput, enforceSchema: true }]);
      const after = await p.start('taxes', { amount: -1, country: 'DE' });
      expect((await p.workflow(before)).status).toBe('RUNNING');
      const [refused] = await p.tasksOf(after, 'tax');
      expect(refused.reasonForIncompletion).toContain('/amount must be >= 0');
    });
  });

  describe('outputSchema', () => {
    it('refuses a COMPLETED report whose output does not match with a 400 naming the pointers; nothing changes, and a fixed report goes through', async () => {
      await flow({ inputSchema: taxInput, outputSchema: taxOutput, enforceSchema: true });
      const id = await p.start('taxes', { amount: 10, country: 'DE' });
      const t = await p.pollOne('tax');
      const bad = await p.report(t, 'COMPLETED', { outputData: { tax: '1.9', note: 'x' } });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      expect(bad.body.errors).toEqual([
        { pointer: '/outputData/note', message: 'is not allowed' },
        { pointer: '/outputData/tax', message: 'must be number' },
      ]);
      expect(bad.body.validationErrors[0]).toEqual({ path: '/outputData/note', message: 'is not allowed' });
      const [held] = await p.tasksOf(id, 'tax');
      expect(held).toMatchObject({ status: 'IN_PROGRESS', outputData: {} });
      expect((await p.report(t, 'COMPLETED', { outputData: { tax: 1.9 } })).status).toBe(200);
      const wf = await p.workflow(id);
      expect(wf.status).toBe('COMPLETED');
      expect(wf.output).toEqual({ tax: 1.9 });
    });

    it('checks only COMPLETED reports: a failure carries whatever output it has', async () => {
      await flow({ outputSchema: taxOutput, enforceSchema: true });
      const id = await p.start('taxes', { amount: 10, country: 'DE' });
      const t = await p.pollOne('tax');
      expect((await p.report(t, 'IN_PROGRESS', { outputData: { progress: 0.5 }, callbackAfterSeconds: 0 })).status).toBe(200);
      expect((await p.report(t, 'FAILED_WITH_TERMINAL_ERROR', { outputData: { stack: 'x' }, reasonForIncompletion: 'boom' })).status).toBe(
        200,
      );
      expect((await p.workflow(id)).status).toBe('FAILED');
    });
  });

  it('runs schema patterns in linear time (RE2): a backtracking pattern cannot stall the engine, and what RE2 cannot run is refused', async () => {
    const evil = {
      name: 'evil',
      version: 1,
      type: 'JSON',
      data: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } },
    };
    await flow({ inputSchema: evil, enforceSchema: true });
    // On JavaScript's backtracking engine this input takes about 2^5000 steps.
    const id = await p.start('taxes', { amount: `${'a'.repeat(5000)}!` });
    await p.s.req('PUT', '/api/metadata/workflow', [
      { name: 'taxes', tasks: [{ name: 'tax', taskReferenceName: 'tax', inputParameters: { s: '${workflow.input.s}' } }] },
    ]);
    const [refused] = await p.tasksOf(id, 'tax');
    expect(refused.status).toBe('SCHEDULED'); // the first definition maps no 's': nothing to refuse
    const second = await p.start('taxes', { s: `${'a'.repeat(5000)}!` });
    expect((await p.tasksOf(second, 'tax'))[0].reasonForIncompletion).toContain('/s must match pattern');
    const backref = await p.s.req('POST', '/api/metadata/taskdefs', [
      { name: 'b', enforceSchema: true, inputSchema: { ...evil, data: { type: 'string', pattern: '(a)\\1' } } },
    ]);
    expect(backref.status).toBe(400);
    expect(backref.body.errors[0].pointer).toBe('/0/inputSchema/data');
  });

  it('enforces the schemas of an inline taskDefinition', async () => {
    await p.workflowDef({
      name: 'inline_taxes',
      tasks: [
        {
          name: 'inline_tax',
          taskReferenceName: 'first',
          inputParameters: { amount: '${workflow.input.amount}', country: 'DE' },
          taskDefinition: {
            name: 'inline_tax',
            responseTimeoutSeconds: 60,
            inputSchema: taxInput,
            outputSchema: taxOutput,
            enforceSchema: true,
          },
        },
      ],
    });
    const refused = await p.start('inline_taxes', { amount: 'ten' });
    expect((await p.tasksOf(refused, 'first'))[0].status).toBe('FAILED_WITH_TERMINAL_ERROR');
    const ok = await p.start('inline_taxes', { amount: 10 });
    const t = await p.pollOne('inline_tax');
    expect(t.workflowInstanceId).toBe(ok);
    const bad = await p.report({ ...t, workflowInstanceId: undefined }, 'COMPLETED', { outputData: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '/outputData/tax', message: 'is required' }]);
    expect((await p.report(t, 'COMPLETED', { workflowInstanceId: ok, outputData: { tax: 2 } })).status).toBe(200);
    expect((await p.workflow(ok)).status).toBe('COMPLETED');
  });
});
