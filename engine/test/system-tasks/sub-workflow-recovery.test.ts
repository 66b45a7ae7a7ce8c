import { CHILD_CHECK_MS } from '../../src/decider/operators/sub-workflow';
import { PolicyServer } from '../helpers/policy-server';
import { storeKinds } from '../helpers/server';

/**
 * A crash between a commit and its follow-up (starting the child, telling the parent) is
 * simulated by switching the follow-up off; the sweeper, on the SUB_WORKFLOW task's timer, redoes it.
 */
describe.each(storeKinds())('SUB_WORKFLOW crash recovery (%s)', (kind) => {
  let p: PolicyServer;
  afterEach(async () => {
    await p.close();
  });

  it('the sweeper starts a child nobody started, and tells the parent of a child end nobody passed on', async () => {
    p = await PolicyServer.start(kind);
    await p.taskDefs([{ name: 'child_step' }]);
    await p.workflowDef({
      name: 'kid',
      version: 1,
      tasks: [{ name: 'child_step', taskReferenceName: 'child_step' }],
      outputParameters: { r: '${child_step.output.r}' },
    });
    await p.workflowDef({
      name: 'mom',
      version: 1,
      tasks: [{ name: 'sub', taskReferenceName: 'sub', type: 'SUB_WORKFLOW', subWorkflowParam: { name: 'kid' } }],
    });
    // The "crash": nothing that follows a commit runs; only the store's state is left.
    Object.assign(p.engine.systemTasks, { afterCommit: () => undefined });

    const id = await p.start('mom');
    const [sub] = await p.tasksOf(id, 'sub');
    const childId = sub.outputData.subWorkflowId as string;
    expect(await p.engine.store.getWorkflow(childId)).toBeNull();
    await p.tick(CHILD_CHECK_MS - 1);
    expect(await p.engine.store.getWorkflow(childId)).toBeNull();
    await p.tick(1);
    expect((await p.workflow(childId)).status).toBe('RUNNING');

    const step = await p.pollOne('child_step');
    expect((await p.report(step, 'COMPLETED', { outputData: { r: 7 } })).status).toBe(200);
    expect((await p.workflow(childId)).status).toBe('COMPLETED');
    expect((await p.workflow(id)).status).toBe('RUNNING');
    await p.tick(CHILD_CHECK_MS);
    const done = await p.workflow(id);
    expect(done.status).toBe('COMPLETED');
    expect(done.output).toEqual({ r: 7, subWorkflowId: childId });
  });
});
