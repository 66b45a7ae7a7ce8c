import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useAbilities } from '../../api/auth';
import { useWorkflowDef, useWorkflowDefs } from '../../api/queries';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/States';
import { Tabs } from '../../components/Tabs';
import { FlowGraph } from '../../graph/FlowGraph';
import { buildGraph } from '../../graph/model';
import { StartRunDialog } from './StartRunDialog';

const SourceTab = lazy(() => import('./SourceTab'));
const EditTab = lazy(() => import('./EditTab'));
const DiffTab = lazy(() => import('./DiffTab'));

type Tab = 'graph' | 'source' | 'edit' | 'diff';

/**
 * /workflowDef/{name}/{version}: one version as a graph and as JSON or YAML, the editor (validated
 * as you type with the server's own checks), a diff between versions, and a run started from it.
 * /workflowDef alone: a new definition.
 */
export default function WorkflowDefPage() {
  const { name, version } = useParams();
  if (!name) return <NewDefinition />;
  return <ExistingDefinition name={name} version={version ? Number(version) : undefined} />;
}

function NewDefinition() {
  return (
    <>
      <PageHeader
        title="New workflow definition"
        sub="Write it in JSON or YAML; it is checked as you type with the same rules the engine applies."
      />
      <Suspense fallback={<Loading what="the editor" />}>
        <EditTab def={null} versions={[]} />
      </Suspense>
    </>
  );
}

function ExistingDefinition({ name, version }: { name: string; version: number | undefined }) {
  const navigate = useNavigate();
  const abilities = useAbilities();
  const all = useWorkflowDefs();
  const def = useWorkflowDef(name, version);
  const [tab, setTab] = useState<Tab>('graph');
  const [starting, setStarting] = useState(false);
  const versions = useMemo(
    () =>
      (all.data ?? [])
        .filter((d) => d.name === name)
        .map((d) => d.version)
        .sort((a, b) => b - a),
    [all.data, name],
  );
  const graph = useMemo(() => (def.data ? buildGraph(def.data) : null), [def.data]);

  if (def.isPending) return <Loading what="the definition" />;
  if (def.isError)
    return (
      <ErrorState
        what={`workflow definition ${name}${version ? ` v${version}` : ''}`}
        error={def.error}
        onRetry={() => void def.refetch()}
      />
    );
  const d = def.data;

  return (
    <>
      <PageHeader
        title={
          <>
            {d.name} <span className="muted">v{d.version}</span>
          </>
        }
        sub={d.description}
      >
        <label className="field inline">
          Version
          <select value={d.version} onChange={(e) => void navigate(`/workflowDef/${encodeURIComponent(name)}/${e.target.value}`)}>
            {(versions.length ? versions : [d.version]).map((v) => (
              <option key={v} value={v}>
                v{v}
                {v === versions[0] ? ' (latest)' : ''}
              </option>
            ))}
          </select>
        </label>
        <Link to={`/executions?name=${encodeURIComponent(name)}`} className="button-link">
          Runs
        </Link>
        <button
          type="button"
          className="primary"
          disabled={!abilities.control}
          title={abilities.control ? undefined : 'Your role may not start runs'}
          onClick={() => setStarting(true)}
        >
          Start a run…
        </button>
      </PageHeader>
      <Tabs<Tab>
        label="Definition views"
        value={tab}
        onChange={setTab}
        tabs={[
          ['graph', 'Graph'],
          ['source', 'JSON / YAML'],
          ['edit', 'Edit'],
          ['diff', 'Compare versions'],
        ]}
      />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'graph' && graph && <FlowGraph graph={graph} label={`Graph of ${d.name} version ${d.version}`} />}
        <Suspense fallback={<Loading what="the editor" />}>
          {tab === 'source' && <SourceTab def={d} />}
          {tab === 'edit' && <EditTab key={`${d.name}:${d.version}`} def={d} versions={versions} />}
          {tab === 'diff' && <DiffTab name={name} version={d.version} versions={versions} />}
        </Suspense>
      </div>
      <StartRunDialog def={d} open={starting} onClose={() => setStarting(false)} />
    </>
  );
}
