import { loadTestScripts, type TestScripts } from '../helpers/scripts';
import { DeciderHarness, simple } from '../helpers/decider-harness';

// Generous: the machine is shared, and a start-up under load takes seconds.
jest.setTimeout(120_000);

/**
 * Expressions that read into an encoded value (docs/payloads.md, "Codecs") fail their step for
 * good, naming the field, wherever the decider resolves them; reading an envelope whole is fine.
 */
let scripts: TestScripts;
beforeAll(async () => {
  scripts = await loadTestScripts();
});

const envelope = { __baton_codec: 'aes-256-gcm', keyId: 'k1', data: 'AAAA' };
const input = { orderId: 'A-1', payment: envelope };

describe('reads into encoded values', () => {
  it('a worker step mapping a field inside an envelope fails at once, without retries; passing it whole is fine', () => {
    const h = new DeciderHarness(
      {
        name: 'w',
        tasks: [simple('whole', { payment: '${workflow.input.payment}' }), simple('inside', { card: '${workflow.input.payment.card}' })],
      },
      input,
      { whole: { retryCount: 3 }, inside: { retryCount: 3 } },
    );
    expect(h.open('whole').inputData).toEqual({ payment: envelope });
    h.complete('whole');
    expect(h.wf.status).toBe('FAILED');
    expect(h.task('inside')).toMatchObject({ status: 'FAILED_WITH_TERMINAL_ERROR', retryCount: 0, inputData: {} });
    expect(h.wf.reasonForIncompletion).toMatch(
      /^\$\{workflow\.input\.payment\.card\} reads into workflow\.input\.payment, which is encoded \(aes-256-gcm\)/,
    );
    expect(h.wf.failedReferenceTaskNames).toEqual(['inside']);
  });

  it('an optional step that reads into one is tolerated, as any failed optional step', () => {
    const h = new DeciderHarness(
      { name: 'w', tasks: [{ ...simple('inside', { card: '${workflow.input.payment.card}' }), optional: true }, simple('next')] },
      input,
    );
    expect(h.open('next')).toBeDefined();
    expect(h.wf.state.steps.inside?.status).toBe('COMPLETED_WITH_ERRORS');
  });

  it("a DO_WHILE whose inputParameters read into a body step's encoded output fails the open loop", () => {
    const h = new DeciderHarness(
      {
        name: 'w',
        tasks: [
          {
            name: 'loop',
            taskReferenceName: 'loop',
            type: 'DO_WHILE',
            loopCondition: '$.loop.iteration < 3',
            inputParameters: { v: '${step.output.secret.v}' },
            loopOver: [simple('step')],
          },
        ],
      },
      {},
      {},
      scripts,
    );
    h.complete('step', { secret: envelope });
    expect(h.wf.status).toBe('FAILED');
    expect(h.task('loop')).toMatchObject({ status: 'FAILED_WITH_TERMINAL_ERROR' });
    expect(h.wf.reasonForIncompletion).toMatch(/reads into step\.output\.secret, which is encoded/);
  });

  it("the workflow's outputParameters reading into one fail the workflow", () => {
    const h = new DeciderHarness(
      { name: 'w', tasks: [simple('a')], outputParameters: { card: '${a.output.payment.card}', id: '${workflow.input.orderId}' } },
      input,
    );
    h.complete('a', { payment: envelope });
    expect(h.wf.status).toBe('FAILED');
    expect(h.wf.reasonForIncompletion).toMatch(
      /^the workflow's outputParameters: \$\{a\.output\.payment\.card\} reads into a\.output\.payment/,
    );
  });
});
