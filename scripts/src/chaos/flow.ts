/**
 * The workload of the chaos harness: an order-like flow over the decider's main paths (a
 * sequence, a FORK_JOIN and its JOIN, a SWITCH, a SUB_WORKFLOW), on worker steps with a short
 * lease so that a dead worker's attempt comes back soon.
 */
export const STEPS = ['c_prepare', 'c_left', 'c_right', 'c_express', 'c_standard', 'c_child'] as const;

export const LEASE_SECONDS = 3;

export const taskDefs = STEPS.map((name) => ({ name, responseTimeoutSeconds: LEASE_SECONDS, retryCount: 50, retryDelaySeconds: 0 }));

export const childFlow = {
  name: 'chaos_child',
  tasks: [{ name: 'c_child', taskReferenceName: 'c_child', inputParameters: { n: '${workflow.input.n}' } }],
  outputParameters: { n: '${c_child.output.n}' },
};

export const flow = {
  name: 'chaos_flow',
  tasks: [
    { name: 'c_prepare', taskReferenceName: 'prepare', inputParameters: { n: '${workflow.input.n}' } },
    {
      name: 'fork',
      taskReferenceName: 'fork',
      type: 'FORK_JOIN',
      forkTasks: [
        [{ name: 'c_left', taskReferenceName: 'left', inputParameters: { n: '${prepare.output.n}' } }],
        [{ name: 'c_right', taskReferenceName: 'right', inputParameters: { n: '${prepare.output.n}' } }],
      ],
    },
    { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: ['left', 'right'] },
    {
      name: 'route',
      taskReferenceName: 'route',
      type: 'SWITCH',
      evaluatorType: 'value-param',
      expression: 'speed',
      inputParameters: { speed: '${workflow.input.speed}' },
      decisionCases: { express: [{ name: 'c_express', taskReferenceName: 'express', inputParameters: { n: '${left.output.n}' } }] },
      defaultCase: [{ name: 'c_standard', taskReferenceName: 'standard', inputParameters: { n: '${right.output.n}' } }],
    },
    {
      name: 'chaos_child',
      taskReferenceName: 'child',
      type: 'SUB_WORKFLOW',
      subWorkflowParam: { name: 'chaos_child' },
      inputParameters: { n: '${prepare.output.n}' },
    },
  ],
  outputParameters: { n: '${child.output.n}' },
};
