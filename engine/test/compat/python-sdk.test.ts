import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server';
import { PYTHON, PY_SDK_DIR, requireProvisioned, runProgram } from './sdk-support';

/**
 * The official Python SDK (conductor-python 2.0.0 from PyPI, in compat/python-sdk/.venv) running
 * compat/python-sdk/hello_world.py: the calls of the SDK's hello-world example (TaskHandler
 * workers in their own processes, a workflow registered without a task definition,
 * WorkflowExecutor.execute). Its workers report through update-v2, as SDK 2.0 does first.
 */
describe('the official Python SDK (conductor-python 2.0.0)', () => {
  let s: TestServer;
  beforeAll(async () => {
    requireProvisioned(PYTHON);
    s = await startTestServer('sqlite');
  });
  afterAll(() => s?.close());

  it('runs the hello-world flow: TaskHandler workers, WorkflowExecutor.execute, the workflow completes', async () => {
    const run = await runProgram(PYTHON, [join(PY_SDK_DIR, 'hello_world.py')], {
      cwd: PY_SDK_DIR,
      env: { CONDUCTOR_SERVER_URL: `${s.url}/api`, PYTHONUNBUFFERED: '1' },
      timeoutMs: 150_000,
    });
    const log = `exit ${run.code} ${run.signal ?? ''}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr.slice(-4000)}`;
    expect({ killed: run.killed, code: run.code, log }).toMatchObject({ killed: false, code: 0 });
    const last = run.stdout.trim().split('\n').pop() ?? '';
    const result = JSON.parse(last) as { workflowId: string; status: string; output: Record<string, unknown> };
    expect(result).toMatchObject({ status: 'COMPLETED', output: { result: 'Hello World' } });

    const wf = await s.req('GET', `/api/workflow/${result.workflowId}`);
    expect(wf.body.status).toBe('COMPLETED');
    expect(wf.body.tasks.map((t: { referenceTaskName: string; status: string }) => [t.referenceTaskName, t.status])).toEqual([
      ['greet_ref', 'COMPLETED'],
    ]);
    // The SDK's worker polled: its poll data is recorded under its own worker id.
    const polls = await s.req('GET', '/api/tasks/queue/polldata?taskType=greet');
    expect(polls.body.length).toBeGreaterThanOrEqual(1);
    expect(polls.body[0]).toMatchObject({ queueName: 'greet' });
  }, 200_000);
});
