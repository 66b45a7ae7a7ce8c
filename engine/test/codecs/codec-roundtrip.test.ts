import Database from 'better-sqlite3';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { AesGcmCodec, BatonClient, BatonWorker, CodecError } from '@baton/workers-sdk';
import { startTestServer, storeKinds, type StoreKind, type TestServer } from '../helpers/server';

// Generous: the machine is shared, and a start-up under load takes seconds.
jest.setTimeout(120_000);

/**
 * Payload codecs end to end (docs/payloads.md, "Codecs"): SDK clients and workers encrypt with
 * AES-256-GCM, the engine stores and routes ciphertext it cannot read, and an expression that
 * reads into an encoded value fails its step naming the field. Checked in the store itself.
 */
const k1 = AesGcmCodec.generateKey();
const k2 = AesGcmCodec.generateKey();
/** A client that only knows the old key; workers that rotated to k2 and still decrypt k1. */
const oldCodec = new AesGcmCodec({ keys: { k1 }, currentKeyId: 'k1' });
const rotatedCodec = new AesGcmCodec({ keys: { k1, k2 }, currentKeyId: 'k2' });

const SECRETS = ['4111-1111-1111-1111', 'Ada Lovelace', 'secret-receipt-77', 'label-for-ada'];

const orderFlow = {
  name: 'codec_order',
  version: 1,
  payloadCodec: { clearFields: ['orderId', 'route'] },
  tasks: [
    {
      name: 'codec_charge',
      taskReferenceName: 'charge',
      type: 'SIMPLE',
      inputParameters: { orderId: '${workflow.input.orderId}', payment: '${workflow.input.payment}' },
    },
    {
      name: 'by_order',
      taskReferenceName: 'by_order',
      type: 'SWITCH',
      evaluatorType: 'javascript',
      // Reads the clear field; the encoded one is bound too, passed along unread.
      expression: "$.orderId.indexOf('A-') === 0 ? 'domestic' : 'abroad'",
      inputParameters: { orderId: '${workflow.input.orderId}', payment: '${workflow.input.payment}' },
      decisionCases: {
        domestic: [
          {
            name: 'codec_ship',
            taskReferenceName: 'ship',
            type: 'SIMPLE',
            inputParameters: {
              receipt: '${charge.output.receipt}',
              customer: '${workflow.input.customer}',
              route: '${charge.output.route}',
            },
          },
        ],
      },
      defaultCase: [
        {
          name: 'abroad',
          taskReferenceName: 'abroad',
          type: 'TERMINATE',
          inputParameters: { terminationStatus: 'FAILED', terminationReason: 'went abroad' },
        },
      ],
    },
  ],
  outputParameters: { orderId: '${workflow.input.orderId}', label: '${ship.output.label}', route: '${charge.output.route}' },
};

const badReads = [
  {
    name: 'codec_bad_mapping',
    version: 1,
    payloadCodec: { clearFields: ['orderId'] },
    tasks: [{ name: 'codec_ship', taskReferenceName: 'ship', type: 'SIMPLE', inputParameters: { card: '${workflow.input.payment.card}' } }],
  },
  {
    name: 'codec_bad_script',
    version: 1,
    payloadCodec: { clearFields: ['orderId'] },
    tasks: [
      {
        name: 'inline',
        taskReferenceName: 'inline',
        type: 'INLINE',
        inputParameters: { evaluatorType: 'javascript', expression: '$.payment.amount > 100', payment: '${workflow.input.payment}' },
      },
    ],
  },
  {
    name: 'codec_bad_jq',
    version: 1,
    payloadCodec: { clearFields: ['orderId'] },
    tasks: [
      {
        name: 'jq',
        taskReferenceName: 'jq',
        type: 'JSON_JQ_TRANSFORM',
        inputParameters: { queryExpression: '.payment.amount', payment: '${workflow.input.payment}' },
      },
    ],
  },
];

const input = { orderId: 'A-1', payment: { card: SECRETS[0], amount: 120 }, customer: { name: SECRETS[1] } };

