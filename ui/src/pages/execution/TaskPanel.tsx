import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Abilities } from '../../api/auth-store';
import { useChildRuns, useTaskLogs } from '../../api/queries';
import { isEnded, isOpenTask, type Task, type Workflow } from '../../api/types';
import { ErrorState, Loading } from '../../components/States';
import { PayloadView } from '../../components/ExternalPayloadView';
import { StatusBadge } from '../../components/Status';
import { Tabs } from '../../components/Tabs';
import { Duration, Time } from '../../components/Time';
import { isMasked } from '../../lib/masked';
import { CompleteDialog } from './CompleteDialog';
import { RerunDialog } from './RerunDialog';
import { SkipDialog } from './SkipDialog';

type PanelTab = 'summary' | 'input' | 'output' | 'logs' | 'attempts';

/** One attempt in full, its step's other attempts, and what can be done to it. */
export function TaskPanel({
  wf,
  task,
  attempts,
  abilities,
  onClose,
  onSelect,
}: {
  wf: Workflow;
  task: Task;
  attempts: Task[];
  abilities: Abilities;
  onClose: () => void;
  onSelect: (t: Task) => void;
}) {
  const [tab, setTab] = useState<PanelTab>('summary');
  const [dialog, setDialog] = useState<null | 'complete' | 'skip' | 'rerun'>(null);
  const ref = task.workflowTask?.taskReferenceName ?? task.referenceTaskName;
  const type = task.workflowTask?.type ?? task.taskType;
  const open = isOpenTask(task.status);
  const running = !isEnded(wf.status);
  const why = abilities.control ? undefined : 'Your role may read runs but not change them';
  const isSub = type === 'SUB_WORKFLOW' || type === 'START_WORKFLOW';

  return (
    <aside className="task-panel" aria-label={`Task ${task.referenceTaskName}`} data-testid="task-panel">
      <header className="task-panel-head">
        <div>
          <h2>{task.referenceTaskName}</h2>
          <div className="muted">
            {type}
            {task.taskDefName && task.taskDefName !== task.referenceTaskName && type === 'SIMPLE' ? (
              <>
                {' '}
                · <Link to={`/taskDef/${encodeURIComponent(task.taskDefName)}`}>{task.taskDefName}</Link>
              </>
            ) : null}{' '}
            · attempt {task.retryCount + 1}
            {task.iteration > 0 ? ` · iteration ${task.iteration}` : ''}
          </div>
        </div>
        <StatusBadge status={task.status} />
        <button type="button" className="icon" aria-label="Close the task panel" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="actions" role="toolbar" aria-label="Task actions">
        {open && running && (
          <button type="button" className="primary" disabled={!abilities.control} title={why} onClick={() => setDialog('complete')}>
            {type === 'WAIT' || type === 'HUMAN' ? 'Complete…' : 'Complete by hand…'}
          </button>
        )}
        {open && running && (
          <button type="button" disabled={!abilities.control} title={why} onClick={() => setDialog('skip')}>
            Skip…
          </button>
        )}
        {!running && (
          <button type="button" disabled={!abilities.control} title={why} onClick={() => setDialog('rerun')}>
            Rerun from here…
          </button>
        )}
        {isSub && <SubWorkflowLink wf={wf} task={task} />}
        {type === 'SIMPLE' && (
          <Link to={`/taskQueue/${encodeURIComponent(task.taskType)}`} className="button-link">
            Queue
          </Link>
        )}
      </div>
      {task.reasonForIncompletion && (
        <p className="reason-box reason-failed">
          <strong>Reason:</strong> {task.reasonForIncompletion}
        </p>
      )}
      <Tabs<PanelTab>
        label="Task details"
        idPrefix="task-"
        value={tab}
        onChange={setTab}
        tabs={[
          ['summary', 'Summary'],
          ['input', 'Input'],
          ['output', 'Output'],
          ['logs', 'Logs'],
          ['attempts', `Attempts (${attempts.length})`],
        ]}
      />
      <div role="tabpanel" id={`task-panel-${tab}`} aria-labelledby={`task-tab-${tab}`} className="tabpanel">
        {tab === 'summary' && <Summary task={task} />}
        {tab === 'input' && (
          <PayloadView value={task.inputData} externalPath={task.externalInputPayloadStoragePath} payloadType="TASK_INPUT" label="Input" />
        )}
        {tab === 'output' && (
          <PayloadView
            value={task.outputData}
            externalPath={task.externalOutputPayloadStoragePath}
            payloadType="TASK_OUTPUT"
            label="Output"
          />
        )}
        {tab === 'logs' && <Logs taskId={task.taskId} />}
        {tab === 'attempts' && <Attempts attempts={attempts} current={task} onSelect={onSelect} />}
      </div>
      <CompleteDialog wf={wf} task={task} open={dialog === 'complete'} onClose={() => setDialog(null)} />
      <SkipDialog wf={wf} refName={ref} open={dialog === 'skip'} onClose={() => setDialog(null)} />
      <RerunDialog wf={wf} open={dialog === 'rerun'} onClose={() => setDialog(null)} initialTask={task} />
    </aside>
  );
}

