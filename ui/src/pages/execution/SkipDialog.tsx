import { useState } from 'react';
import { workflowActions } from '../../api/actions';
import type { Workflow } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { JsonField, parseObject } from '../../components/JsonField';
import { ActionError } from '../../components/States';
import { useRunAction } from './use-run-action';

/**
 * Conductor's skip (`PUT /api/workflow/{id}/skiptask/{ref}` with a SkipTaskRequest): the step is
 * marked SKIPPED, with the given output, and the run goes on. If the engine does not offer it,
 * its answer is shown here.
 */
export function SkipDialog({ wf, refName, open, onClose }: { wf: Workflow; refName: string; open: boolean; onClose: () => void }) {
  const [output, setOutput] = useState('');
  const skip = useRunAction(
    wf.workflowId,
    (out: Record<string, unknown> | null) => workflowActions.skip(wf.workflowId, refName, out ? { taskOutput: out } : {}),
    `Step ${refName} skipped`,
  );
  const parsed = parseObject(output);
  return (
    <Dialog title={`Skip ${refName}?`} open={open} onClose={onClose}>
      <p>The step does not run (or its running attempt is abandoned); the run goes on with the next step.</p>
      <JsonField
        label="Output to record (optional)"
        value={output}
        onChange={setOutput}
        hint="What later steps read as this step's output"
        rows={5}
      />
      <ActionError error={skip.error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={!parsed.ok || skip.isPending}
          onClick={() => parsed.ok && skip.mutate(output.trim() ? parsed.value : null, { onSuccess: onClose })}
        >
          Skip
        </button>
      </div>
    </Dialog>
  );
}
