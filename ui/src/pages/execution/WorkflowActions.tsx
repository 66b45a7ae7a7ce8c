import { useState } from 'react';
import { useNavigate } from 'react-router';
import { workflowActions } from '../../api/actions';
import type { Abilities } from '../../api/auth-store';
import { isEnded, type Task, type Workflow } from '../../api/types';
import { ActionError } from '../../components/States';
import { Dialog } from '../../components/Dialog';
import { RerunDialog } from './RerunDialog';
import { SignalDialog } from './SignalDialog';
import { useRunAction } from './use-run-action';

type Open = null | 'terminate' | 'restart' | 'remove' | 'rerun' | 'signal';

/**
 * What an operator can do to the run as it stands: only the actions its status allows are shown;
 * a viewer sees them disabled, with why. The engine still decides: a refusal is shown as it says it.
 */
export function WorkflowActions({ wf, abilities, selected }: { wf: Workflow; abilities: Abilities; selected: Task | null }) {
  const id = wf.workflowId;
  const navigate = useNavigate();
  const [open, setOpen] = useState<Open>(null);
  const [reason, setReason] = useState('');
  const [latestDefs, setLatestDefs] = useState(false);
  const pause = useRunAction(id, () => workflowActions.pause(id), 'Workflow paused: running steps finish, no new step starts');
  const resume = useRunAction(id, () => workflowActions.resume(id), 'Workflow resumed');
  const retry = useRunAction(id, () => workflowActions.retry(id), 'Retrying the failed steps');
  const terminate = useRunAction(id, (r: string) => workflowActions.terminate(id, r), 'Workflow terminated');
  const restart = useRunAction(id, (latest: boolean) => workflowActions.restart(id, latest), 'Workflow restarted from the beginning');
  const remove = useRunAction(id, () => workflowActions.remove(id), 'Workflow removed');
  const all = [pause, resume, retry, terminate, restart, remove];
  const busy = all.some((m) => m.isPending);
  const error = all.find((m) => m.error)?.error;

  const ended = isEnded(wf.status);
  const failed = wf.status === 'FAILED' || wf.status === 'TIMED_OUT' || wf.status === 'TERMINATED';
  const why = abilities.control ? undefined : 'Your role may read runs but not change them';
  const btn = (label: string, onClick: () => void, extra = '') => (
    <button type="button" className={extra} disabled={!abilities.control || busy} title={why} onClick={onClick}>
      {label}
    </button>
  );
  const close = () => setOpen(null);

  return (
    <div className="actions" role="toolbar" aria-label="Workflow actions">
      {wf.status === 'RUNNING' && btn('Pause', () => pause.mutate(undefined))}
      {wf.status === 'PAUSED' && btn('Resume', () => resume.mutate(undefined), 'primary')}
      {failed && btn('Retry', () => retry.mutate(undefined), 'primary')}
      {ended && btn('Rerun from a task…', () => setOpen('rerun'))}
      {ended && btn('Restart…', () => setOpen('restart'))}
      {!ended && btn('Send signal…', () => setOpen('signal'))}
      {!ended && btn('Terminate…', () => setOpen('terminate'), 'danger')}
      {ended && btn('Remove…', () => setOpen('remove'), 'danger')}
      <ActionError error={error} />

      <Dialog title="Terminate this workflow?" open={open === 'terminate'} onClose={close}>
        <p>
          Open steps are cancelled, sub-workflows are terminated, and late worker reports are refused. This cannot be undone, but a
          terminated run can be retried.
        </p>
        <label className="field">
          Reason (kept on the run)
          <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="terminated from the UI" />
        </label>
        <div className="dialog-actions">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              terminate.mutate(reason.trim() || 'terminated from the UI');
              close();
            }}
          >
            Terminate
          </button>
        </div>
      </Dialog>

      <Dialog title="Restart this workflow?" open={open === 'restart'} onClose={close}>
        <p>The run starts again from its first step with the same id and input. Its current attempts are deleted.</p>
        <label className="check">
          <input type="checkbox" checked={latestDefs} onChange={(e) => setLatestDefs(e.target.checked)} />
          Use the latest version of the definition (instead of v{wf.workflowVersion})
        </label>
        <div className="dialog-actions">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => {
              restart.mutate(latestDefs);
              close();
            }}
          >
            Restart
          </button>
        </div>
      </Dialog>

      <Dialog title="Remove this workflow?" open={open === 'remove'} onClose={close}>
        <p>The run and its attempts are deleted from the store. This cannot be undone.</p>
        <div className="dialog-actions">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              remove.mutate(undefined, { onSuccess: () => void navigate('/executions') });
              close();
            }}
          >
            Remove
          </button>
        </div>
      </Dialog>

      <RerunDialog wf={wf} open={open === 'rerun'} onClose={close} initialTask={selected} />
      <SignalDialog wf={wf} open={open === 'signal'} onClose={close} />
    </div>
  );
}
