import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import type { Task, Workflow } from '../../api/types';
import { statusClass } from '../../components/Status';
import { formatClock, formatDuration, formatExact } from '../../lib/time';

const ROW = 26;

/**
 * A Gantt chart of every attempt: the light, hatched part of a bar is the time it waited in the
 * queue (scheduled to claimed, retry delays included), the solid part the time a worker had it
 * (claimed to ended). Rows are virtualized like the task list.
 */
export function Timeline({
  wf,
  tasks,
  selectedId,
  onSelect,
}: {
  wf: Workflow;
  tasks: Task[];
  selectedId: string | null;
  onSelect: (t: Task) => void;
}) {
  const rows = useMemo(() => [...tasks].sort((a, b) => a.scheduledTime - b.scheduledTime || a.seq - b.seq), [tasks]);
  const now = Date.now();
  const t0 = Math.min(wf.startTime || Infinity, ...rows.slice(0, 1).map((t) => t.scheduledTime));
  const tEnd = Math.max(wf.endTime || 0, ...rows.map((t) => t.endTime || (t.startTime || t.scheduledTime ? now : 0)), t0 + 1);
  const span = Math.max(1, tEnd - t0);
  const pct = (ms: number) => `${(((ms - t0) / span) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(0.15, ((b - a) / span) * 100).toFixed(3)}%`;
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 15 });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => t0 + f * span);

  if (!rows.length || !Number.isFinite(t0)) return <p className="muted">No task has been scheduled yet.</p>;
  return (
    <div className="timeline" role="table" aria-label={`Timeline of ${rows.length} attempts over ${formatDuration(span)}`}>
      <div className="legend" aria-hidden="true">
        <span>
          <span className="swatch wait" /> waiting in queue
        </span>
        <span>
          <span className="swatch run st-COMPLETED" /> running (colour: status)
        </span>
        <span className="muted">
          {formatDuration(span)} from {formatClock(t0)}
        </span>
      </div>
      <div role="row" className="trow thead">
        <span role="columnheader">Step and attempt</span>
        <span role="columnheader" className="taxis">
          {ticks.map((t, i) => (
            <span key={i} style={{ left: `${i * 25}%` }}>
              +{formatDuration(t - t0)}
            </span>
          ))}
        </span>
      </div>
      <div ref={scroller} className="vscroll" style={{ height: Math.min(600, rows.length * ROW + 2) }} data-testid="timeline-rows">
        <div style={{ height: v.getTotalSize(), position: 'relative' }} role="rowgroup">
          {v.getVirtualItems().map((item) => {
            const t = rows[item.index] as Task;
            const started = t.startTime || 0;
            const ended = t.endTime || (started ? now : 0);
            const waitEnd = started || t.endTime || now;
            const title = [
              `${t.referenceTaskName}, attempt ${t.retryCount + 1}: ${t.status}`,
              `scheduled ${formatExact(t.scheduledTime).split('\n')[0]}`,
              started ? `claimed after ${formatDuration(started - t.scheduledTime)} in the queue` : 'not claimed',
              started ? `ran ${formatDuration(ended - started)}${t.endTime ? '' : ' so far'}` : '',
              t.workerId ? `worker ${t.workerId}` : '',
            ]
              .filter(Boolean)
              .join('\n');
            return (
              <div
                key={t.taskId}
                role="row"
                className={`trow${t.taskId === selectedId ? ' selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW }}
              >
                <span role="cell" className="tlabel">
                  <button type="button" className="link-button" onClick={() => onSelect(t)} title={title}>
                    {t.referenceTaskName}
                    {t.retryCount > 0 ? ` #${t.retryCount + 1}` : ''}
                  </button>
                </span>
                <span role="cell" className="tbar-area" title={title}>
                  <span className="tbar wait" style={{ left: pct(t.scheduledTime), width: width(t.scheduledTime, waitEnd) }} />
                  {started > 0 && (
                    <span className={`tbar run ${statusClass(t.status)}`} style={{ left: pct(started), width: width(started, ended) }} />
                  )}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
