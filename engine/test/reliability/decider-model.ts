import fc from 'fast-check';
import type { TaskDef } from '@baton/definitions';
import { decide, decideTermination, type DecideOutcome } from '../../src/decider';
import type { JsonObject, TaskRecord } from '../../src/domain/records';
import { TaskStatus } from '../../src/domain/status';
import { TimeoutKind } from '../../src/domain/timeouts';
import { DeciderHarness } from '../helpers/decider-harness';

/**
 * Random definitions and random environments for the decider's property tests
 * (decider-properties.test.ts, docs/reliability.md "Decider properties").
 *
 * A definition is generated as a tree of shapes, then given unique reference names. It uses the
 * operators whose behaviour needs no script: worker tasks (with retries, optional), SWITCH on a
 * value, FORK_JOIN with its JOIN, FORK_JOIN_DYNAMIC (one branch per item of the input) with its
 * JOIN, DO_WHILE over a list of items, SUB_WORKFLOW and HUMAN (engine-held, answered like a
 * worker), and TERMINATE in a case.
 */
export type Shape =
  | { k: 'simple'; retries: number; optional: boolean }
  | { k: 'switch'; cases: Shape[][]; dflt: Shape[] }
  | { k: 'fork'; branches: Shape[][] }
  | { k: 'dyn'; optional: boolean }
  | { k: 'loop'; body: Shape[] }
  | { k: 'sub' }
  | { k: 'human' }
  | { k: 'terminate'; status: 'COMPLETED' | 'FAILED' | 'TERMINATED' };

export function shapes(maxDepth = 3): fc.Arbitrary<Shape[]> {
  const { list } = fc.letrec<{ list: Shape[]; shape: Shape }>((tie) => ({
    list: fc.array(tie('shape'), { minLength: 1, maxLength: 4, depthIdentifier: 'def' }),
    shape: fc.oneof(
      { depthSize: 'small', maxDepth, depthIdentifier: 'def', withCrossShrink: true },
      {
        arbitrary: fc.record({ k: fc.constant('simple' as const), retries: fc.integer({ min: 0, max: 2 }), optional: fc.boolean() }),
        weight: 6,
      },
      { arbitrary: fc.record({ k: fc.constant('sub' as const) }), weight: 1 },
      { arbitrary: fc.record({ k: fc.constant('human' as const) }), weight: 1 },
      { arbitrary: fc.record({ k: fc.constant('dyn' as const), optional: fc.boolean() }), weight: 1 },
      {
        arbitrary: fc.record({
          k: fc.constant('switch' as const),
          cases: fc.array(fc.array(tie('shape'), { maxLength: 3, depthIdentifier: 'def' }), { minLength: 1, maxLength: 2 }),
          dflt: fc.array(tie('shape'), { maxLength: 2, depthIdentifier: 'def' }),
        }),
        weight: 2,
      },
      {
        arbitrary: fc.record({
          k: fc.constant('fork' as const),
          branches: fc.array(fc.array(tie('shape'), { minLength: 1, maxLength: 3, depthIdentifier: 'def' }), {
            minLength: 1,
            maxLength: 3,
          }),
        }),
        weight: 2,
      },
      {
        arbitrary: fc.record({
          k: fc.constant('loop' as const),
          body: fc.array(tie('shape'), { minLength: 1, maxLength: 3, depthIdentifier: 'def' }),
        }),
        weight: 1,
      },
      {
        arbitrary: fc.record({
          k: fc.constant('terminate' as const),
          status: fc.constantFrom('COMPLETED' as const, 'FAILED' as const, 'TERMINATED' as const),
        }),
        weight: 1,
      },
    ),
  }));
  return list;
}

export interface Built {
  def: JsonObject;
  taskDefs: Record<string, Partial<TaskDef>>;
}

