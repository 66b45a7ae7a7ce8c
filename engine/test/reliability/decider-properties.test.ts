import fc from 'fast-check';
import type { DecideOutcome } from '../../src/decider';
import type { StepState, TaskRecord } from '../../src/domain/records';
import { isTerminalTask, isTerminalWorkflow } from '../../src/domain/status';
import { actions, buildDefinition, DeciderModel, inputs, shapes, type Action } from './decider-model';

/**
 * Property-based tests of the pure decider (docs/reliability.md, "Decider properties"): random
 * definitions, random inputs, a random decision budget, and random interleavings of worker
 * answers (success, failure, terminal failure, lapsed lease), results folded together, results
 * delivered again, time passing and terminations. Every decision is checked as it is made, and
 * every run is then answered to its end. RUNS can be raised for a longer search:
 * BATON_PROPERTY_RUNS=2000 node scripts/test-run.js engine/test/reliability/decider-properties
 */
const RUNS = Number(process.env.BATON_PROPERTY_RUNS ?? 300);
const SEED = process.env.BATON_PROPERTY_SEED ? Number(process.env.BATON_PROPERTY_SEED) : undefined;

const waitingTypes = new Set(['JOIN', 'EXCLUSIVE_JOIN', 'DO_WHILE']);

/** The counters the decider keeps incrementally, recounted from the steps. */
function checkCounters(m: DeciderModel): void {
  const { state } = m.h.wf;
  const steps = Object.values(state.steps);
  const open = steps.filter((s) => !isTerminalTask(s.status)).length;
  const running = steps.filter((s) => !isTerminalTask(s.status) && !waitingTypes.has(s.taskType)).length;
  if (state.open !== open) throw new Error(`state.open is ${state.open}, the steps say ${open}`);
  if (state.running !== running) throw new Error(`state.running is ${state.running}, the steps say ${running}`);
  for (const [ref, s] of Object.entries(state.steps)) {
    if (s.taskType !== 'JOIN' || isTerminalTask(s.status) || typeof s.extra?.waiting !== 'number') continue;
    const joinOn = (m.h.tasks.get(s.taskId)?.inputData.joinOn ?? []) as string[];
    const waiting = joinOn.filter((on) => !state.steps[on] || !isTerminalTask(state.steps[on].status)).length;
    if (s.extra.waiting !== waiting) throw new Error(`JOIN '${ref}' keeps waiting=${s.extra.waiting}, its joinOn says ${waiting}`);
  }
}

/** Task records and steps agree: every open task is its step's latest attempt, and none is open once the run ended. */
function checkRecords(m: DeciderModel): void {
  const { wf, tasks } = m.h;
  const completed = new Map<string, number>();
  for (const t of tasks.values()) {
    if (t.status === 'COMPLETED') {
      const key = `${t.refName}#${t.iteration}`;
      completed.set(key, (completed.get(key) ?? 0) + 1);
      if ((completed.get(key) ?? 0) > 1) throw new Error(`step ${key} COMPLETED twice`);
    }
    if (t.status !== 'SCHEDULED' && t.status !== 'IN_PROGRESS') continue;
    if (isTerminalWorkflow(wf.status))
      throw new Error(`task ${t.referenceTaskName} (${t.workflowTaskType}) is still ${t.status} after the workflow ended ${wf.status}`);
    const step = wf.state.steps[t.refName];
    if (!step || step.taskId !== t.taskId)
      throw new Error(`open task ${t.referenceTaskName} #${t.retryCount} is not its step's latest attempt (${step?.taskId ?? 'no step'})`);
  }
}

