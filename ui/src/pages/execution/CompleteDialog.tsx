import { useEffect, useState } from 'react';
import { workflowActions } from '../../api/actions';
import type { Task, Workflow } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { JsonField, parseObject } from '../../components/JsonField';
import { ActionError } from '../../components/States';
import { useRunAction } from './use-run-action';

type Outcome = 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR';

/**
 * Completes a step's open task by reference name (`POST /api/tasks/{workflowId}/{ref}/{status}`):
 * what a person does for a HUMAN or WAIT step. The form's fields come from what the step's input
 * asks for (HUMAN tasks often carry the fields to fill); the output is any JSON object.
 */
export function CompleteDialog({ wf, task, open, onClose }: { wf: Workflow; task: Task; open: boolean; onClose: () => void }) {
  const ref = task.workflowTask?.taskReferenceName ?? task.referenceTaskName;
  const [status, setStatus] = useState<Outcome>('COMPLETED');
  const [output, setOutput] = useState('{}');
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (open) {
      setStatus('COMPLETED');
      setOutput(suggestedOutput(task));
      setReason('');
    }
  }, [open]);
  const complete = useRunAction(
    wf.workflowId,
    (a: { status: Outcome; output: Record<string, unknown> }) =>
      workflowActions.complete(wf.workflowId, task.referenceTaskName, a.status, a.output),
    (a) => `Task ${ref} ${a.status === 'COMPLETED' ? 'completed' : 'failed'}`,
  );
  const parsed = parseObject(output);
  return (
    <Dialog title={`Complete ${ref}`} open={open} onClose={onClose}>
      <fieldset className="radios">
        <legend>Outcome</legend>
        {(['COMPLETED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR'] as const).map((s) => (
          <label key={s} className="check">
            <input type="radio" name="outcome" value={s} checked={status === s} onChange={() => setStatus(s)} />
            {s === 'COMPLETED' ? 'Completed' : s === 'FAILED' ? 'Failed (retried per its policy)' : 'Failed for good (no retry)'}
          </label>
        ))}
      </fieldset>
      <JsonField
        label="Output"
        value={output}
        onChange={setOutput}
        hint="The step's output, a JSON object; later steps read it as ${ref.output...}"
        rows={8}
      />
      {status !== 'COMPLETED' && (
        <label className="field">
          Reason
          <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="rejected by the reviewer" />
        </label>
      )}
      <ActionError error={complete.error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className={status === 'COMPLETED' ? 'primary' : 'danger'}
          disabled={!parsed.ok || complete.isPending}
          onClick={() => {
            if (!parsed.ok) return;
            const out = status !== 'COMPLETED' && reason.trim() ? { ...parsed.value, reasonForIncompletion: reason.trim() } : parsed.value;
            complete.mutate({ status, output: out }, { onSuccess: onClose });
          }}
        >
          {status === 'COMPLETED' ? 'Complete' : 'Fail'}
        </button>
      </div>
    </Dialog>
  );
}

/** A starting point for the output: the keys a HUMAN step's input names (`outputKeys`, `fields`), empty. */
function suggestedOutput(task: Task): string {
  const input = task.inputData;
  const keys = [input.outputKeys, input.fields].find((v): v is unknown[] => Array.isArray(v)) ?? [];
  const names = keys
    .map((k) => (typeof k === 'string' ? k : typeof k === 'object' && k && 'name' in k ? String((k as { name: unknown }).name) : null))
    .filter((k): k is string => !!k);
  if (!names.length) return '{}';
  return JSON.stringify(Object.fromEntries(names.map((n) => [n, null])), null, 2);
}