/** Turns shapes into a definition with unique reference names and the task definitions its worker steps use. */
export function buildDefinition(list: Shape[]): Built {
  let n = 0;
  const taskDefs: Record<string, Partial<TaskDef>> = { dyn_w: { retryCount: 1, retryDelaySeconds: 0, responseTimeoutSeconds: 10 } };
  const tasks = (shapesIn: Shape[], inLoop: boolean): JsonObject[] => {
    const out: JsonObject[] = [];
    for (const s of shapesIn) {
      const ref = `${s.k}_${n++}`;
      switch (s.k) {
        case 'simple':
          taskDefs[ref] = { retryCount: s.retries, retryDelaySeconds: 0, responseTimeoutSeconds: 10 };
          out.push({
            name: ref,
            taskReferenceName: ref,
            type: 'SIMPLE',
            inputParameters: { n: '${workflow.input.n}' },
            ...(s.optional ? { optional: true } : {}),
          });
          break;
        case 'sub':
          out.push({
            name: 'child',
            taskReferenceName: ref,
            type: 'SUB_WORKFLOW',
            subWorkflowParam: { name: 'child' },
            inputParameters: {},
          });
          break;
        case 'human':
          out.push({ name: ref, taskReferenceName: ref, type: 'HUMAN' });
          break;
        case 'terminate':
          out.push({
            name: ref,
            taskReferenceName: ref,
            type: 'TERMINATE',
            inputParameters: { terminationStatus: s.status, terminationReason: 'generated' },
          });
          break;
        case 'dyn': {
          out.push({
            name: ref,
            taskReferenceName: ref,
            type: 'FORK_JOIN_DYNAMIC',
            inputParameters: { forkTaskName: 'dyn_w', forkTaskInputs: '${workflow.input.items}' },
            ...(s.optional ? { optional: true } : {}),
          });
          out.push({ name: `${ref}_join`, taskReferenceName: `${ref}_join`, type: 'JOIN' });
          break;
        }
        case 'switch': {
          const decisionCases: Record<string, JsonObject[]> = {};
          s.cases.forEach((c, i) => (decisionCases[`c${i}`] = tasks(c, inLoop)));
          out.push({
            name: ref,
            taskReferenceName: ref,
            type: 'SWITCH',
            evaluatorType: 'value-param',
            expression: 'route',
            inputParameters: { route: '${workflow.input.route}' },
            decisionCases,
            defaultCase: tasks(s.dflt, inLoop),
          });
          break;
        }
        case 'fork': {
          const forkTasks = s.branches.map((b) => tasks(b, inLoop));
          out.push({ name: ref, taskReferenceName: ref, type: 'FORK_JOIN', forkTasks });
          const joinOn = forkTasks.map((b) => String((b[b.length - 1] as JsonObject).taskReferenceName));
          out.push({ name: `${ref}_join`, taskReferenceName: `${ref}_join`, type: 'JOIN', joinOn });
          break;
        }
        case 'loop':
          // Nested DO_WHILE loops are not supported (as in Conductor): a loop in a loop is a plain step here.
          if (inLoop) {
            taskDefs[ref] = { retryCount: 0, retryDelaySeconds: 0, responseTimeoutSeconds: 10 };
            out.push({ name: ref, taskReferenceName: ref, type: 'SIMPLE' });
          } else {
            out.push({
              name: ref,
              taskReferenceName: ref,
              type: 'DO_WHILE',
              inputParameters: { _items: '${workflow.input.loopItems}' },
              loopOver: tasks(s.body, true),
            });
          }
          break;
      }
    }
    return out;
  };
  return { def: { name: 'generated', tasks: tasks(list, false) }, taskDefs };
}

/** What the environment does next: a worker's answer, several folded at once, a result delivered again, time, a terminate. */
export type Action =
  | { t: 'result'; pick: number; outcome: Outcome }
  | { t: 'batch'; picks: number[]; outcome: Outcome }
  | { t: 'repeat'; pick: number }
  | { t: 'tick'; ms: number }
  | { t: 'terminate' };

export type Outcome = 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR' | 'TIMED_OUT';

const outcome = fc.constantFrom<Outcome>('COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT');

export const actions: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ t: fc.constant('result' as const), pick: fc.nat(), outcome }), weight: 8 },
    {
      arbitrary: fc.record({ t: fc.constant('batch' as const), picks: fc.array(fc.nat(), { minLength: 2, maxLength: 4 }), outcome }),
      weight: 2,
    },
    { arbitrary: fc.record({ t: fc.constant('repeat' as const), pick: fc.nat() }), weight: 2 },
    { arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 5000 }) }), weight: 1 },
    { arbitrary: fc.constant({ t: 'terminate' as const }), weight: 1 },
  ),
  { maxLength: 40 },
);