/** One decision's checks: terminal stays terminal, a step is never scheduled again once completed, the size is bounded. */
function checkDecision(
  m: DeciderModel,
  before: { status: string; steps: Record<string, StepState> },
  out: DecideOutcome,
  folded: number,
  tasksBefore: Map<string, TaskRecord>,
): void {
  const d = out.decision;
  if (isTerminalWorkflow(before.status) && d.workflow.status !== undefined && d.workflow.status !== before.status) {
    throw new Error(`a ${before.status} workflow became ${d.workflow.status}`);
  }
  if (isTerminalWorkflow(before.status) && d.newTasks.length > 0)
    throw new Error(`a ${before.status} workflow scheduled ${d.newTasks.length} tasks`);
  for (const t of d.newTasks) {
    for (const old of tasksBefore.values()) {
      if (old.refName === t.refName && old.iteration === t.iteration && old.status === 'COMPLETED' && !isTerminalTask(t.status)) {
        throw new Error(`step ${t.refName}#${t.iteration} was scheduled again after it COMPLETED`);
      }
    }
  }
  for (const c of d.closeTasks) {
    const old = tasksBefore.get(c.taskId);
    if (old && isTerminalTask(old.status) && old.status !== c.status) {
      // The store only closes open tasks (a conditional write), so this changes nothing; still, a
      // decider that thinks a terminal attempt is open has lost track of it.
      const step = before.steps[old.refName];
      if (step?.taskId === old.taskId && !isTerminalTask(step.status))
        throw new Error(`close of ${old.referenceTaskName}: the step thought the ended attempt open`);
    }
  }
  // Bounded by what changed: the budget, plus what each folded result may start at once (a retry),
  // plus a few records an operator creates together (a dynamic fork and its JOIN).
  const bound = m.budget + folded + 3;
  if (d.newTasks.length > bound)
    throw new Error(`a decision created ${d.newTasks.length} tasks, over budget ${m.budget} + ${folded} results + 3`);
  const ends = d.workflow.status !== undefined && isTerminalWorkflow(d.workflow.status);
  const touched = Object.keys(d.steps.set).length;
  const structure = m.structureSize;
  if (!ends && touched > 2 * d.newTasks.length + folded + structure) {
    throw new Error(
      `a decision changed ${touched} steps for ${d.newTasks.length} new tasks and ${folded} results (structure ${structure})`,
    );
  }
}

function run(m: DeciderModel, acts: readonly Action[]): void {
  const step = (results: TaskRecord[], how: () => DecideOutcome): void => {
    const before = { status: m.h.wf.status, steps: structuredClone(m.h.wf.state.steps) };
    const tasksBefore = new Map([...m.h.tasks].map(([k, v]) => [k, { ...v }]));
    const out = how();
    const folded = results.filter(
      (r) => before.steps[r.refName]?.taskId === r.taskId && !isTerminalTask(before.steps[r.refName]?.status ?? 'COMPLETED'),
    ).length;
    checkDecision(m, before, out, folded, tasksBefore);
    checkCounters(m);
    checkRecords(m);
  };
  checkCounters(m);
  checkRecords(m);
  for (const a of acts) {
    const open = m.openExternal();
    if (a.t === 'tick') step([], () => m.tick(a.ms));
    else if (a.t === 'terminate') {
      if (!isTerminalWorkflow(m.h.wf.status)) step([], () => m.terminate());
    } else if (a.t === 'repeat') {
      const again = m.delivered[a.pick % Math.max(1, m.delivered.length)];
      if (again) step([again], () => m.decideAndApply([again]));
    } else if (open.length > 0) {
      const picks = a.t === 'result' ? [a.pick] : a.picks;
      const chosen = [...new Set(picks.map((p) => open[p % open.length] as TaskRecord))];
      const results = chosen.map((t) => m.answer(t, a.outcome));
      step(results, () => m.decideAndApply(results));
    }
  }
  // Every run ends once its workers answer: complete whatever is open, run what a budget left.
  for (let i = 0; !isTerminalWorkflow(m.h.wf.status); i++) {
    if (i > 2000) throw new Error(`the run did not end after 2000 decisions with everything answered: ${m.h.summary()}`);
    const open = m.openExternal();
    if (open.length === 0) {
      if (m.h.wf.state.resume.length === 0 && m.h.wf.wakeAt === 0)
        throw new Error(`the run is stuck: nothing open, nothing to resume, no timer: ${m.h.summary()}`);
      step([], () => m.tick(0));
      continue;
    }
    const t = open[0] as TaskRecord;
    const result = m.answer(t, 'COMPLETED');
    step([result], () => m.decideAndApply([result]));
  }
  checkRecords(m);
}

describe('decider properties (fast-check)', () => {
  it(`hold over ${RUNS} random definitions and interleavings`, () => {
    fc.assert(
      fc.property(shapes(), inputs, fc.integer({ min: 1, max: 6 }), actions, (list, input, budget, acts) => {
        const m = new DeciderModel(buildDefinition(list), input, budget);
        run(m, acts);
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), verbose: 1 },
    );
  });
});
