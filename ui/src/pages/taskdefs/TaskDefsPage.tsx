import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useAbilities } from '../../api/auth';
import { useTaskDefs } from '../../api/queries';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/States';
import { formatDuration } from '../../lib/time';

const secs = (s: number) => (s > 0 ? formatDuration(s * 1000) : 'none');

/** /taskDefs: every task type's policy at a glance; a name opens the policy editor. */
export default function TaskDefsPage() {
  const defs = useTaskDefs();
  const abilities = useAbilities();
  const [text, setText] = useState('');
  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (defs.data ?? [])
      .filter((d) => !needle || `${d.name} ${d.description ?? ''} ${d.ownerEmail ?? ''}`.toLowerCase().includes(needle))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [defs.data, text]);
  return (
    <>
      <PageHeader
        title="Task definitions"
        sub="Retry, timeout, rate and concurrency policies of each task type. Changes apply to running workflows."
      >
        {abilities.editDefinitions && (
          <Link to="/taskDef" className="button-link primary">
            New task definition
          </Link>
        )}
      </PageHeader>
      <div className="filters-row">
        <label className="field">
          Filter
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name, description or owner" />
        </label>
      </div>
      {defs.isPending ? (
        <Loading what="task definitions" />
      ) : defs.isError ? (
        <ErrorState what="task definitions" error={defs.error} onRetry={() => void defs.refetch()} />
      ) : rows.length === 0 ? (
        <Empty title={text ? 'No task definition matches' : 'No task definitions yet'}>
          <p>Worker tasks without one run with the default policy (3 retries, 60 s apart, 1 h response timeout).</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Task definitions">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Retries</th>
                <th scope="col">Response timeout</th>
                <th scope="col">Attempt timeout</th>
                <th scope="col">Timeout policy</th>
                <th scope="col">Concurrency</th>
                <th scope="col">Rate limit</th>
                <th scope="col">Owner</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.name}>
                  <td>
                    <Link to={`/taskDef/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                    {d.description && <div className="muted small">{d.description}</div>}
                  </td>
                  <td>
                    {d.retryCount} × {d.retryLogic.toLowerCase().replace(/_/g, ' ')} {secs(d.retryDelaySeconds)}
                  </td>
                  <td>{secs(d.responseTimeoutSeconds)}</td>
                  <td>{secs(d.timeoutSeconds)}</td>
                  <td>{d.timeoutPolicy}</td>
                  <td>{d.concurrentExecLimit || 'unlimited'}</td>
                  <td>{d.rateLimitPerFrequency ? `${d.rateLimitPerFrequency} per ${secs(d.rateLimitFrequencyInSeconds)}` : 'none'}</td>
                  <td>{d.ownerEmail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
