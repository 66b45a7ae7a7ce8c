import { useRef, type KeyboardEvent } from 'react';

/**
 * WAI-ARIA tabs: one tab stop for the list, arrows, Home and End move between tabs. Panels use
 * ids `panel-<value>` and label themselves with `tab-<value>`.
 */
export function Tabs<T extends string>({
  label,
  tabs,
  value,
  onChange,
  idPrefix = '',
}: {
  label: string;
  tabs: ReadonlyArray<readonly [T, string]>;
  value: T;
  onChange: (v: T) => void;
  idPrefix?: string;
}) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const n = tabs.length;
    const to =
      e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    const t = tabs[to];
    if (t) onChange(t[0]);
    refs.current[to]?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="tabs">
      {tabs.map(([v, text], i) => (
        <button
          key={v}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}tab-${v}`}
          aria-selected={v === value}
          aria-controls={`${idPrefix}panel-${v}`}
          tabIndex={v === value ? 0 : -1}
          onClick={() => onChange(v)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
