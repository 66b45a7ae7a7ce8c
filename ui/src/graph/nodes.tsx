import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { ReactNode } from 'react';
import { StatusText, statusClass } from '../components/Status';
import { formatDuration } from '../lib/time';
import type { GraphNode } from './model';
import type { StepView } from './status';

export type FlowData = {
  node: GraphNode;
  view?: StepView;
  selected: boolean;
  runStatus?: string;
  iteration: number;
  open: boolean;
  onSelect?: (nodeId: string) => void;
  onIteration?: (loopId: string, iteration: number) => void;
  onToggleFork?: (forkRef: string) => void;
};
type FlowNodeProps = NodeProps<Node<FlowData>>;

const handles = (
  <>
    <Handle type="target" position={Position.Top} isConnectable={false} />
    <Handle type="source" position={Position.Bottom} isConnectable={false} />
  </>
);

function Shell({ d, children, extra }: { d: FlowData; children: ReactNode; extra?: string }) {
  const status = d.view?.status ?? (d.view === undefined ? 'DEFINED' : 'NOT_RUN');
  const cls = `gnode ${extra ?? ''} ${statusClass(status)}${d.selected ? ' gnode-selected' : ''}`;
  const label = `${d.node.label}${d.node.type ? ` (${d.node.type})` : ''}${d.view ? `: ${status.replace(/_/g, ' ').toLowerCase()}` : ''}`;
  return (
    <>
      {handles}
      {d.onSelect ? (
        <button type="button" className={cls} aria-pressed={d.selected} aria-label={label} onClick={() => d.onSelect?.(d.node.id)}>
          {children}
        </button>
      ) : (
        <div className={cls} aria-label={label}>
          {children}
        </div>
      )}
    </>
  );
}

function duration(v: StepView | undefined): string | null {
  const t = v?.task;
  if (!t || !t.startTime) return null;
  return formatDuration((t.endTime || Date.now()) - t.startTime);
}

function StepNode({ data: d }: FlowNodeProps) {
  const v = d.view;
  const time = duration(v);
  return (
    <Shell d={d}>
      <span className="gnode-title">{d.node.label}</span>
      <span className="gnode-meta">
        <span className="gnode-type">{d.node.type === 'SIMPLE' ? d.node.ref : d.node.type}</span>
        {v && v.status !== 'NOT_RUN' && <StatusText status={v.status} />}
        {v && v.attempts > 1 && <span title="attempts of this step">×{v.attempts}</span>}
        {time && <span>{time}</span>}
      </span>
    </Shell>
  );
}

function BranchNode({ data: d }: FlowNodeProps) {
  const v = d.view;
  return (
    <Shell d={d} extra="gnode-branch">
      <span className="gnode-title">{d.node.label}</span>
      <span className="gnode-meta">{v && v.status !== 'NOT_RUN' ? <StatusText status={v.status} /> : <span>not run</span>}</span>
    </Shell>
  );
}

function Counts({ counts }: { counts: StepView['counts'] }) {
  const entries = Object.entries(counts ?? {});
  if (!entries.length) return <span>none started</span>;
  return (
    <>
      {entries.map(([s, n]) => (
        <span key={s} className={`count ${statusClass(s)}`}>
          {n} {s.replace(/_/g, ' ').toLowerCase()}
        </span>
      ))}
    </>
  );
}

function DynamicNode({ data: d }: FlowNodeProps) {
  return (
    <>
      {handles}
      <div className={`gnode gnode-group ${statusClass(d.view?.status ?? 'NOT_RUN')}`}>
        <span className="gnode-title">{d.node.label}</span>
        <span className="gnode-meta">
          <Counts counts={d.view?.counts} />
        </span>
        {d.onToggleFork && d.node.ref && (
          <button type="button" className="link-button nodrag" onClick={() => d.onToggleFork?.(d.node.ref as string)}>
            Show branches
          </button>
        )}
      </div>
    </>
  );
}

function MoreNode({ data: d }: FlowNodeProps) {
  return (
    <>
      {handles}
      <div className="gnode gnode-group st-NOT_RUN">
        <span className="gnode-title">{d.node.label}</span>
        <span className="gnode-meta">
          <Counts counts={d.view?.counts} />
        </span>
      </div>
    </>
  );
}

function LoopNode({ data: d }: FlowNodeProps) {
  const v = d.view;
  const total = v?.iterations ?? 0;
  const it = d.iteration;
  return (
    <>
      {handles}
      <div className={`gloop ${statusClass(v?.status ?? (v ? 'NOT_RUN' : 'DEFINED'))}${d.selected ? ' gnode-selected' : ''}`}>
        <div className="gloop-head">
          {d.onSelect ? (
            <button type="button" className="link-button nodrag" onClick={() => d.onSelect?.(d.node.id)} aria-pressed={d.selected}>
              {d.node.label} (DO_WHILE)
            </button>
          ) : (
            <span>{d.node.label} (DO_WHILE)</span>
          )}
          {v && v.status !== 'NOT_RUN' && <StatusText status={v.status} />}
          {d.onIteration && total > 0 && (
            <span className="iteration nodrag" role="group" aria-label={`iteration of ${d.node.label}`}>
              <button type="button" aria-label="previous iteration" disabled={it <= 1} onClick={() => d.onIteration?.(d.node.id, it - 1)}>
                ‹
              </button>
              <span>
                iteration {it} of {total}
              </span>
              <button type="button" aria-label="next iteration" disabled={it >= total} onClick={() => d.onIteration?.(d.node.id, it + 1)}>
                ›
              </button>
            </span>
          )}
        </div>
      </div>
    </>
  );
}

function TerminalNode({ data: d }: FlowNodeProps) {
  const status =
    d.node.id === '__end' && d.runStatus && d.runStatus !== 'RUNNING'
      ? d.runStatus
      : d.node.id === '__start' && d.runStatus
        ? 'COMPLETED'
        : 'DEFINED';
  return (
    <>
      {d.node.id === '__end' && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className={`gterminal ${statusClass(status)}`}>
        {d.node.id === '__end' && d.runStatus && d.runStatus !== 'RUNNING' ? d.runStatus.toLowerCase().replace(/_/g, ' ') : d.node.label}
      </div>
      {d.node.id === '__start' && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </>
  );
}

export const nodeTypes = {
  step: StepNode,
  branch: BranchNode,
  dynamic: DynamicNode,
  more: MoreNode,
  loop: LoopNode,
  terminal: TerminalNode,
};
