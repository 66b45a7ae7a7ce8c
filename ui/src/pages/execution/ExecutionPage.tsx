import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useAbilities } from '../../api/auth';
import { useWorkflow } from '../../api/queries';
import type { Task, WorkflowTask } from '../../api/types';
import { ErrorState, Loading } from '../../components/States';
import { Tabs } from '../../components/Tabs';
import { PayloadView } from '../../components/ExternalPayloadView';
import { JsonView } from '../../components/JsonView';
import { indexRun, stepRefOf } from '../../graph/status';
import { RunHeader } from './RunHeader';
import { TaskPanel } from './TaskPanel';
import { TaskTable } from './TaskTable';
import { Timeline } from './Timeline';
import { WorkflowActions } from './WorkflowActions';

const RunGraph = lazy(() => import('./RunGraph'));

type Tab = 'graph' | 'timeline' | 'tasks' | 'data' | 'definition';

/**
 * /execution/{workflowId}[/{taskId}]: one run, live. The graph, the timeline and the task list
 * are three views of the same attempts; picking a step or attempt in any of them opens it on the
 * side (and in the URL, so it can be linked).
 */
export default function ExecutionPage() {
  const { workflowId = '', taskId } = useParams();
  const navigate = useNavigate();
  const run = useWorkflow(workflowId);
  const abilities = useAbilities();
  const [tab, setTab] = useState<Tab>('graph');

  const wf = run.data;
  const tasks = useMemo(() => wf?.tasks ?? [], [wf?.tasks]);
  const taskById = useMemo(() => new Map(tasks.map((t) => [t.taskId, t])), [tasks]);
  const definedRefs = useMemo(() => collectRefs(wf?.workflowDefinition?.tasks ?? []), [wf?.workflowDefinition]);
  const index = useMemo(() => indexRun(tasks, definedRefs.all, definedRefs.dynamicForks), [tasks, definedRefs]);
  const selected = taskId ? (taskById.get(taskId) ?? null) : null;

  const select = useCallback(
    (t: Task | null) => {
      const base = `/execution/${encodeURIComponent(workflowId)}`;
      void navigate(t ? `${base}/${encodeURIComponent(t.taskId)}` : base, { replace: true });
    },
    [navigate, workflowId],
  );

  if (run.isPending) return <Loading what="the execution" />;
  if (!wf) return <ErrorState what="execution" error={run.error} onRetry={() => void run.refetch()} />;

  const attemptsOfSelected = selected ? (index.byRef.get(stepRefOf(selected)) ?? []).filter((t) => t.iteration === selected.iteration) : [];

  return (
    <div className="execution" data-testid="execution" data-status={wf.status} data-tasks={tasks.length}>
      <RunHeader wf={wf} onSelectRef={(ref) => select(latest(index.byRef.get(ref)))} />
      <WorkflowActions wf={wf} abilities={abilities} selected={selected} />
      {run.isError && (
        <p className="action-error" role="alert">
          The last refresh failed; this is the run as it was last read.
        </p>
      )}
      <div className={`execution-body${selected ? ' with-panel' : ''}`}>
        <section className="execution-main" aria-label="Run views">
          <Tabs<Tab>
            label="Run views"
            value={tab}
            onChange={setTab}
            tabs={[
              ['graph', 'Graph'],
              ['timeline', `Timeline`],
              ['tasks', `Tasks (${tasks.length})`],
              ['data', 'Input and output'],
              ['definition', 'Definition'],
            ]}
          />
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
            {tab === 'graph' &&
              (wf.workflowDefinition ? (
                <Suspense fallback={<div className="graph-state">Loading the graph…</div>}>
                  <RunGraph wf={wf} index={index} selected={selected} onSelect={select} />
                </Suspense>
              ) : (
                <p className="muted">This run carries no definition to draw.</p>
              ))}
            {tab === 'timeline' && <Timeline wf={wf} tasks={tasks} selectedId={selected?.taskId ?? null} onSelect={select} />}
            {tab === 'tasks' && <TaskTable tasks={tasks} selectedId={selected?.taskId ?? null} onSelect={select} />}
            {tab === 'data' && (
              <div className="data-grid">
                <section>
                  <h2>Input</h2>
                  <JsonView value={wf.input} label="Input" />
                </section>
                <section>
                  <h2>Output</h2>
                  <PayloadView
                    value={wf.output}
                    externalPath={wf.externalOutputPayloadStoragePath}
                    payloadType="WORKFLOW_OUTPUT"
                    label="Output"
                  />
                </section>
                <section>
                  <h2>Variables</h2>
                  <JsonView value={wf.variables} label="Variables" />
                </section>
              </div>
            )}
            {tab === 'definition' && (
              <>
                <p>
                  The definition this run started with (a snapshot: later edits change new runs only).{' '}
                  <Link to={`/workflowDef/${encodeURIComponent(wf.workflowName)}/${wf.workflowVersion}`}>
                    Open {wf.workflowName} v{wf.workflowVersion}
                  </Link>
                </p>
                <JsonView value={wf.workflowDefinition} label="Definition" />
              </>
            )}
          </div>
        </section>
        {selected && (
          <TaskPanel
            wf={wf}
            task={selected}
            attempts={attemptsOfSelected}
            abilities={abilities}
            onClose={() => select(null)}
            onSelect={select}
          />
        )}
        {taskId && !selected && (
          <aside className="task-panel">
            <p role="alert">Task {taskId} is not part of this run (anymore: a restart replaces the attempts).</p>
            <button type="button" onClick={() => select(null)}>
              Close
            </button>
          </aside>
        )}
      </div>
    </div>
  );
}

function latest(tasks: Task[] | undefined): Task | null {
  if (!tasks?.length) return null;
  return tasks.reduce((a, b) => (b.retryCount > a.retryCount || (b.retryCount === a.retryCount && b.seq > a.seq) ? b : a));
}

interface Refs {
  all: Set<string>;
  dynamicForks: string[];
}

function collectRefs(tasks: readonly WorkflowTask[]): Refs {
  const out: Refs = { all: new Set(), dynamicForks: [] };
  const walk = (list: readonly WorkflowTask[] | undefined) => {
    for (const t of list ?? []) {
      out.all.add(t.taskReferenceName);
      if (t.type === 'FORK_JOIN_DYNAMIC') out.dynamicForks.push(t.taskReferenceName);
      for (const c of Object.values(t.decisionCases ?? {})) walk(c);
      walk(t.defaultCase);
      for (const b of t.forkTasks ?? []) walk(b);
      walk(t.loopOver);
    }
  };
  walk(tasks);
  return out;
}
