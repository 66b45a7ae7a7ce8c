import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk-api.js';
import { elkWorker } from '../lib/elk-worker';
import type { Graph, GraphNode } from './model';

/** A node's box, relative to the loop holding it (xyflow's convention for child nodes). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const NODE_SIZE: Record<Exclude<GraphNode['kind'], 'loop'>, { width: number; height: number }> = {
  terminal: { width: 96, height: 36 },
  step: { width: 220, height: 64 },
  branch: { width: 200, height: 56 },
  dynamic: { width: 220, height: 72 },
  more: { width: 170, height: 48 },
};

/** Room above a loop's body for its header (name, iteration picker). */
const LOOP_HEADER = 64;

/**
 * ELK runs in a web worker (elkjs' own, bundled as a file of ours: nothing is fetched from another
 * origin), so laying out a large definition never blocks the page.
 */
const elk = new ELK({ workerFactory: () => elkWorker() });

const rootOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '44',
  'elk.spacing.nodeNode': '28',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.edgeLabels.inline': 'true',
};

export async function layoutGraph(g: Graph): Promise<Map<string, Box>> {
  const elkNodes = new Map<string, ElkNode>();
  for (const n of g.nodes) {
    const size = n.kind === 'loop' ? {} : NODE_SIZE[n.kind];
    const node: ElkNode = { id: n.id, ...size, children: [], edges: [] };
    if (n.kind === 'loop') {
      node.layoutOptions = {
        'elk.padding': `[top=${LOOP_HEADER},left=20,bottom=20,right=20]`,
        'elk.nodeSize.minimum': '(240, 120)',
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
      };
    }
    elkNodes.set(n.id, node);
  }
  const root: ElkNode = { id: '__root', layoutOptions: rootOptions, children: [], edges: [] };
  for (const n of g.nodes) {
    const parent = (n.parentId && elkNodes.get(n.parentId)) || root;
    parent.children?.push(elkNodes.get(n.id) as ElkNode);
  }
  const parentOf = new Map(g.nodes.map((n) => [n.id, n.parentId]));
  for (const e of g.edges) {
    // An edge belongs to the graph holding both its ends (the model never crosses a loop's border).
    const container = (parentOf.get(e.source) && elkNodes.get(parentOf.get(e.source) as string)) || root;
    const edge: ElkExtendedEdge = { id: e.id, sources: [e.source], targets: [e.target] };
    if (e.label) edge.labels = [{ text: e.label, width: Math.min(160, 8 + e.label.length * 7), height: 16 }];
    container.edges?.push(edge);
  }
  const laid = await elk.layout(root);
  const boxes = new Map<string, Box>();
  const visit = (n: ElkNode): void => {
    for (const c of n.children ?? []) {
      boxes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
      visit(c);
    }
  };
  visit(laid);
  return boxes;
}
