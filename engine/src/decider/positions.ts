import type { WorkflowDef, WorkflowTask } from '@baton/definitions';

/**
 * Where each step sits in a definition, computed once per definition and kept (a WeakMap keyed by
 * the definition object, which the runtime caches by content hash). A decision starts from the
 * steps that changed and walks on from their positions; it never walks the definition from the
 * top (docs/architecture.md, "Bounded decisions").
 *
 * A definition is a tree of lists: the workflow's own `tasks` (the root list), each FORK_JOIN
 * branch, each SWITCH/DECISION case, each DO_WHILE body, and each step a FORK_JOIN_DYNAMIC forked
 * at run time (a list of one). A list is owned by the step that holds it (null for the root).
 */
export interface StepList {
  readonly key: string;
  readonly tasks: readonly WorkflowTask[];
  /** The step holding the list; null for the root list. */
  readonly owner: string | null;
}

export interface Position {
  readonly list: StepList;
  readonly index: number;
  readonly wt: WorkflowTask;
}

/** List keys: the owner's reference name, a separator no name can be confused with, and the list's name. */
export const listKey = {
  root: '',
  branch: (fork: string, i: number): string => `${fork}\u0001${i}`,
  case: (sw: string, name: string): string => `${sw}\u0002${name}`,
  defaultCase: (sw: string): string => `${sw}\u0003`,
  body: (loop: string): string => `${loop}\u0004`,
  forked: (fork: string, i: number): string => `${fork}\u0005${i}`,
};

/** The steps that wait on other steps by name: JOIN and EXCLUSIVE_JOIN. */
const joinTypes: ReadonlySet<string> = new Set(['JOIN', 'EXCLUSIVE_JOIN']);

/**
 * Positions of the steps of some lists, with who waits on whom. Built for a definition (its
 * root list) and for the steps each dynamic fork forks (one index per fork, see ForkedSteps).
 */
export class PositionIndex {
  private readonly positions = new Map<string, Position>();
  private readonly lists = new Map<string, StepList>();
  /** ref -> the JOIN/EXCLUSIVE_JOIN steps whose joinOn names it. */
  private readonly watchers = new Map<string, string[]>();
  /** ref -> the DO_WHILE whose body holds it (at any depth). */
  private readonly loops = new Map<string, string>();
  /** DO_WHILE ref -> every step of its body, at any depth (dynamically forked steps excepted). */
  private readonly members = new Map<string, string[]>();
  /** Every JOIN, EXCLUSIVE_JOIN and FORK_JOIN_DYNAMIC in these lists. */
  readonly joins: string[] = [];
  readonly dynamicForks: string[] = [];
  /** Number of steps, nested ones included. */
  size = 0;

  constructor(roots: ReadonlyArray<StepList>, enclosingLoop: string | null = null) {
    for (const list of roots) this.add(list, enclosingLoop);
  }

  position(ref: string): Position | undefined {
    return this.positions.get(ref);
  }

  /** Every step's reference name. */
  refs(): IterableIterator<string> {
    return this.positions.keys();
  }

  list(key: string): StepList | undefined {
    return this.lists.get(key);
  }

  watchersOf(ref: string): readonly string[] {
    return this.watchers.get(ref) ?? none;
  }

  loopOf(ref: string): string | undefined {
    return this.loops.get(ref);
  }

  membersOf(loop: string): readonly string[] {
    return this.members.get(loop) ?? none;
  }

  /** Adds `ref` as waiting on each of `on` (a dynamic fork's JOIN waits on the steps it forked). */
  watch(ref: string, on: Iterable<string>): void {
    for (const r of on) {
      const list = this.watchers.get(r);
      if (!list) this.watchers.set(r, [ref]);
      else if (!list.includes(ref)) list.push(ref);
    }
  }

  private add(list: StepList, loop: string | null): void {
    this.lists.set(list.key, list);
    list.tasks.forEach((wt, index) => {
      const ref = wt.taskReferenceName;
      this.size++;
      this.positions.set(ref, { list, index, wt });
      if (loop) {
        this.loops.set(ref, loop);
        this.members.get(loop)?.push(ref);
      }
      const type = wt.type ?? 'SIMPLE';
      if (joinTypes.has(type)) {
        this.joins.push(ref);
        this.watch(ref, [...(wt.joinOn ?? []), ...(wt.defaultExclusiveJoinTask ?? [])]);
      }
      if (type === 'FORK_JOIN_DYNAMIC') this.dynamicForks.push(ref);
      if (type === 'DO_WHILE') this.members.set(ref, []);
      const inner = type === 'DO_WHILE' ? ref : loop;
      for (const nested of nestedListsOf(wt)) this.add(nested, inner);
    });
  }
}

const none: readonly string[] = Object.freeze([]);

/** The lists nested directly in a step, with their keys: SWITCH cases, FORK branches, a DO_WHILE body. */
export function nestedListsOf(wt: WorkflowTask): StepList[] {
  const ref = wt.taskReferenceName;
  const lists: StepList[] = [];
  if (wt.decisionCases) {
    for (const [name, tasks] of Object.entries(wt.decisionCases)) lists.push({ key: listKey.case(ref, name), tasks, owner: ref });
  }
  if (wt.defaultCase) lists.push({ key: listKey.defaultCase(ref), tasks: wt.defaultCase, owner: ref });
  wt.forkTasks?.forEach((tasks, i) => lists.push({ key: listKey.branch(ref, i), tasks, owner: ref }));
  if (wt.loopOver) lists.push({ key: listKey.body(ref), tasks: wt.loopOver, owner: ref });
  return lists;
}

const indexes = new WeakMap<WorkflowDef, PositionIndex>();

/** The index of a definition (its root list), built on first use. */
export function definitionIndex(def: WorkflowDef): PositionIndex {
  let index = indexes.get(def);
  if (!index) {
    index = new PositionIndex([{ key: listKey.root, tasks: def.tasks, owner: null }]);
    indexes.set(def, index);
  }
  return index;
}

/** Number of steps in a definition, nested ones included (the tasks-per-definition limit). */
export const definitionSize = (def: WorkflowDef): number => definitionIndex(def).size;
