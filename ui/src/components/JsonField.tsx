import { useId, useState } from 'react';

export type JsonObjectValue = Record<string, unknown>;

/** Parses an object typed by hand; the error names the line and column when JSON says where. */
export function parseObject(text: string): { ok: true; value: JsonObjectValue } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} };
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, error: 'must be a JSON object: { "key": value }' };
    return { ok: true, value: v as JsonObjectValue };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** A JSON object typed in a text area, checked as you type. */
export function JsonField({
  label,
  value,
  onChange,
  hint,
  rows = 6,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  hint?: string;
  rows?: number;
}) {
  const id = useId();
  const [touched, setTouched] = useState(false);
  const parsed = parseObject(value);
  const showError = touched && !parsed.ok;
  return (
    <div className="field json-field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="muted small" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <textarea
        id={id}
        rows={rows}
        spellCheck={false}
        value={value}
        aria-invalid={showError}
        aria-describedby={showError ? `${id}-err` : hint ? `${id}-hint` : undefined}
        onChange={(e) => {
          setTouched(true);
          onChange(e.target.value);
        }}
        onBlur={() => setTouched(true)}
      />
      {showError && (
        <span className="field-error" id={`${id}-err`}>
          {parsed.ok ? '' : parsed.error}
        </span>
      )}
    </div>
  );
}
