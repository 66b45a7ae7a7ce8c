import type { TaskDef, TaskDefChange } from '../../api/types';
import { Time } from '../../components/Time';
import { changedFields, formatValue as fmt } from '../../lib/policy';

/** Every recorded change, newest first: who, when, and each field before and after. */
export function History({ changes, onRestore }: { changes: TaskDefChange[]; onRestore: ((d: TaskDef) => void) | undefined }) {
  if (!changes.length) return <p className="muted">No change has been recorded.</p>;
  const sorted = [...changes].sort((a, b) => b.changedAt - a.changedAt);
  return (
    <ol className="changes" data-testid="history">
      {sorted.map((c, i) => {
        const fields = changedFields(c.before as unknown as Record<string, unknown>, c.after as unknown as Record<string, unknown>);
        return (
          <li key={`${c.changedAt}:${i}`}>
            <div className="change-head">
              <Time value={c.changedAt} /> by <strong>{c.changedBy}</strong>
              {!c.before ? ' — created' : !c.after ? ' — deleted' : ''}
              {onRestore && c.before && (
                <button type="button" className="small" onClick={() => onRestore(c.before as TaskDef)}>
                  Load the version before this change
                </button>
              )}
            </div>
            {c.before && c.after && (
              <table className="table compact" aria-label={`Fields changed by ${c.changedBy}`}>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {fields.length === 0 ? (
                    <tr>
                      <td colSpan={3} className="muted">
                        saved without changes
                      </td>
                    </tr>
                  ) : (
                    fields.map((f) => (
                      <tr key={f.field}>
                        <td>
                          <code>{f.field}</code>
                        </td>
                        <td className="before">{fmt(f.before)}</td>
                        <td className="after">{fmt(f.after)}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            )}
          </li>
        );
      })}
    </ol>
  );
}
