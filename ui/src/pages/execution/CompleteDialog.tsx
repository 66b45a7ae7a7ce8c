import { useEffect, useId, useState } from 'react';
import { workflowActions } from '../../api/actions';
import type { Task, Workflow } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { JsonField, parseObject } from '../../components/JsonField';
import { ActionError } from '../../components/States';
import { useRunAction } from './use-run-action';

type Outcome = 'COMPLETED' | 'FAILED' | 'FAILED_WITH_TERMINAL_ERROR';

/**
 * Completes a step's open task by reference name (`POST /api/tasks/{workflowId}/{ref}/{status}`):
 * what a person does for a HUMAN or WAIT step. When the step's input names the fields it expects
 * (`fields` or `outputKeys`, as HUMAN steps usually do), each gets its own input; anything else
 * goes in the JSON output below them.
 */
export function CompleteDialog({ wf, task, open, onClose }: { wf: Workflow; task: Task; open: boolean; onClose: () => void }) {
  const ref = task.workflowTask?.taskReferenceName ?? task.referenceTaskName;
  const names = fieldNames(task);
  const [status, setStatus] = useState<Outcome>('COMPLETED');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [output, setOutput] = useState('{}');
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (open) {
      setStatus('COMPLETED');
      setFields({});
      setOutput('{}');
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
  const formId = useId();

  const submit = () => {
    if (!parsed.ok) return;
    const typed = Object.fromEntries(Object.entries(fields).flatMap(([k, v]) => (v.trim() === '' ? [] : [[k, valueOf(v)]])));
    const out: Record<string, unknown> = { ...parsed.value, ...typed };
    if (status !== 'COMPLETED' && reason.trim()) out.reasonForIncompletion = reason.trim();
    complete.mutate({ status, output: out }, { onSuccess: onClose });
  };

  return (
    <Dialog title={`Complete ${ref}`} open={open} onClose={onClose}>
      <fieldset className="radios">
        <legend>Outcome</legend>
        {(['COMPLETED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR'] as const).map((s) => (
          <label key={s} className="check">
            <input type="radio" name={`${formId}-outcome`} value={s} checked={status === s} onChange={() => setStatus(s)} />
            {s === 'COMPLETED' ? 'Completed' : s === 'FAILED' ? 'Failed (retried per its policy)' : 'Failed for good (no retry)'}
          </label>
        ))}
      </fieldset>
      {names.length > 0 && (
        <fieldset className="radios">
          <legend>Fields the step asks for</legend>
          {names.map((n) => (
            <label key={n} className="field">
              {n}
              <input
                value={fields[n] ?? ''}
                onChange={(e) => setFields({ ...fields, [n]: e.target.value })}
                placeholder="text, or JSON: true, 42, {…}"
              />
            </label>
          ))}
        </fieldset>
      )}
      <JsonField
        label={names.length ? 'More output (JSON)' : 'Output'}
        value={output}
        onChange={setOutput}
        hint={`The step's output, a JSON object; later steps read it as \${${ref}.output...}`}
        rows={names.length ? 4 : 8}
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
          onClick={submit}
        >
          {status === 'COMPLETED' ? 'Complete' : 'Fail'}
        </button>
      </div>
    </Dialog>
  );
}

/** The fields a HUMAN step's input names (`fields` or `outputKeys`: names, or objects with a name). */
function fieldNames(task: Task): string[] {
  const input = task.inputData;
  const list = [input.fields, input.outputKeys].find((v): v is unknown[] => Array.isArray(v)) ?? [];
  return list
    .map((k) => (typeof k === 'string' ? k : typeof k === 'object' && k && 'name' in k ? String((k as { name: unknown }).name) : null))
    .filter((k): k is string => !!k);
}

/** A typed field: JSON when it reads as JSON (true, 42, "x", {…}), else the text itself. */
function valueOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
