import { useMemo } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { usePollData, useQueueDepths, useTaskDefs } from '../../api/queries';
import type { PollData } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { Sparkline } from './Sparkline';
import { useThroughput, WINDOW_MIN } from './throughput';

/** A worker that polled this recently is counted as polling now. */
const ACTIVE_MS = 60_000;

/**
 * /taskQueue: for each task type, how many attempts wait to be claimed, which workers poll it
 * (poll data), and how many attempts ended per minute lately. /taskQueue/{type} opens one type.
 */
export default function TaskQueuePage() {
  const { taskType } = useParams();
  const navigate = useNavigate();
  const depths = useQueueDepths();
  const polls = usePollData();
  const defs = useTaskDefs();
  const byType = useMemo(() => {
    const m = new Map<string, PollData[]>();
    for (const p of polls.data ?? []) m.set(p.queueName, [...(m.get(p.queueName) ?? []), p]);
    return m;
  }, [polls.data]);
  const types = useMemo(
    () => [...new Set([...(defs.data ?? []).map((d) => d.name), ...Object.keys(depths.data ?? {}), ...byType.keys()])].sort(),
    [defs.data, depths.data, byType],
  );
  const throughput = useThroughput(types);
  const now = Date.now();

  if (depths.isPending || polls.isPending) return <Loading what="queues" />;
  if (depths.isError) return <ErrorState what="queue depths" error={depths.error} onRetry={() => void depths.refetch()} />;
  if (polls.isError) return <ErrorState what="poll data" error={polls.error} onRetry={() => void polls.refetch()} />;

  const selected = taskType ?? null;
  const workers = selected ? [...(byType.get(selected) ?? [])].sort((a, b) => b.lastPollTime - a.lastPollTime) : [];
  return (
    <>
      <PageHeader
        title="Task queues"
        sub={`Waiting attempts per task type, the workers polling, and attempts ended per minute over the last ${WINDOW_MIN} minutes. Refreshes every 5 s.`}
      />
      {types.length === 0 ? (
        <Empty title="No task queues yet">
          <p>A queue appears when a task definition is registered or a worker polls a task type.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Task queues">
            <thead>
              <tr>
                <th scope="col">Task type</th>
                <th scope="col">Waiting</th>
                <th scope="col">Workers polling</th>
                <th scope="col">Last poll</th>
                <th scope="col">Ended per minute</th>
                <th scope="col">Last {WINDOW_MIN} min</th>
              </tr>
            </thead>
            <tbody>
              {types.map((t) => {
                const ws = byType.get(t) ?? [];
                const active = ws.filter((w) => now - w.lastPollTime < ACTIVE_MS).length;
                const last = Math.max(0, ...ws.map((w) => w.lastPollTime));
                const depth = depths.data[t] ?? 0;
                const tp = throughput.get(t);
                return (
                  <tr key={t} className={t === selected ? 'selected' : ''} data-testid={`queue-${t}`}>
                    <td>
                      <Link to={`/taskQueue/${encodeURIComponent(t)}`} aria-current={t === selected ? 'true' : undefined}>
                        {t}
                      </Link>
                    </td>
                    <td className={depth > 0 && active === 0 ? 'warn-cell' : ''} data-testid="depth">
                      {depth}
                      {depth > 0 && active === 0 && <span className="muted small"> (no worker polling)</span>}
                    </td>
                    <td data-testid="workers">{active}</td>
                    <td>{last ? <Time value={last} relative /> : <span className="muted">never</span>}</td>
                    <td>{tp ? <Sparkline t={tp} /> : <span className="muted">…</span>}</td>
                    <td data-testid="ended">
                      {tp ? (
                        <>
                          {tp.total}
                          {tp.completed.some((c, i) => c || tp.failed[i]) && (
                            <span className="muted small">
                              {' '}
                              ({tp.failed.reduce((a, b) => a + b, 0)} failed{tp.sampled ? '; bars show the newest 1,000' : ''})
                            </span>
                          )}
                        </>
                      ) : (
                        ''
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {selected && (
        <section className="queue-detail" aria-labelledby="queue-h">
          <div className="page-head">
            <h2 id="queue-h">Workers polling {selected}</h2>
            <div className="page-actions">
              <Link to={`/taskDef/${encodeURIComponent(selected)}`} className="button-link">
                Policy
              </Link>
              <Link to={`/poisonTasks?taskType=${encodeURIComponent(selected)}`} className="button-link">
                Poison tasks
              </Link>
              <button type="button" onClick={() => void navigate('/taskQueue')}>
                Close
              </button>
            </div>
          </div>
          {workers.length === 0 ? (
            <p className="muted">No worker has polled {selected} in the last 24 hours.</p>
          ) : (
            <table className="table compact" aria-label={`Workers polling ${selected}`}>
              <thead>
                <tr>
                  <th scope="col">Worker</th>
                  <th scope="col">Last poll</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {workers.map((w) => (
                  <tr key={w.workerId}>
                    <td className="mono">{w.workerId}</td>
                    <td>
                      <Time value={w.lastPollTime} />
                    </td>
                    <td>{now - w.lastPollTime < ACTIVE_MS ? 'polling' : 'gone quiet'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}