function Summary({ task }: { task: Task }) {
  const wait = task.startTime ? task.startTime - task.scheduledTime : task.endTime ? null : Date.now() - task.scheduledTime;
  const runTime = task.startTime ? (task.endTime || Date.now()) - task.startTime : null;
  const rows: Array<[string, ReactNode]> = [
    ['Task id', <span className="mono">{task.taskId}</span>],
    ['Scheduled', <Time value={task.scheduledTime} />],
    ['Visible to workers', task.visibleAt && task.visibleAt !== task.scheduledTime ? <Time value={task.visibleAt} /> : 'at once'],
    ['Started (claimed)', <Time value={task.startTime} />],
    ['Ended', <Time value={task.endTime} />],
    ['Waited in queue', <Duration ms={wait} />],
    ['Ran for', <Duration ms={runTime} />],
    ['Worker', task.workerId ?? <span className="muted">–</span>],
    ['Polls', task.pollCount],
    ['Lease until', task.leaseUntil ? <Time value={task.leaseUntil} /> : <span className="muted">–</span>],
    ['Timeout policy', task.timeoutPolicy ?? <span className="muted">–</span>],
  ];
  if (task.timedOutBy) rows.push(['Timed out by', task.timedOutBy]);
  if (task.exhausted) rows.push(['Poison', 'its step gave up after this attempt']);
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Logs({ taskId }: { taskId: string }) {
  const logs = useTaskLogs(taskId);
  if (logs.isPending) return <Loading what="logs" />;
  if (logs.isError) return <ErrorState what="logs" error={logs.error} onRetry={() => void logs.refetch()} />;
  if (!logs.data.length) return <p className="muted">This attempt logged nothing.</p>;
  const masked = logs.data.every((l) => isMasked(l.log));
  return (
    <>
      {masked && (
        <p className="masked-note" role="note">
          <span aria-hidden="true">🔒</span> Masked: your role (viewer) does not see log lines.
        </p>
      )}
      <ol className="logs">
        {logs.data.map((l, i) => (
          <li key={i}>
            <Time value={l.createdTime} /> <span className="mono">{l.log}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

function Attempts({ attempts, current, onSelect }: { attempts: Task[]; current: Task; onSelect: (t: Task) => void }) {
  const sorted = [...attempts].sort((a, b) => a.retryCount - b.retryCount || a.seq - b.seq);
  return (
    <ol className="attempts">
      {sorted.map((t) => (
        <li key={t.taskId} className={t.taskId === current.taskId ? 'current' : ''}>
          <button type="button" className="link-button" onClick={() => onSelect(t)} aria-current={t.taskId === current.taskId}>
            Attempt {t.retryCount + 1}
          </button>{' '}
          <StatusBadge status={t.status} /> <Time value={t.scheduledTime} />
          {t.startTime > 0 && (
            <>
              {' '}
              · waited <Duration ms={t.startTime - t.scheduledTime} /> · ran <Duration ms={(t.endTime || Date.now()) - t.startTime} />
            </>
          )}
          {t.workerId && <> · {t.workerId}</>}
          {t.reasonForIncompletion && <div className="reason">{t.reasonForIncompletion}</div>}
        </li>
      ))}
    </ol>
  );
}

/** The child run: from the task's output (subWorkflowId) or, when that is masked, by parentWorkflowId. */
function SubWorkflowLink({ wf, task }: { wf: Workflow; task: Task }) {
  const fromOutput = task.outputData.subWorkflowId ?? task.outputData.workflowId;
  const direct = typeof fromOutput === 'string' && !isMasked(fromOutput) ? fromOutput : null;
  const children = useChildRuns(wf.workflowId, direct === null);
  const id = direct ?? children.data?.results.find((c) => c.parentWorkflowTaskId === task.taskId)?.workflowId;
  if (!id) return <span className="muted">no sub-workflow started yet</span>;
  return (
    <Link to={`/execution/${encodeURIComponent(id)}`} className="button-link">
      Open sub-workflow
    </Link>
  );
}
