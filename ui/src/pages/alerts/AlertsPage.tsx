import { Link } from 'react-router';
import { useAlerts, type AlertView } from '../../api/queries';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';

const ruleNames: Record<AlertView['rule'], string> = {
  poisonTask: 'Poison task',
  queueDepth: 'Queue depth',
  runFailed: 'Run failed',
};

/** Where an alert's subject is shown in the UI: its task type's queue or poison list, or its failed run. */
function subject(a: AlertView) {
  const workflowId = typeof a.detail.workflowId === 'string' ? a.detail.workflowId : null;
  if (a.rule === 'queueDepth') return <Link to={`/taskQueue/${encodeURIComponent(a.key)}`}>{a.key}</Link>;
  if (a.rule === 'poisonTask') return <Link to={`/poisonTasks?taskType=${encodeURIComponent(a.key)}`}>{a.key}</Link>;
  return (
    <>
      {a.key}
      {workflowId && (
        <>
          {' '}
          <Link to={`/execution/${encodeURIComponent(workflowId)}`} className="mono small">
            latest run
          </Link>
        </>
      )}
    </>
  );
}

function AlertTable({ label, alerts, resolved }: { label: string; alerts: AlertView[]; resolved: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">About</th>
            <th scope="col">Alert</th>
            <th scope="col">Fired</th>
            <th scope="col">{resolved ? 'Resolved' : 'Last seen'}</th>
            <th scope="col">Times</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={`${a.rule}:${a.key}:${a.firedAt}`} data-rule={a.rule}>
              <td>{ruleNames[a.rule] ?? a.rule}</td>
              <td>{subject(a)}</td>
              <td>{a.message}</td>
              <td>
                <Time value={a.firedAt} relative />
              </td>
              <td>
                <Time value={resolved ? a.resolvedAt : a.lastSeenAt} relative />
              </td>
              <td>{a.occurrences}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * /alerts: the built-in alert rules' active and recently resolved alerts (GET /api/alerts,
 * docs/alerts.md), refreshed every few seconds, and the rules as configured.
 */
export default function AlertsPage() {
  const alerts = useAlerts();
  return (
    <>
      <PageHeader
        title="Alerts"
        sub="Poison tasks, queues backed up for too long and failed runs, as this engine sees them. Rules are changed over REST (PUT /api/alerts/rules/{rule})."
      />
      {alerts.isPending ? (
        <Loading what="alerts" />
      ) : alerts.isError ? (
        <ErrorState what="alerts" error={alerts.error} onRetry={() => void alerts.refetch()} />
      ) : (
        <>
          <h2>Active</h2>
          {alerts.data.active.length === 0 ? (
            <Empty title="No active alerts">
              <p>Nothing is firing now.</p>
            </Empty>
          ) : (
            <AlertTable label="Active alerts" alerts={alerts.data.active} resolved={false} />
          )}
          <h2>Recently resolved</h2>
          {alerts.data.recent.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <AlertTable label="Resolved alerts" alerts={alerts.data.recent} resolved />
          )}
          <h2>Rules</h2>
          <div className="table-wrap">
            <table className="table" aria-label="Alert rules">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Threshold</th>
                  <th scope="col">Minutes</th>
                </tr>
              </thead>
              <tbody>
                {alerts.data.rules.map((r) => (
                  <tr key={r.rule}>
                    <td>{ruleNames[r.rule] ?? r.rule}</td>
                    <td>{r.enabled ? 'yes' : 'no'}</td>
                    <td>{r.rule === 'queueDepth' ? r.threshold : '–'}</td>
                    <td>{r.forMinutes}</td>
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
