import { useCallback, useMemo, useState } from 'react';
import type { Task, Workflow } from '../../api/types';
import { FlowGraph } from '../../graph/FlowGraph';
import { buildGraph } from '../../graph/model';
import { stepViews, type RunIndex } from '../../graph/status';

/**
 * The run's graph: the definition it started with, each step coloured by its latest attempt.
 * Loops show one iteration at a time (the latest, or the one picked); a dynamic fork's branches
 * are one node until opened. So a run of thousands of tasks draws tens of nodes.
 */
export default function RunGraph({
  wf,
  index,
  selected,
  onSelect,
}: {
  wf: Workflow;
  index: RunIndex;
  selected: Task | null;
  onSelect: (t: Task | null) => void;
}) {
  const [openForks, setOpenForks] = useState<ReadonlySet<string>>(new Set());
  const [iterationOf, setIterationOf] = useState<ReadonlyMap<string, number>>(new Map());
  const def = wf.workflowDefinition;
  // The shape changes only when a dynamic fork's branch list does (or one is opened).
  const branchKey = [...index.dynamicBranches].map(([k, v]) => `${k}:${v.length}`).join(',');
  const graph = useMemo(
    () => buildGraph(def ?? { tasks: [] }, { dynamicBranches: index.dynamicBranches, openForks }),
    [def, branchKey, openForks],
  );
  const views = useMemo(() => stepViews(graph, index, iterationOf), [graph, index, iterationOf]);
  const selectedNode = selected
    ? (graph.nodeOfRef.get(selected.workflowTask?.taskReferenceName ?? selected.referenceTaskName) ?? null)
    : null;

  const onNode = useCallback(
    (nodeId: string) => {
      const t = views.get(nodeId)?.task;
      if (t) onSelect(t);
    },
    [views, onSelect],
  );
  const onIteration = useCallback((loopId: string, n: number) => setIterationOf((m) => new Map(m).set(loopId, n)), []);
  const onToggleFork = useCallback(
    (ref: string) =>
      setOpenForks((s) => {
        const next = new Set(s);
        if (next.has(ref)) next.delete(ref);
        else next.add(ref);
        return next;
      }),
    [],
  );
  return (
    <FlowGraph
      graph={graph}
      views={views}
      runStatus={wf.status}
      selectedNodeId={selectedNode}
      onSelect={onNode}
      iterationOf={iterationOf}
      onIteration={onIteration}
      onToggleFork={onToggleFork}
      openForks={openForks}
      label={`Graph of ${wf.workflowName}: steps coloured by their state`}
    />
  );
}
