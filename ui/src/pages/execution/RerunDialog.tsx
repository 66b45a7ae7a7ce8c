import { useEffect, useState } from 'react';
import { workflowActions } from '../../api/actions';
import type { Task, Workflow } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { JsonField, parseObject } from '../../components/JsonField';
import { ActionError } from '../../components/States';
import { useRunAction } from './use-run-action';

/**
 * Conductor's rerun: the run goes on again from one task (which runs again, optionally with a new
 * input), keeping what came before it. `POST /api/workflow/{id}/rerun` with a RerunWorkflowRequest;
 * if the engine does not offer it, its answer is shown here.
 */
export function RerunDialog({
  wf,
  open,
  onClose,
  initialTask,
}: {
  wf: Workflow;
  open: boolean;
  onClose: () => void;
  initialTask: Task | null;
}) {
  const tasks = wf.tasks ?? [];
  const failedFirst =
    tasks.find((t) => wf.failedReferenceTaskNames?.includes(t.workflowTask?.taskReferenceName ?? t.referenceTaskName)) ?? tasks[0];
  const [taskId, setTaskId] = useState('');
  const [taskInput, setTaskInput] = useState('');
  const [workflowInput, setWorkflowInput] = useState('');
  useEffect(() => {
    if (open) {
      setTaskId(initialTask?.taskId ?? failedFirst?.taskId ?? '');
      setTaskInput('');
      setWorkflowInput('');
    }
  }, [open]);
  const rerun = useRunAction(
    wf.workflowId,
    (r: Parameters<typeof workflowActions.rerun>[1]) => workflowActions.rerun(wf.workflowId, r),
    'Rerun started',
  );
  const ti = parseObject(taskInput);
  const wi = parseObject(workflowInput);
  const ok = taskId !== '' && ti.ok && wi.ok;
  return (
    <Dialog title="Rerun from a task" open={open} onClose={onClose}>
      <p>The chosen task runs again and the run goes on from there; the tasks before it keep their results.</p>
      <label className="field">
        From task
        <select value={taskId} onChange={(e) => setTaskId(e.target.value)}>
          {tasks.map((t) => (
            <option key={t.taskId} value={t.taskId}>
              {t.referenceTaskName} ({t.status.toLowerCase()}, attempt {t.retryCount + 1})
            </option>
          ))}
        </select>
      </label>
      <JsonField
        label="New task input (optional)"
        value={taskInput}
        onChange={setTaskInput}
        hint="Replaces the task's input when given"
        rows={4}
      />
      <JsonField label="New workflow input (optional)" value={workflowInput} onChange={setWorkflowInput} rows={4} />
      <ActionError error={rerun.error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!ok || rerun.isPending}
          onClick={() => {
            if (!ti.ok || !wi.ok) return;
            rerun.mutate(
              {
                reRunFromTaskId: taskId,
                ...(taskInput.trim() ? { taskInput: ti.value } : {}),
                ...(workflowInput.trim() ? { workflowInput: wi.value } : {}),
              },
              { onSuccess: onClose },
            );
          }}
        >
          {rerun.isPending ? 'Rerunning…' : 'Rerun'}
        </button>
      </div>
    </Dialog>
  );
}
