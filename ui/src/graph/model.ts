import type { WorkflowDef, WorkflowTask } from '@baton/definitions';

/**
 * A definition as a graph: one node per step, SWITCH cases and fork branches as edges that
 * spread out and meet again, loops (DO_WHILE) as boxes holding their body, the branches of a
 * dynamic fork as one summary node (opened on demand, at most MAX_OPEN_BRANCHES of them).
 * Pure, and independent of any run: the layout depends on it only, so a run's live updates never
 * lay the graph out again (status.ts puts a run's state on top).
 */
export type NodeKind = 'terminal' | 'step' | 'loop' | 'dynamic' | 'branch' | 'more';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** The step's reference name (steps, loops, dynamic forks' groups: the fork's). */
  ref?: string;
  /** The step's type (SIMPLE, SWITCH, ...). */
  type?: string;
  /** The loop holding it. */
  parentId?: string;
  /** 'more' nodes: how many branches are not drawn. */
  hidden?: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Steps by reference name: their node id. */
  nodeOfRef: Map<string, string>;
  /** Loops by node id: the refs of their body (loop iterations select among these). */
  loopBodies: Map<string, string[]>;
}

export interface GraphOptions {
  /** The branches a dynamic fork forked (its task's inputData.forkedTasks), by the fork's ref. */
  dynamicBranches?: ReadonlyMap<string, readonly string[]>;
  /** Dynamic forks whose branches are drawn one by one. */
  openForks?: ReadonlySet<string>;
}

/** Branches of one dynamic fork drawn as nodes when opened; the rest are counted in one node. */
export const MAX_OPEN_BRANCHES = 50;

export const START_ID = '__start';
export const END_ID = '__end';
export const stepId = (ref: string): string => `step:${ref}`;

interface Exit {
  id: string;
  label?: string;
}

export function buildGraph(def: Pick<WorkflowDef, 'tasks'>, opts: GraphOptions = {}): Graph {
  const g: Graph = { nodes: [], edges: [], nodeOfRef: new Map(), loopBodies: new Map() };
  const edgeIds = new Set<string>();

  const connect = (from: readonly Exit[], to: string): void => {
    for (const e of from) {
      let id = `${e.id}->${to}`;
      if (e.label !== undefined) id += `:${e.label}`;
      if (edgeIds.has(id)) continue;
      edgeIds.add(id);
      g.edges.push({ id, source: e.id, target: to, ...(e.label !== undefined ? { label: e.label } : {}) });
    }
  };

  const walkList = (tasks: readonly WorkflowTask[] | undefined, entries: readonly Exit[], parentId: string | undefined): Exit[] => {
    let current: Exit[] = [...entries];
    for (const t of tasks ?? []) current = walkTask(t, current, parentId);
    return current;
  };

  const walkTask = (t: WorkflowTask, entries: readonly Exit[], parentId: string | undefined): Exit[] => {
    const ref = t.taskReferenceName;
    const type = t.type ?? 'SIMPLE';
    const id = stepId(ref);
    const kind: NodeKind = type === 'DO_WHILE' ? 'loop' : 'step';
    g.nodes.push({ id, kind, label: t.name || ref, ref, type, ...(parentId ? { parentId } : {}) });
    g.nodeOfRef.set(ref, id);
    connect(entries, id);
    const here: Exit[] = [{ id }];
    switch (type) {
      case 'SWITCH':
      case 'DECISION': {
        const exits: Exit[] = [];
        for (const [value, list] of Object.entries(t.decisionCases ?? {})) {
          exits.push(...(list.length ? walkList(list, [{ id, label: value }], parentId) : [{ id, label: value }]));
        }
        const dflt = t.defaultCase ?? [];
        exits.push(...(dflt.length ? walkList(dflt, [{ id, label: 'default' }], parentId) : [{ id, label: 'default' }]));
        return exits;
      }
      case 'FORK_JOIN': {
        const branches = t.forkTasks ?? [];
        if (!branches.length) return here;
        return branches.flatMap((b) => (b.length ? walkList(b, here, parentId) : here));
      }
      case 'FORK_JOIN_DYNAMIC':
        return dynamicBranches(ref, id, parentId);
      case 'DO_WHILE': {
        const before = g.nodes.length;
        walkList(t.loopOver, [], id);
        g.loopBodies.set(
          id,
          g.nodes.slice(before).flatMap((n) => (n.ref && n.kind !== 'branch' ? [n.ref] : [])),
        );
        return here;
      }
      default:
        return here;
    }
  };

  const dynamicBranches = (forkRef: string, forkId: string, parentId: string | undefined): Exit[] => {
    const refs = opts.dynamicBranches?.get(forkRef) ?? [];
    const parent = parentId ? { parentId } : {};
    if (!refs.length) return [{ id: forkId }];
    if (!opts.openForks?.has(forkRef)) {
      const id = `dynamic:${forkRef}`;
      g.nodes.push({ id, kind: 'dynamic', label: `${refs.length} branch${refs.length === 1 ? '' : 'es'}`, ref: forkRef, ...parent });
      connect([{ id: forkId }], id);
      return [{ id }];
    }
    const exits: Exit[] = [];
    for (const ref of refs.slice(0, MAX_OPEN_BRANCHES)) {
      const id = stepId(ref);
      g.nodes.push({ id, kind: 'branch', label: ref, ref, ...parent });
      g.nodeOfRef.set(ref, id);
      connect([{ id: forkId }], id);
      exits.push({ id });
    }
    if (refs.length > MAX_OPEN_BRANCHES) {
      const id = `more:${forkRef}`;
      const hidden = refs.length - MAX_OPEN_BRANCHES;
      g.nodes.push({ id, kind: 'more', label: `${hidden} more`, ref: forkRef, hidden, ...parent });
      connect([{ id: forkId }], id);
      exits.push({ id });
    }
    return exits;
  };

  g.nodes.push({ id: START_ID, kind: 'terminal', label: 'start' });
  const exits = walkList(def.tasks, [{ id: START_ID }], undefined);
  g.nodes.push({ id: END_ID, kind: 'terminal', label: 'end' });
  connect(exits, END_ID);
  return g;
}

/** What identifies a graph's shape: equal keys, equal layout. */
export function graphKey(g: Graph): string {
  return `${g.nodes.map((n) => `${n.id}<${n.parentId ?? ''}`).join('|')}#${g.edges.map((e) => e.id).join('|')}`;
}
