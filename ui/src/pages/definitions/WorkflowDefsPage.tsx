import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useAbilities } from '../../api/auth';
import { useWorkflowDefs } from '../../api/queries';
import type { WorkflowDef } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';

interface Row {
  latest: WorkflowDef;
  versions: number[];
}

/** /workflowDefs: every workflow definition, latest version first, with its versions. */
export default function WorkflowDefsPage() {
  const defs = useWorkflowDefs();
  const abilities = useAbilities();
  const [text, setText] = useState('');
  const rows = useMemo(() => {
    const by = new Map<string, Row>();
    for (const d of defs.data ?? []) {
      const r = by.get(d.name);
      if (!r) by.set(d.name, { latest: d, versions: [d.version] });
      else {
        r.versions.push(d.version);
        if (d.version > r.latest.version) r.latest = d;
      }
    }
    const needle = text.trim().toLowerCase();
    return [...by.values()]
      .filter((r) => !needle || `${r.latest.name} ${r.latest.description ?? ''}`.toLowerCase().includes(needle))
      .sort((a, b) => a.latest.name.localeCompare(b.latest.name));
  }, [defs.data, text]);

  return (
    <>
      <PageHeader title="Workflow definitions" sub="Each name keeps all its versions; runs keep the version they started with.">
        {abilities.editDefinitions && (
          <Link to="/workflowDef" className="button-link primary">
            New definition
          </Link>
        )}
      </PageHeader>
      <div className="filters-row">
        <label className="field">
          Filter
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name or description" />
        </label>
      </div>
      {defs.isPending ? (
        <Loading what="workflow definitions" />
      ) : defs.isError ? (
        <ErrorState what="workflow definitions" error={defs.error} onRetry={() => void defs.refetch()} />
      ) : rows.length === 0 ? (
        <Empty title={text ? 'No definition matches' : 'No workflow definitions yet'}>
          <p>
            Register one with <code>POST /api/metadata/workflow</code>
            {abilities.editDefinitions ? (
              <>
                {' '}
                or <Link to="/workflowDef">write one here</Link>
              </>
            ) : null}
            .
          </p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Workflow definitions">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest</th>
                <th scope="col">Versions</th>
                <th scope="col">Steps</th>
                <th scope="col">Description</th>
                <th scope="col">Runs</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ latest, versions }) => (
                <tr key={latest.name}>
                  <td>
                    <Link to={`/workflowDef/${encodeURIComponent(latest.name)}/${latest.version}`}>{latest.name}</Link>
                  </td>
                  <td>v{latest.version}</td>
                  <td>
                    {versions
                      .sort((a, b) => b - a)
                      .slice(0, 8)
                      .map((v) => (
                        <Link
                          key={v}
                          className="chip"
                          to={`/workflowDef/${encodeURIComponent(latest.name)}/${v}`}
                          aria-label={`${latest.name} version ${v}`}
                        >
                          v{v}
                        </Link>
                      ))}
                    {versions.length > 8 && <span className="muted"> +{versions.length - 8}</span>}
                  </td>
                  <td>{countSteps(latest.tasks)}</td>
                  <td className="reason">{latest.description ?? ''}</td>
                  <td>
                    <Link to={`/executions?name=${encodeURIComponent(latest.name)}`}>runs</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            Times shown elsewhere are in your zone; this list was read <Time value={defs.dataUpdatedAt} relative />.
          </p>
        </div>
      )}
    </>
  );
}

function countSteps(tasks: WorkflowDef['tasks'] | undefined): number {
  let n = 0;
  for (const t of tasks ?? []) {
    n += 1;
    for (const c of Object.values(t.decisionCases ?? {})) n += countSteps(c);
    n += countSteps(t.defaultCase);
    for (const b of t.forkTasks ?? []) n += countSteps(b);
    n += countSteps(t.loopOver);
  }
  return n;
}