export const inputs = fc.record({
  n: fc.integer({ min: 0, max: 100 }),
  route: fc.constantFrom('c0', 'c1', 'other'),
  items: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 6 }),
  loopItems: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }),
});

/** Steps run by someone outside the decider (a worker, a child workflow, a person): the environment answers these. */
const external = new Set(['SIMPLE', 'SUB_WORKFLOW', 'HUMAN']);

const isOpen = (t: TaskRecord): boolean => t.status === TaskStatus.SCHEDULED || t.status === TaskStatus.IN_PROGRESS;

/**
 * The decider under test, driven like the engine drives it, with every decision checked as it is
 * made. `violations` collects what broke an invariant (a property test fails on the first).
 */
export class DeciderModel {
  readonly h: DeciderHarness;
  readonly delivered: TaskRecord[] = [];
  decisions = 0;

  constructor(
    readonly built: Built,
    input: JsonObject,
    readonly budget: number,
  ) {
    this.h = new DeciderHarness(built.def, input, built.taskDefs, undefined, { stepsPerDecision: budget });
  }

  private taskDef = (name: string): TaskDef | undefined => {
    const d = this.built.taskDefs[name];
    return d ? ({ name, ...d } as TaskDef) : undefined;
  };

  /** Open attempts the environment can answer. */
  openExternal(): TaskRecord[] {
    return [...this.h.tasks.values()].filter((t) => isOpen(t) && external.has(t.workflowTaskType));
  }

  /** One decision: decided twice (the second with a fresh memo) and compared, then applied as a store would. */
  decideAndApply(results: TaskRecord[]): DecideOutcome {
    const first = this.decideFully(results, new Map());
    const second = this.decideFully(results, new Map());
    const a = JSON.stringify(first);
    const b = JSON.stringify(second);
    if (a !== b) throw new Error(`deciding twice on the same input gave different outcomes:\n${a}\n${b}`);
    this.decisions++;
    return this.h.apply(first);
  }

  private decideFully(results: TaskRecord[], memo: Map<string, unknown>): DecideOutcome {
    for (let pass = 0; ; pass++) {
      const out = decide({
        workflow: this.h.wf,
        results,
        taskDef: this.taskDef,
        now: this.h.now,
        payload: (id) => this.h.tasks.get(id),
        script: () => ({ ok: false, error: 'no scripts in generated definitions' }),
        limits: { stepsPerDecision: this.budget },
        memo,
      });
      if (!out.needs) return out;
      if (pass > 10) throw new Error(`decision still needs ${JSON.stringify(out.needs)}`);
    }
  }

  /** A worker's (or child's, or person's) answer to an open attempt: the record the store would hold after the report. */
  answer(t: TaskRecord, status: Outcome): TaskRecord {
    const output: JsonObject = status === 'COMPLETED' ? { n: 1, from: t.taskId } : {};
    const done: TaskRecord = {
      ...t,
      status,
      outputData: output,
      reasonForIncompletion: status === 'COMPLETED' ? null : `generated ${status}`,
      endTime: this.h.now,
      applied: false,
      ...(status === 'TIMED_OUT' ? { timedOutBy: TimeoutKind.RESPONSE } : {}),
    };
    this.h.tasks.set(t.taskId, done);
    this.delivered.push(done);
    return done;
  }

  terminate(): DecideOutcome {
    const out = decideTermination(this.h.wf, 'generated terminate', this.h.now);
    return this.h.apply(out);
  }

  /** Runs a decision with no new result (the sweeper's timer, or work a budget left for later). */
  tick(ms: number): DecideOutcome {
    this.h.now += ms;
    return this.decideAndApply([]);
  }

  /** Steps of the definition that hold others or wait on others: what one change may ripple through. */
  get structureSize(): number {
    let n = 0;
    const visit = (list: unknown): void => {
      for (const t of (Array.isArray(list) ? list : []) as JsonObject[]) {
        if (['SWITCH', 'FORK_JOIN', 'FORK_JOIN_DYNAMIC', 'JOIN', 'DO_WHILE'].includes(String(t.type))) n++;
        for (const c of Object.values((t.decisionCases ?? {}) as Record<string, unknown>)) visit(c);
        visit(t.defaultCase);
        for (const b of (t.forkTasks ?? []) as unknown[]) visit(b);
        visit(t.loopOver);
      }
    };
    visit(this.built.def.tasks);
    return n;
  }
}
