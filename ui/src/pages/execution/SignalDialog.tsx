import { useState } from 'react';
import { workflowActions } from '../../api/actions';
import type { Workflow } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { JsonField, parseObject } from '../../components/JsonField';
import { ActionError } from '../../components/States';
import { useRunAction } from './use-run-action';

/**
 * SIGNALS: the place for signals. `POST /api/workflow/{workflowId}/signal/{signalName}` is being
 * added to the engine by its own issue; this dialog already sends it, and shows the engine's
 * answer (a 404 until the route exists). When the route lands, nothing here needs to change
 * unless its request shape differs from {payload as the body}.
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
