import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { retryPoisonTasks } from '../../api/actions';
import { useAbilities } from '../../api/auth';
import { usePoisonTasks } from '../../api/queries';
import type { RetryFailedResult, Task } from '../../api/types';
import { announce } from '../../components/Announcer';
import { PageHeader } from '../../components/PageHeader';
import { ActionError, Empty, ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/Status';
import { Time } from '../../components/Time';

/**
 * /poisonTasks: the attempts after which their step gave up (retries exhausted, a terminal error,
 * a timeout that ended the run), newest first, grouped by task type; after a fix, retry their
 * workflows, all of a type or the ones picked (`POST /api/tasks/failed/retry`).
 */
export default function PoisonPage() {
  const [params, setParams] = useSearchParams();
  const taskType = params.get('taskType') ?? '';
  const [limit, setLimit] = useState(100);
  const poison = usePoisonTasks(taskType, limit);
  const abilities = useAbilities();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<RetryFailedResult | null>(null);
  const groups = useMemo(() => {
    const m = new Map<string, Task[]>();
    for (const t of poison.data ?? []) m.set(t.taskType, [...(m.get(t.taskType) ?? []), t]);
    return [...m.entries()].sort((a, b) => b[1].length - a[1].length);
  }, [poison.data]);

  const retry = useMutation({
    mutationFn: async (batches: Array<{ taskType: string; workflowIds?: string[] }>) => {
      const all: RetryFailedResult = { retried: [], skipped: [] };
      for (const b of batches) {
        const r = await retryPoisonTasks(b.taskType, b.workflowIds);
        all.retried.push(...r.retried);
        all.skipped.push(...r.skipped);
      }
      return all;
    },
    onSuccess: (r) => {
      setOutcome(r);
      setPicked(new Set());
      announce(
        `${r.retried.length} workflow(s) retried${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}`,
        r.retried.length ? 'ok' : 'error',
      );
      void qc.invalidateQueries({ queryKey: ['poison'] });
    },
  });
  const retryPicked = () => {
    const byType = new Map<string, Set<string>>();
    for (const t of poison.data ?? [])
      if (picked.has(t.taskId)) byType.set(t.taskType, (byType.get(t.taskType) ?? new Set()).add(t.workflowInstanceId));
    retry.mutate([...byType].map(([type, ids]) => ({ taskType: type, workflowIds: [...ids] })));
  };
  const why = abilities.control ? undefined : 'Your role may not retry workflows';

  return (
    <>
      <PageHeader
        title="Poison tasks"
        sub="Attempts after which their step gave up. Fix the cause (a worker, a policy), then retry their workflows from the failed step."
      >
        <label className="field inline">
          Task type
          <select value={taskType} onChange={(e) => setParams(e.target.value ? { taskType: e.target.value } : {})}>
            <option value="">all</option>
            {[...new Set([taskType, ...groups.map(([t]) => t)].filter(Boolean))].sort().map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          Newest
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {[100, 500, 1000].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      </PageHeader>
      {outcome && (
        <div className="outcome" role="status" data-testid="retry-outcome">
          <strong>{outcome.retried.length} workflow(s) retried.</strong>
          {outcome.skipped.length > 0 && (
            <>
              {' '}
              {outcome.skipped.length} skipped:
              <ul>
                {outcome.skipped.slice(0, 20).map((s) => (
                  <li key={s.workflowId}>
                    <Link to={`/execution/${encodeURIComponent(s.workflowId)}`} className="mono">
                      {s.workflowId}
                    </Link>{' '}
                    {s.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
          <button type="button" className="small" onClick={() => setOutcome(null)}>
            Dismiss
          </button>
        </div>
      )}
      <ActionError error={retry.error} />
      {poison.isPending ? (
        <Loading what="poison tasks" />
      ) : poison.isError ? (
        <ErrorState what="poison tasks" error={poison.error} onRetry={() => void poison.refetch()} />
      ) : poison.data.length === 0 ? (
        <Empty title={taskType ? `No poison tasks of type ${taskType}` : 'No poison tasks'}>
          <p>Every step that gave up would be listed here. None did{taskType ? ' for this type' : ''}.</p>
        </Empty>
      ) : (
        <>
          <div className="groups">
            {groups.map(([type, list]) => (
              <div key={type} className="group-card">
                <div>
                  <Link to={`/taskDef/${encodeURIComponent(type)}`}>
                    <strong>{type}</strong>
                  </Link>
                  <div className="muted small">
                    {list.length} poison task{list.length === 1 ? '' : 's'}, newest <Time value={list[0]?.endTime} relative />
                  </div>
                </div>
                <button
                  type="button"
                  className="primary"
                  disabled={!abilities.control || retry.isPending}
                  title={why}
                  onClick={() => retry.mutate([{ taskType: type }])}
                >
                  Retry all of {type}
                </button>
              </div>
            ))}
          </div>
          {abilities.control && picked.size > 0 && (
            <div className="bulkbar" role="region" aria-label="Selected poison tasks">
              <span>{picked.size} selected</span>
              <button type="button" className="primary" disabled={retry.isPending} onClick={retryPicked}>
                Retry the selected workflows
              </button>
            </div>
          )}
          <div className="table-wrap">
            <table className="table" aria-label="Poison tasks">
              <thead>
                <tr>
                  {abilities.control && (
                    <th scope="col" className="col-check">
                      <span className="sr-only">Select</span>
                    </th>
                  )}
                  <th scope="col">Task type</th>
                  <th scope="col">Step</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Ended</th>
                  <th scope="col">Workflow</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {poison.data.map((t) => (
                  <tr key={t.taskId}>
                    {abilities.control && (
                      <td className="col-check">
                        <input
                          type="checkbox"
                          aria-label={`Select ${t.referenceTaskName} of ${t.workflowInstanceId}`}
                          checked={picked.has(t.taskId)}
                          onChange={(e) => {
                            const next = new Set(picked);
                            if (e.target.checked) next.add(t.taskId);
                            else next.delete(t.taskId);
                            setPicked(next);
                          }}
                        />
                      </td>
                    )}
                    <td>{t.taskType}</td>
                    <td>{t.referenceTaskName}</td>
                    <td>
                      <StatusBadge status={t.status} />
                    </td>
                    <td>{t.retryCount + 1}</td>
                    <td>
                      <Time value={t.endTime} />
                    </td>
                    <td>
                      <Link to={`/execution/${encodeURIComponent(t.workflowInstanceId)}/${encodeURIComponent(t.taskId)}`} className="mono">
                        {t.workflowInstanceId}
                      </Link>
                    </td>
                    <td className="reason" title={t.reasonForIncompletion}>
                      {t.reasonForIncompletion ?? ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
