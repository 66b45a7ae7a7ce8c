import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { taskStatuses, type Task } from '../../api/types';
import { StatusBadge } from '../../components/Status';
import { Duration, Time } from '../../components/Time';

const ROW = 36;

/**
 * Every attempt of the run, in schedule order, filtered as you type. Only the rows in view are in
 * the page (a 1,000-task run renders about 20), so scrolling and live updates stay cheap.
 */
export function TaskTable({ tasks, selectedId, onSelect }: { tasks: Task[]; selectedId: string | null; onSelect: (t: Task) => void }) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return tasks
      .filter(
        (t) =>
          (!status || t.status === status) &&
          (!needle || `${t.referenceTaskName} ${t.taskType} ${t.workerId ?? ''} ${t.taskId}`.toLowerCase().includes(needle)),
      )
      .sort((a, b) => a.scheduledTime - b.scheduledTime || a.seq - b.seq);
  }, [tasks, text, status]);
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });

  return (
    <div className="tasktable">
      <div className="filters-row">
        <label className="field">
          Filter
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="reference, type, worker or id" />
        </label>
        <label className="field">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            {taskStatuses.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase().replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {rows.length === tasks.length ? `${tasks.length} attempts` : `${rows.length} of ${tasks.length} attempts`}
        </span>
      </div>
      {rows.length === 0 ? (
        <p className="muted">{tasks.length ? 'No attempt matches.' : 'No task has been scheduled yet.'}</p>
      ) : (
        <div className="vtable" role="table" aria-label="Task attempts" aria-rowcount={rows.length + 1}>
          <div role="rowgroup">
            <div role="row" className="vrow vhead" aria-rowindex={1}>
              {['Step', 'Type', 'Status', 'Attempt', 'Scheduled', 'Queue wait', 'Ran for', 'Worker'].map((h) => (
                <span key={h} role="columnheader">
                  {h}
                </span>
              ))}
            </div>
          </div>
          <div ref={scroller} className="vscroll" style={{ height: Math.min(560, rows.length * ROW + 2) }} data-testid="task-rows">
            <div role="rowgroup" style={{ height: v.getTotalSize(), position: 'relative' }}>
              {v.getVirtualItems().map((item) => {
                const t = rows[item.index] as Task;
                const wait = t.startTime ? t.startTime - t.scheduledTime : null;
                return (
                  <div
                    key={t.taskId}
                    role="row"
                    aria-rowindex={item.index + 2}
                    aria-selected={t.taskId === selectedId}
                    className={`vrow${t.taskId === selectedId ? ' selected' : ''}`}
                    style={{ transform: `translateY(${item.start}px)`, height: ROW }}
                  >
                    <span role="cell">
                      <button type="button" className="link-button" onClick={() => onSelect(t)}>
                        {t.referenceTaskName}
                      </button>
                    </span>
                    <span role="cell">{t.taskType}</span>
                    <span role="cell">
                      <StatusBadge status={t.status} />
                    </span>
                    <span role="cell">{t.retryCount + 1}</span>
                    <span role="cell">
                      <Time value={t.scheduledTime} />
                    </span>
                    <span role="cell">
                      <Duration ms={wait} />
                    </span>
                    <span role="cell">
                      <Duration ms={t.startTime ? (t.endTime || Date.now()) - t.startTime : null} />
                    </span>
                    <span role="cell" className="mono">
                      {t.workerId ?? ''}
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
