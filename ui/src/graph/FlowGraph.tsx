import { Background, Controls, ReactFlow, type Edge, type Node, type ReactFlowInstance } from '@xyflow/react';
import '@xyflow/react/dist/base.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { layoutGraph, type Box } from './layout';
import { graphKey, type Graph } from './model';
import { nodeTypes, type FlowData } from './nodes';
import type { StepView } from './status';

export interface FlowGraphProps {
  graph: Graph;
  /** A run's state on the nodes; absent for a definition. */
  views?: ReadonlyMap<string, StepView>;
  /** The workflow's own status, shown on the end node. */
  runStatus?: string;
  selectedNodeId?: string | null;
  onSelect?: (nodeId: string) => void;
  iterationOf?: ReadonlyMap<string, number>;
  onIteration?: (loopId: string, iteration: number) => void;
  onToggleFork?: (forkRef: string) => void;
  openForks?: ReadonlySet<string>;
  label: string;
}

const READABLE_ZOOM = 0.65;

/** Layouts by graph shape: a run's updates and a page revisit reuse them. */
const layouts = new Map<string, Map<string, Box>>();

/**
 * The graph, laid out by ELK (off the main thread) and drawn by xyflow. Nodes are buttons: Tab
 * reaches each step, Enter opens it. Nothing is draggable or editable here.
 */
export function FlowGraph(p: FlowGraphProps) {
  const key = useMemo(() => graphKey(p.graph), [p.graph]);
  const [boxes, setBoxes] = useState<Map<string, Box> | null>(() => layouts.get(key) ?? null);
  const [error, setError] = useState<string | null>(null);
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const known = layouts.get(key);
    if (known) {
      setBoxes(known);
      return;
    }
    let live = true;
    layoutGraph(p.graph).then(
      (b) => {
        layouts.set(key, b);
        if (live) setBoxes(b);
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
    // p.graph changes whenever key does; key alone decides.
  }, [key]);

  const { nodes, edges } = useMemo(() => {
    if (!boxes) return { nodes: [] as Node<FlowData>[], edges: [] as Edge[] };
    const nodes: Node<FlowData>[] = [];
    for (const n of p.graph.nodes) {
      const b = boxes.get(n.id);
      if (!b) continue;
      const view = p.views?.get(n.id);
      const data: FlowData = {
        node: n,
        ...(view ? { view } : {}),
        selected: p.selectedNodeId === n.id,
        ...(p.runStatus ? { runStatus: p.runStatus } : {}),
        ...(p.onSelect ? { onSelect: p.onSelect } : {}),
        ...(p.onIteration ? { onIteration: p.onIteration } : {}),
        ...(p.onToggleFork ? { onToggleFork: p.onToggleFork } : {}),
        iteration: p.iterationOf?.get(n.id) ?? view?.iterations ?? 0,
        open: n.ref ? (p.openForks?.has(n.ref) ?? false) : false,
      };
      nodes.push({
        id: n.id,
        type: n.kind,
        position: { x: b.x, y: b.y },
        data,
        width: b.width,
        height: b.height,
        ...(n.parentId ? { parentId: n.parentId, extent: 'parent' as const } : {}),
        ...(n.kind === 'loop' ? { style: { width: b.width, height: b.height }, zIndex: -1 } : {}),
      });
    }
    const ran = (id: string) => {
      const v = p.views?.get(id);
      return id === '__start' || (v !== undefined && v.status !== 'NOT_RUN') || (id === '__end' && p.runStatus === 'COMPLETED');
    };
    const edges: Edge[] = p.graph.edges.map((e) => {
      const taken = p.views ? ran(e.source) && ran(e.target) : true;
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        type: 'smoothstep',
        ...(e.label ? { label: e.label, labelBgPadding: [4, 2] as [number, number], labelBgBorderRadius: 3 } : {}),
        className: taken ? 'edge-taken' : 'edge-idle',
        focusable: false,
      };
    });
    return { nodes, edges };
  }, [boxes, p.graph, p.views, p.selectedNodeId, p.runStatus, p.onSelect, p.onIteration, p.onToggleFork, p.iterationOf, p.openForks]);

  // Small graphs fit the box; a graph that would shrink below READABLE_ZOOM starts at its top,
  // readable, and the rest is a scroll (pan) away.
  const onInit = useCallback(
    (flow: ReactFlowInstance<Node<FlowData>, Edge>) => {
      const el = container.current;
      if (!el || !boxes) return;
      let w = 0;
      let h = 0;
      for (const n of p.graph.nodes) {
        const b = boxes.get(n.id);
        if (b && !n.parentId) {
          w = Math.max(w, b.x + b.width);
          h = Math.max(h, b.y + b.height);
        }
      }
      const fit = Math.min(el.clientWidth / (w + 40), el.clientHeight / (h + 40), 1.1);
      if (fit >= READABLE_ZOOM) void flow.fitView({ padding: 0.08, maxZoom: 1.1 });
      else {
        const zoom = READABLE_ZOOM;
        void flow.setViewport({ x: Math.max(10, (el.clientWidth - w * zoom) / 2), y: 16, zoom });
      }
    },
    [boxes, p.graph],
  );

  if (error)
    return (
      <div className="graph-state" role="alert">
        The graph could not be laid out: {error}
      </div>
    );
  if (!boxes) {
    return (
      <div className="graph-state" aria-busy="true" data-testid="graph-pending">
        Laying out the graph…
      </div>
    );
  }
  return (
    <div className="graph" role="group" aria-label={p.label} data-testid="graph" data-nodes={nodes.length} ref={container}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onInit={onInit}
        minZoom={0.05}
        maxZoom={2}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        onlyRenderVisibleElements={nodes.length > 150}
        colorMode="system"
        zoomOnDoubleClick={false}
        proOptions={{ hideAttribution: false }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