/** The workflow's and its tasks' payloads as stored, read from the store's own file or collection. */
async function storedPayloads(
  s: TestServer,
  kind: StoreKind,
  workflowId: string,
): Promise<{ workflow: Record<string, any>; tasks: Map<string, { input: any; output: any }> }> {
  const tasks = new Map<string, { input: any; output: any }>();
  if (kind === 'sqlite') {
    const db = new Database(join(s.env.BATON_DATA_DIR as string, 'baton.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const wf = db.prepare('SELECT input, output FROM workflows WHERE workflow_id = ?').get(workflowId) as {
        input: string;
        output: string;
      };
      for (const t of db.prepare('SELECT doc, input, output FROM tasks WHERE workflow_id = ?').all(workflowId) as Array<{
        doc: string;
        input: string;
        output: string;
      }>) {
        tasks.set(JSON.parse(t.doc).referenceTaskName, { input: JSON.parse(t.input), output: JSON.parse(t.output) });
      }
      return { workflow: { input: JSON.parse(wf.input), output: JSON.parse(wf.output), raw: wf.input + wf.output }, tasks };
    } finally {
      db.close();
    }
  }
  const client = new MongoClient(process.env.MONGODB_URI as string);
  try {
    const db = client.db(s.env.BATON_MONGODB_DB);
    const wf = await db.collection('workflows').findOne({ _id: workflowId as any });
    for (const t of await db.collection('tasks').find({ workflowInstanceId: workflowId }).toArray()) {
      tasks.set(t.referenceTaskName as string, { input: JSON.parse(t.inputJson as string), output: JSON.parse(t.outputJson as string) });
    }
    return {
      workflow: {
        input: JSON.parse(wf?.inputJson as string),
        output: JSON.parse(wf?.outputJson as string),
        raw: `${wf?.inputJson}${wf?.outputJson}`,
      },
      tasks,
    };
  } finally {
    await client.close();
  }
}

const envelope = (keyId: string) => ({ __baton_codec: 'aes-256-gcm', keyId, data: expect.any(String) });

