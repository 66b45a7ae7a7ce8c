import { Link } from 'react-router';
import type { Workflow } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';
import { PageHeader } from '../../components/PageHeader';
import { StatusBadge } from '../../components/Status';
import { Duration, Time } from '../../components/Time';
import { useNow } from '../../components/use-now';

/** Who the run is, where it stands, and (when it failed) why, with the failed steps one click away. */
export function RunHeader({ wf, onSelectRef }: { wf: Workflow; onSelectRef: (ref: string) => void }) {
  const end = wf.endTime || 0;
  const start = wf.startTime || wf.createTime || 0;
  const now = useNow(1000, end === 0);
  return (
    <>
      <PageHeader
        title={
          <>
            {wf.workflowName} <span className="muted">v{wf.workflowVersion}</span> <StatusBadge status={wf.status} />
          </>
        }
        sub={
          <dl className="facts">
            <div>
              <dt>Id</dt>
              <dd>
                <span className="mono">{wf.workflowId}</span> <CopyButton text={wf.workflowId} label="Copy id" />
              </dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>
                <Time value={start} />
              </dd>
            </div>
            <div>
              <dt>{end ? 'Ended' : 'Running for'}</dt>
              <dd>{end ? <Time value={end} /> : <Duration ms={start ? now - start : null} />}</dd>
            </div>
            {end > 0 && start > 0 && (
              <div>
                <dt>Took</dt>
                <dd>
                  <Duration ms={end - start} />
                </dd>
              </div>
            )}
            {wf.correlationId && (
              <div>
                <dt>Correlation id</dt>
                <dd>
                  <Link className="mono" to={`/executions?correlationId=${encodeURIComponent(wf.correlationId)}`}>
                    {wf.correlationId}
                  </Link>
                </dd>
              </div>
            )}
            {wf.parentWorkflowId && (
              <div>
                <dt>Parent</dt>
                <dd>
                  <Link className="mono" to={`/execution/${encodeURIComponent(wf.parentWorkflowId)}`}>
                    {wf.parentWorkflowId}
                  </Link>
                </dd>
              </div>
            )}
            {(wf.priority ?? 0) > 0 && (
              <div>
                <dt>Priority</dt>
                <dd>{wf.priority}</dd>
              </div>
            )}
          </dl>
        }
      />
      {wf.reasonForIncompletion && (
        <div className={`reason-box ${wf.status === 'COMPLETED' ? '' : 'reason-failed'}`} role="note" aria-label="Why the run ended">
          <strong>{wf.status === 'TERMINATED' ? 'Terminated' : wf.status === 'TIMED_OUT' ? 'Timed out' : 'Failed'}:</strong>{' '}
          {wf.reasonForIncompletion}
          {wf.failedReferenceTaskNames && wf.failedReferenceTaskNames.length > 0 && (
            <span>
              {' '}
              (failed step{wf.failedReferenceTaskNames.length > 1 ? 's' : ''}:{' '}
              {wf.failedReferenceTaskNames.map((r, i) => (
                <span key={r}>
                  {i > 0 && ', '}
                  <button type="button" className="link-button" onClick={() => onSelectRef(r)}>
                    {r}
                  </button>
                </span>
              ))}
              )
            </span>
          )}
        </div>
      )}
    </>
  );
}
