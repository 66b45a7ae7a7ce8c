import { useState } from 'react';
import { workflowActions } from '../../api/actions';
import type { Workflow } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { JsonField, parseObject } from '../../components/JsonField';
import { ActionError } from '../../components/States';
import { useRunAction } from './use-run-action';

/**
 * Sends a signal to the run (`POST /api/workflow/{workflowId}/signal/{signalName}`, the payload as
 * the body; docs/events.md) and shows the engine's answer.
 */
export function SignalDialog({ wf, open, onClose }: { wf: Workflow; open: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [payload, setPayload] = useState('');
  const signal = useRunAction(
    wf.workflowId,
    (a: { name: string; payload: Record<string, unknown> }) => workflowActions.signal(wf.workflowId, a.name, a.payload),
    (a) => `Signal '${a.name}' sent`,
  );
  const p = parseObject(payload);
  return (
    <Dialog title="Send a signal" open={open} onClose={onClose}>
      <p>A signal delivers data to a running workflow that waits for it by name.</p>
      <label className="field">
        Signal name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="approved" />
      </label>
      <JsonField label="Payload" value={payload} onChange={setPayload} rows={4} />
      <ActionError error={signal.error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!name.trim() || !p.ok || signal.isPending}
          onClick={() => p.ok && signal.mutate({ name: name.trim(), payload: p.value }, { onSuccess: onClose })}
        >
          Send
        </button>
      </div>
    </Dialog>
  );
}
