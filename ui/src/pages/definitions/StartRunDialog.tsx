import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { startWorkflow } from '../../api/actions';
import type { WorkflowDef } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { JsonField, parseObject } from '../../components/JsonField';
import { ActionError } from '../../components/States';

/** Starts a run of this version (`POST /api/workflow`) and opens it. */
export function StartRunDialog({ def, open, onClose }: { def: WorkflowDef; open: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const template = def.inputParameters?.length
    ? JSON.stringify(Object.fromEntries(def.inputParameters.map((p) => [p, null])), null, 2)
    : '{}';
  const [input, setInput] = useState(template);
  const [correlationId, setCorrelationId] = useState('');
  const [priority, setPriority] = useState(0);
  const start = useMutation({
    mutationFn: (i: Record<string, unknown>) =>
      startWorkflow({
        name: def.name,
        version: def.version,
        input: i,
        ...(correlationId.trim() ? { correlationId: correlationId.trim() } : {}),
        priority,
      }),
    onSuccess: (id) => {
      onClose();
      void navigate(`/execution/${encodeURIComponent(id)}`);
    },
  });
  const parsed = parseObject(input);
  return (
    <Dialog title={`Start ${def.name} v${def.version}`} open={open} onClose={onClose}>
      <JsonField
        label="Input"
        value={input}
        onChange={setInput}
        hint={def.inputParameters?.length ? `This workflow expects: ${def.inputParameters.join(', ')}` : 'A JSON object'}
        rows={8}
      />
      <label className="field">
        Correlation id (optional)
        <input value={correlationId} onChange={(e) => setCorrelationId(e.target.value)} />
      </label>
      <label className="field">
        Priority (0-99)
        <input
          type="number"
          min={0}
          max={99}
          value={priority}
          onChange={(e) => setPriority(Math.max(0, Math.min(99, Number(e.target.value) || 0)))}
        />
      </label>
      <ActionError error={start.error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!parsed.ok || start.isPending}
          onClick={() => parsed.ok && start.mutate(parsed.value)}
        >
          {start.isPending ? 'Starting…' : 'Start'}
        </button>
      </div>
    </Dialog>
  );
}
