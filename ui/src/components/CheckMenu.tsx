import { useId } from 'react';

/** A compact multiple choice: a disclosure holding checkboxes (Tab, Space and Enter all work). */
export function CheckMenu({
  label,
  options,
  selected,
  onChange,
  allLabel = 'all',
}: {
  label: string;
  options: readonly string[];
  selected: readonly string[];
  onChange: (next: string[]) => void;
  allLabel?: string;
}) {
  const id = useId();
  const summary = selected.length === 0 ? allLabel : selected.length <= 2 ? selected.join(', ') : `${selected.length} selected`;
  return (
    <details className="checkmenu">
      <summary>
        <span className="checkmenu-label">{label}:</span> {summary}
      </summary>
      <fieldset aria-labelledby={`${id}-legend`}>
        <legend id={`${id}-legend`} className="sr-only">
          {label}
        </legend>
        {options.length === 0 && <p className="muted">none</p>}
        {options.map((o) => (
          <label key={o} className="check">
            <input
              type="checkbox"
              checked={selected.includes(o)}
              onChange={(e) => onChange(e.target.checked ? [...selected, o] : selected.filter((s) => s !== o))}
            />
            {o}
          </label>
        ))}
        {selected.length > 0 && (
          <button type="button" className="link-button" onClick={() => onChange([])}>
            Clear
          </button>
        )}
      </fieldset>
    </details>
  );
}
