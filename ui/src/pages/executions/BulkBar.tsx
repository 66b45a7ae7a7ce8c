import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { bulk, type BulkAction } from '../../api/actions';
import { announce } from '../../components/Announcer';
import { Dialog } from '../../components/Dialog';
import { ActionError } from '../../components/States';

const ACTIONS: Array<[BulkAction, string]> = [
  ['pause', 'Pause'],
  ['resume', 'Resume'],
  ['retry', 'Retry'],
  ['restart', 'Restart'],
  ['terminate', 'Terminate'],
];

/** Conductor's bulk operations on the selected runs; each run's refusal is reported, not hidden. */
export function BulkBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const m = useMutation({
    mutationFn: (a: BulkAction) => bulk(a, ids),
    onSuccess: (r, a) => {
      const failed = Object.entries(r.bulkErrorResults);
      announce(
        `${a}: ${r.bulkSuccessfulResults.length} done${
          failed.length
            ? `, ${failed.length} refused (${failed
                .slice(0, 3)
                .map(([id, why]) => `${id.slice(0, 8)}: ${why}`)
                .join('; ')})`
            : ''
        }`,
        failed.length ? 'error' : 'ok',
      );
      void qc.invalidateQueries({ queryKey: ['workflow-search'] });
      onDone();
    },
  });
  return (
    <div className="bulkbar" role="region" aria-label="Bulk actions">
      <span>{ids.length} selected</span>
      {ACTIONS.map(([a, label]) => (
        <button
          key={a}
          type="button"
          className={a === 'terminate' ? 'danger' : ''}
          disabled={m.isPending}
          onClick={() => (a === 'terminate' ? setConfirming(true) : m.mutate(a))}
        >
          {label}
        </button>
      ))}
      <ActionError error={m.error} />
      <Dialog
        title={`Terminate ${ids.length} workflow${ids.length === 1 ? '' : 's'}?`}
        open={confirming}
        onClose={() => setConfirming(false)}
      >
        <p>Their open steps are cancelled. Terminated runs can be retried.</p>
        <div className="dialog-actions">
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              setConfirming(false);
              m.mutate('terminate');
            }}
          >
            Terminate
          </button>
        </div>
      </Dialog>
    </div>
  );
}
