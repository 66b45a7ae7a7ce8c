import { useMemo, useState } from 'react';
import { isMasked } from '../lib/masked';
import { CopyButton } from './CopyButton';

/** Larger payloads are cut on screen (the copy button copies all of it). */
const MAX_SHOWN_CHARS = 200_000;

/**
 * A payload as indented JSON. A viewer's masked payload (every value `***`) says so, instead of
 * looking like data.
 */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const [all, setAll] = useState(false);
  const text = useMemo(() => (value === undefined ? '' : JSON.stringify(value, null, 2)), [value]);
  if (value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0)) {
    return <p className="muted">No {label.toLowerCase()}.</p>;
  }
  const masked = isMasked(value);
  const cut = !all && text.length > MAX_SHOWN_CHARS;
  return (
    <div className="json">
      {masked && (
        <p className="masked-note" role="note">
          <span aria-hidden="true">🔒</span> Masked: your role (viewer) sees the fields of the {label.toLowerCase()} but not their values.
        </p>
      )}
      <div className="json-tools">
        <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} />
      </div>
      <pre tabIndex={0} aria-label={label}>
        {cut ? `${text.slice(0, MAX_SHOWN_CHARS)}\n…` : text}
      </pre>
      {cut && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {Math.round(text.length / 1024)} KB
        </button>
      )}
    </div>
  );
}
