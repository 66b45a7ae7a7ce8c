import { EncodedReadError, resolveParameters, validateWorkflowDef } from '../src';

// Generous: the machine is shared, and a start-up under load takes seconds.
jest.setTimeout(120_000);

const wf = (extra: Record<string, unknown>) => ({ name: 'w', tasks: [{ name: 't', taskReferenceName: 't' }], ...extra });
const problems = (def: unknown) => {
  const v = validateWorkflowDef(def);
  return v.ok ? [] : v.problems;
};
const envelope = { __baton_codec: 'aes-256-gcm', keyId: 'k1', data: 'AAAA' };

describe('payloadCodec on a workflow definition', () => {
  it('takes a list of distinct clear field names, defaulting to none', () => {
    const v = validateWorkflowDef(wf({ payloadCodec: {} }));
    expect(v.ok && v.value.payloadCodec).toEqual({ clearFields: [] });
    expect(problems(wf({ payloadCodec: { clearFields: ['orderId', 'region'] } }))).toEqual([]);
  });

  it('names the bad field', () => {
    expect(problems(wf({ payloadCodec: { clearFields: ['a', 'a'] } }))[0]?.pointer).toBe('/payloadCodec/clearFields');
    expect(problems(wf({ payloadCodec: { clearFields: [''] } }))[0]?.pointer).toBe('/payloadCodec/clearFields/0');
    expect(problems(wf({ payloadCodec: { clearFields: 'orderId' } }))[0]?.pointer).toBe('/payloadCodec/clearFields');
    expect(problems(wf({ payloadCodec: { keys: ['x'] } }))[0]?.pointer).toMatch(/^\/payloadCodec/);
  });
});

describe('expressions over encoded values', () => {
  const ctx = { workflow: { input: { orderId: 'A-1', payment: envelope, list: [envelope] } }, tasks: {} };

  it('pass an encoded value whole and read clear fields beside it', () => {
    const out = resolveParameters(
      { p: '${workflow.input.payment}', id: '${workflow.input.orderId}', l: '${workflow.input.list}' },
      { ...ctx, failOnEncoded: true },
    );
    expect(out).toEqual({ p: envelope, id: 'A-1', l: [envelope] });
  });

  it('reading into one throws, naming the field, when asked; else it is null as in Conductor', () => {
    const read = () => resolveParameters({ card: '${workflow.input.payment.card}' }, { ...ctx, failOnEncoded: true });
    expect(read).toThrow(EncodedReadError);
    expect(read).toThrow(/^\$\{workflow\.input\.payment\.card\} reads into workflow\.input\.payment, which is encoded \(aes-256-gcm\)/);
    expect(() => resolveParameters('x ${workflow.input.list[0].a} y', { ...ctx, failOnEncoded: true })).toThrow(
      /reads into workflow\.input\.list\[0\]/,
    );
    expect(resolveParameters({ card: '${workflow.input.payment.card}' }, ctx)).toEqual({ card: null });
  });
});