describe.each(storeKinds())('payload codecs end to end (%s)', (kind) => {
  let s: TestServer;
  let worker: BatonWorker;
  let oldClient: BatonClient;
  let client: BatonClient;
  const seen: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    s = await startTestServer(kind);
    oldClient = new BatonClient({ serverUrl: s.url, codec: oldCodec });
    client = new BatonClient({ serverUrl: s.url, codec: rotatedCodec });
    await client.registerTaskDefs([
      { name: 'codec_charge', retryCount: 0, responseTimeoutSeconds: 30 },
      { name: 'codec_ship', retryCount: 0, responseTimeoutSeconds: 30 },
    ]);
    for (const def of [orderFlow, ...badReads]) await client.registerWorkflowDef(def, { overwrite: true });
    worker = new BatonWorker({ serverUrl: s.url, codec: rotatedCodec, pollTimeoutMs: 200 });
    worker.register<{ orderId: string; payment: { card: string; amount: number } }>({
      taskType: 'codec_charge',
      handler: (task) => {
        seen.push(task);
        return {
          orderId: task.orderId,
          route: task.payment.amount > 100 ? 'big' : 'small',
          receipt: { id: SECRETS[2], amount: task.payment.amount },
        };
      },
    });
    worker.register<{ receipt: { id: string }; customer: { name: string }; route: string }>({
      taskType: 'codec_ship',
      handler: (task) => {
        seen.push(task);
        return { label: SECRETS[3], receiptId: task.receipt.id, to: task.customer.name };
      },
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await s?.close();
  });

  it('stores only ciphertext for encoded fields, routes on the clear one, and completes; rotated keys still decrypt old values', async () => {
    // Started by a client that encrypts with the old key k1; the workers encrypt with k2.
    const id = await oldClient.startWorkflow('codec_order', input);
    const done = await client.waitForWorkflow(id, { timeoutMs: 60_000 });
    expect(done.status).toBe('COMPLETED');
    expect(done.output).toEqual({ orderId: 'A-1', label: SECRETS[3], route: 'big' });
    expect(done.input).toEqual(input);
    // The workers saw clear values (the charge worker decrypted k1, the ship worker k2).
    expect(seen).toEqual(
      expect.arrayContaining([
        { orderId: 'A-1', payment: input.payment },
        { receipt: { id: SECRETS[2], amount: 120 }, customer: input.customer, route: 'big' },
      ]),
    );

    const stored = await storedPayloads(s, kind, id);
    expect(stored.workflow.input).toEqual({ orderId: 'A-1', payment: envelope('k1'), customer: envelope('k1') });
    expect(stored.workflow.output).toEqual({ orderId: 'A-1', label: envelope('k2'), route: 'big' });
    expect(stored.tasks.get('charge')).toEqual({
      input: { orderId: 'A-1', payment: envelope('k1') },
      output: { orderId: 'A-1', route: 'big', receipt: envelope('k2') },
    });
    expect(stored.tasks.get('by_order')?.output).toEqual({ evaluationResult: ['domestic'], selectedCase: 'domestic' });
    expect(stored.tasks.get('ship')?.output).toEqual({ label: envelope('k2'), receiptId: envelope('k2'), to: envelope('k2') });
    const everything = JSON.stringify([stored.workflow, [...stored.tasks.values()]]);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);

    // A client without k2 cannot read what the rotated workers wrote, and says which key it lacks.
    await expect(oldClient.getWorkflow(id)).rejects.toThrow(CodecError);
    await expect(oldClient.getWorkflow(id)).rejects.toThrow(/unknown key id "k2"/);
    // Without decoding, the engine's answer is the ciphertext, as stored.
    expect((await oldClient.getWorkflow(id, { decode: false })).input.payment).toEqual(envelope('k1'));
  });

  it.each([
    [
      'codec_bad_mapping',
      'ship',
      /\$\{workflow\.input\.payment\.card\} reads into workflow\.input\.payment, which is encoded \(aes-256-gcm\)/,
    ],
    ['codec_bad_script', 'inline', /reads \$\.payment\.amount but \$\.payment is encoded \(aes-256-gcm\)/],
    ['codec_bad_jq', 'jq', /reads into an encoded value \(encoded here: \.payment\)/],
  ])('%s: reading into an encoded value fails the step, naming the field', async (name, ref, message) => {
    const id = await client.startWorkflow(name, input);
    const done = await client.waitForWorkflow(id, { timeoutMs: 60_000 });
    expect(done.status).toBe('FAILED');
    expect(done.reasonForIncompletion).toMatch(message);
    const step = done.tasks.find((t) => t.referenceTaskName === ref);
    expect(step?.status).toMatch(/^FAILED/);
    expect(step?.reasonForIncompletion).toMatch(message);
  });

  it('encodes signal payloads and event data too; routing reads their clear fields, actions pass encoded ones whole', async () => {
    await client.registerWorkflowDef(
      {
        name: 'codec_signal',
        version: 1,
        payloadCodec: { clearFields: ['orderId', 'decision'] },
        tasks: [
          { name: 'wait', taskReferenceName: 'wait', type: 'WAIT_FOR_SIGNAL', inputParameters: { signal: 'review' } },
          {
            name: 'by_decision',
            taskReferenceName: 'by_decision',
            type: 'SWITCH',
            evaluatorType: 'value-param',
            expression: 'decision',
            inputParameters: { decision: '${wait.output.payload.decision}' },
            decisionCases: {
              ok: [
                {
                  name: 'codec_ship',
                  taskReferenceName: 'ship',
                  inputParameters: {
                    receipt: { id: '${wait.output.payload.note}' },
                    customer: '${workflow.input.customer}',
                    route: 'signal',
                  },
                },
              ],
            },
          },
        ],
      },
      { overwrite: true },
    );
    const id = await client.startWorkflow('codec_signal', input);
    await client.signal(id, 'review', { decision: 'ok', note: SECRETS[2] });
    const done = await client.waitForWorkflow(id, { timeoutMs: 60_000 });
    expect(done.status).toBe('COMPLETED');
    expect(done.tasks.find((t) => t.referenceTaskName === 'ship')?.outputData).toEqual({
      label: SECRETS[3],
      receiptId: SECRETS[2],
      to: SECRETS[1],
    });
    const stored = await storedPayloads(s, kind, id);
    expect(stored.tasks.get('wait')?.output.payload).toEqual({ decision: 'ok', note: envelope('k2') });
    expect(stored.tasks.get('ship')?.input).toEqual({ receipt: { id: envelope('k2') }, customer: envelope('k2'), route: 'signal' });

    // An event's data: the handler reads the clear field and passes the encoded one whole to the run it starts.
    const handler = {
      name: 'codec_payments',
      event: 'conductor:codec_payments',
      active: true,
      actions: [
        {
          action: 'start_workflow',
          start_workflow: {
            name: 'codec_order',
            input: { orderId: '${orderId}', payment: '${payment}', customer: '${customer}' },
            idempotencyKey: '${orderId}',
          },
        },
      ],
    };
    expect((await s.req('POST', '/api/event', handler)).status).toBeLessThan(300);
    const eventId = await client.publishEvent('codec_payments', { ...input, orderId: 'A-2' }, { clearFields: ['orderId'] });
    const started = await (async () => {
      for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
        const ev = (await s.req('GET', `/api/events/${eventId}`)).body;
        if (ev?.status === 'PROCESSED') return ev;
      }
      throw new Error('the event was not processed');
    })();
    const runId = started.started?.[0]?.workflowId ?? started.started?.[0];
    expect(typeof runId).toBe('string');
    const run = await client.waitForWorkflow(runId, { timeoutMs: 60_000 });
    expect(run.status).toBe('COMPLETED');
    expect(run.input).toEqual({ ...input, orderId: 'A-2' });
    expect((await storedPayloads(s, kind, runId)).workflow.input).toEqual({
      orderId: 'A-2',
      payment: envelope('k2'),
      customer: envelope('k2'),
    });

    // A handler whose action reads into the encoded data fails that action, naming the field.
    const reader = { ...handler, name: 'codec_reader', event: 'conductor:codec_reader' };
    reader.actions = [
      { action: 'start_workflow', start_workflow: { ...handler.actions[0]!.start_workflow, input: { card: '${payment.card}' } as any } },
    ];
    expect((await s.req('POST', '/api/event', reader)).status).toBeLessThan(300);
    const readId = await client.publishEvent('codec_reader', { ...input, orderId: 'A-3' }, { clearFields: ['orderId'] });
    let effects: Array<{ status: string; error: string | null }> = [];
    for (const until = Date.now() + 60_000; Date.now() < until && effects.length === 0; await new Promise((r) => setTimeout(r, 100))) {
      const ev = (await s.req('GET', `/api/events/${readId}`)).body;
      if (ev?.status === 'PROCESSED') effects = ev.effects;
    }
    expect(effects).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        error: expect.stringMatching(/\$\{payment\.card\} reads into payment, which is encoded/),
      }),
    ]);
  });

  it('a worker with a codec leaves the payloads of workflows without payloadCodec in clear text', async () => {
    await client.registerWorkflowDef(
      {
        name: 'codec_plain',
        version: 1,
        tasks: [
          {
            name: 'codec_charge',
            taskReferenceName: 'charge',
            inputParameters: { orderId: '${workflow.input.orderId}', payment: '${workflow.input.payment}' },
          },
        ],
      },
      { overwrite: true },
    );
    const id = await client.startWorkflow('codec_plain', input);
    const done = await client.waitForWorkflow(id, { timeoutMs: 60_000 });
    expect(done.status).toBe('COMPLETED');
    const stored = await storedPayloads(s, kind, id);
    expect(stored.workflow.input).toEqual(input);
    expect(stored.tasks.get('charge')?.output).toEqual({ orderId: 'A-1', route: 'big', receipt: { id: SECRETS[2], amount: 120 } });
  });
});
